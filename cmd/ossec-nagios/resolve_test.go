package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
