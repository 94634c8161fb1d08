package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// resolveRoot builds a throw-away <OSSEC> holding a copy of a real
// alerts.log sample (ids = offsets) and returns the root and the file.
func resolveRoot(t *testing.T) (string, string) {
	t.Helper()
	root := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "bridge", "alert", "testdata", "samples", "wazuh4-alerts-manager-local.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(root, "logs", "alerts", "alerts.log")
	if err := os.MkdirAll(filepath.Dir(log), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log, b, 0o640); err != nil {
		t.Fatal(err)
	}
	return root, log
}

func resolveEnv(root string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	e := &env{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string {
			if k == "OSSEC_NAGIOS_ROOT" {
				return root
			}
			return ""
		},
		executable: func() (string, error) { return "", errors.New("none") },
	}
	return e, &out, &errb
}

func TestRunResolve(t *testing.T) {
	root, log := resolveRoot(t)
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   []string // substrings
		stderr   string
		noStdout bool
	}{
		{name: "default log under OSSEC root, text", args: []string{"1780297522.5825", "5501"}, code: exitOK,
			stdout: []string{"id:       1780297522.5825", "resolved: yes, by offset, at offset 5825 of " + log, "rule:     5501 (level 3) 'PAM: Login session opened.'", "agent:    kali", "user:     root(uid=0)", "  uid: 1000"}},
		{name: "-log and json", args: []string{"-log", log, "-format", "json", "1780297992.16515"}, code: exitOK,
			stdout: []string{`"resolved": true`, `"method": "offset"`, `"offset": 16515`, `"id": 52507`, `"description": "ClamAV database update"`}},
		{name: "stale id found forward", args: []string{"-poll", "0", "1780297522.5251", "5502"}, code: exitOK,
			stdout: []string{"id:       1780297522.6266", "resolved: yes, by forward, at offset 6266"}},
		{name: "not resolved prints the fallback and fails", args: []string{"-poll", "0", "-format", "json", "1780297522.5252", "5502"}, code: exitFailure,
			stdout: []string{`"resolved": false`, `"id": "1780297522.5252"`, `"id": 5502`}, stderr: "ossec-nagios: error: resolve alert 1780297522.5252: no alert 1780297522.5252 in alerts.log"},
		{name: "bad id", args: []string{"12345"}, code: exitUsage, stderr: "alert id is not <epoch>.<n>", noStdout: true},
		{name: "bad rule", args: []string{"1.2", "x"}, code: exitUsage, stderr: `rule id "x"`, noStdout: true},
		{name: "bad format", args: []string{"-format", "xml", "1.2"}, code: exitUsage, stderr: `-format "xml"`, noStdout: true},
		{name: "nsca without any config", args: []string{"-format", "nsca", "1780297522.5825"}, code: exitUsage, stderr: "ossec-nagios.ini", noStdout: true},
		{name: "no id", args: nil, code: exitUsage, stderr: "want ALERTID [RULEID]", noStdout: true},
		{name: "help", args: []string{"-h"}, code: exitOK, stderr: "usage: ossec-nagios resolve", noStdout: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, errb := resolveEnv(root)
			code := e.dispatch(context.Background(), append([]string{"ossec-nagios", "resolve"}, tc.args...))
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errb.String())
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			if tc.noStdout && out.Len() > 0 {
				t.Errorf("stdout not empty: %q", out.String())
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.stderr)
			}
			if strings.Contains(strings.Join(tc.args, " "), "json") && tc.code != exitUsage {
				var v map[string]any
				if err := json.Unmarshal(out.Bytes(), &v); err != nil {
					t.Errorf("json output: %v", err)
				}
			}
		})
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttext":               "plain\ttext",
		"evil\x1b[2Jclear":          `evil\x1b[2Jclear`,
		"line\r\nbreak":             `line\r\nbreak`,
		"unicode é ok":              "unicode é ok",
		"\u009b csi":                `\u009b csi`,
		"nul\x00":                   `nul\x00`,
		"[1795000020] RESTART_PROG": "[1795000020] RESTART_PROG",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// resolveConfig writes an INI whose [alerts] log is the sample, moved out
// of <OSSEC> so that only the INI can name it.
func resolveConfig(t *testing.T, root, hostsDefault string) (ini, log string) {
	t.Helper()
	_, sample := resolveRoot(t)
	dir := t.TempDir()
	log = filepath.Join(dir, "elsewhere.log")
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log, b, 0o640); err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf(`[nsca]
server = 127.0.0.1:5667
password = resolve-test-pw
[alerts]
log = %s
[states]
warning = 3
critical = 12
[hosts]
default = %s
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
`, log, hostsDefault)
	return writeINI(t, dir, text), log
}

func TestRunResolveConfigAndNSCA(t *testing.T) {
	root := t.TempDir() // an <OSSEC> without alerts.log: only the INI's log has the alerts
	ini, log := resolveConfig(t, root, "{agent}")
	fixedINI, _ := resolveConfig(t, root, "ossec-manager")
	const out5825 = "OSSEC rule 5501 (level 3): PAM: Login session opened. user=root(uid=0) :: 2026-06-01T12:35:21.869664+05:30 kali sudo: pam_unix(sudo:session): session opened for user root(uid=0) by kali(uid=1000)"
	// The default INI, <OSSEC>/etc/ossec-nagios.ini, of a second root.
	defRoot := t.TempDir()
	if err := os.MkdirAll(filepath.Join(defRoot, "etc"), 0o750); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(ini)
	if err != nil {
		t.Fatal(err)
	}
	writeINI(t, filepath.Join(defRoot, "etc"), string(b))

	tests := []struct {
		name   string
		root   string
		args   []string
		code   int
		stdout string   // exact, when not ""
		has    []string // substrings of stdout
		stderr string
	}{
		{name: "-config takes [alerts] log and prints the result", args: []string{"-config", ini, "1780297522.5825", "5501"}, code: exitOK,
			has: []string{"resolved: yes, by offset, at offset 5825 of " + log, "result (not sent):", "  host:    kali", "  service: OSSEC", "  state:   1 (WARNING)", "  output:  " + out5825}},
		{name: "-format nsca is one send_nsca line", args: []string{"-config", ini, "-format", "nsca", "1780297522.5825"}, code: exitOK,
			stdout: "kali\tOSSEC\t1\t" + out5825 + "\n"},
		{name: "-format nsca loads the default INI", root: defRoot, args: []string{"-format", "nsca", "1780297522.5825"}, code: exitOK,
			stdout: "kali\tOSSEC\t1\t" + out5825 + "\n"},
		{name: "-format json with -config has the result", args: []string{"-config", ini, "-format", "json", "1780297992.16515"}, code: exitOK,
			has: []string{`"result": {`, `"host": "kali"`, `"service": "OSSEC"`, `"state": 1`, `"state_name": "WARNING"`, `"output": "OSSEC rule 52507 (level 3): ClamAV database update :: `}},
		{name: "-log overrides the INI", args: []string{"-config", ini, "-log", filepath.Join(root, "none.log"), "-poll", "0", "-format", "nsca", "1780297522.5825"}, code: exitFailure,
			stderr: "none.log"},
		{name: "not resolved: the UNKNOWN line the active response would send", args: []string{"-config", fixedINI, "-poll", "0", "-format", "nsca", "1780297522.5252", "5502"}, code: exitFailure,
			has: []string{"ossec-manager\tOSSEC\t3\t"}, stderr: "no alert 1780297522.5252"},
		{name: "not resolved and not mappable: no line, exit 1", args: []string{"-config", ini, "-poll", "0", "-format", "nsca", "1780297522.5252", "5502"}, code: exitFailure,
			stdout: "", stderr: "does not map either"},
		{name: "bad -config", args: []string{"-config", filepath.Join(root, "missing.ini"), "1780297522.5825"}, code: exitUsage,
			stderr: "missing.ini"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := root
			if tc.root != "" {
				r = tc.root
			}
			e, out, errb := resolveEnv(r)
			code := e.dispatch(context.Background(), append([]string{"ossec-nagios", "resolve"}, tc.args...))
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errb.String())
			}
			if (tc.stdout != "" || tc.has == nil) && out.String() != tc.stdout {
				t.Errorf("stdout %q, want %q", out.String(), tc.stdout)
			}
			for _, s := range tc.has {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out.String())
				}
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tc.stderr)
			}
			if strings.Contains(strings.Join(tc.args, " "), "nsca") {
				if n := strings.Count(out.String(), "\n"); n > 1 {
					t.Errorf("-format nsca printed %d lines", n)
				}
			}
		})
	}
}

func TestNSCALine(t *testing.T) {
	tests := []struct {
		r    bridge.Result
		want string
	}{
		{bridge.Result{Host: "web01", Service: "OSSEC SSH", State: bridge.Critical, Output: "CRITICAL - x"}, "web01\tOSSEC SSH\t2\tCRITICAL - x\n"},
		{bridge.Result{Host: "web01", State: bridge.Warning, Output: "host check"}, "web01\t1\thost check\n"},
		{bridge.Result{Host: "h", Service: "s", State: bridge.OK, Output: "first\nsecond"}, "h\ts\t0\tfirst\\nsecond\n"},
	}
	for _, tc := range tests {
		if got := nscaLine(tc.r); got != tc.want {
			t.Errorf("nscaLine(%+v) = %q, want %q", tc.r, got, tc.want)
		}
	}
}

// TestResolveDryRunNeedsNoTransport: resolve -config sends nothing, so an
// INI without [nsca] server maps the alert; check-config, which vouches
// for what ar, flush and follow will send, still refuses it.
func TestResolveDryRunNeedsNoTransport(t *testing.T) {
	ini, _ := resolveConfig(t, t.TempDir(), "{agent}")
	b, err := os.ReadFile(ini)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "server = 127.0.0.1:5667\n", "", 1)
	if text == string(b) {
		t.Fatal("the test INI has no server line to drop")
	}
	noServer := writeINI(t, t.TempDir(), text)

	e, out, errb := resolveEnv(t.TempDir())
	if code := e.dispatch(context.Background(), []string{"ossec-nagios", "resolve", "-config", noServer, "-format", "nsca", "1780297522.5825"}); code != exitOK {
		t.Fatalf("resolve: exit %d, stderr %q", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), "kali\tOSSEC\t1\t") {
		t.Errorf("resolve printed %q", out.String())
	}

	e, out, errb = resolveEnv(t.TempDir())
	code := e.dispatch(context.Background(), []string{"ossec-nagios", "check-config", "-config", noServer})
	if code != exitUsage || !strings.Contains(errb.String(), "[nsca] server: missing value: at least one host[:port] is needed with transport nsca") {
		t.Errorf("check-config: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// TestResolveJSONKeepsArrows: -format json prints the "->" of a location
// or rule line as is, not HTML-escaped as "-\u003e".
func TestResolveJSONKeepsArrows(t *testing.T) {
	root, _ := resolveRoot(t)
	e, out, errb := resolveEnv(root)
	if code := e.dispatch(context.Background(), []string{"ossec-nagios", "resolve", "-format", "json", "1780297522.5825"}); code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errb.String())
	}
	if strings.Contains(out.String(), `\u003e`) || strings.Contains(out.String(), `\u003c`) || strings.Contains(out.String(), `\u0026`) {
		t.Errorf("HTML escapes in the JSON:\n%s", out.String())
	}
	if !strings.Contains(out.String(), `kali->/var/log/auth.log`) || !strings.Contains(out.String(), `Rule: 5501 (level 3) -> 'PAM`) {
		t.Errorf("the raw alert lost its arrows:\n%s", out.String())
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Errorf("not JSON: %v", err)
	}
}
