package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/follow"
	"github.com/ossec-nagios/ossec-nagios/bridge/health"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
	"github.com/ossec-nagios/ossec-nagios/icinga"
	"github.com/ossec-nagios/ossec-nagios/internal/lab"
	"github.com/ossec-nagios/ossec-nagios/nsca"
	"github.com/ossec-nagios/ossec-nagios/nsca/nscatest"
)

// checkSetup is a configuration whose spool and follow cursor live in a
// temporary directory.
type checkSetup struct {
	dir, ini, spool, status string
}

func newCheckSetup(t *testing.T, nscaAddr string) checkSetup {
	t.Helper()
	dir := t.TempDir()
	s := checkSetup{dir: dir, spool: filepath.Join(dir, "spool"), status: filepath.Join(dir, "follow.cursor.status")}
	s.ini = writeINI(t, dir, fmt.Sprintf(`[nsca]
server = %s
encryption = xor
password = pw
[spool]
dir = %s
[follow]
state_file = %s
[log]
file = %s
[service "OSSEC"]
`, nscaAddr, s.spool, filepath.Join(dir, "follow.cursor"), filepath.Join(dir, "active-responses.log")))
	return s
}

// put spools n results, the first enqueued age ago.
func (s checkSetup) put(t *testing.T, n int, age time.Duration) {
	t.Helper()
	at := time.Now().Add(-age)
	sp, err := spool.Open(s.spool, spool.Options{Now: func() time.Time { at = at.Add(time.Millisecond); return at }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := sp.Put(bridge.Result{Host: "web01", Service: "OSSEC", State: bridge.Warning, Output: fmt.Sprintf("spooled %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func runCheckCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"ossec-nagios", "check"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunCheck(t *testing.T) {
	t.Setenv("OSSEC_NAGIOS_ROOT", t.TempDir())
	t.Setenv("OSSEC_NAGIOS_CONFIG", "")
	empty := newCheckSetup(t, "127.0.0.1:5667")
	full := newCheckSetup(t, "127.0.0.1:5667")
	full.put(t, 3, 400*time.Second)
	dead := newCheckSetup(t, "127.0.0.1:5667")
	if err := follow.WriteStatus(dead.status, follow.Status{PID: 1, Updated: time.Now().Add(-10 * time.Minute), Path: "/nonexistent"}); err != nil {
		t.Fatal(err)
	}
	// The same with follow mode configured to run.
	enabled := writeINI(t, t.TempDir(), strings.Replace(mustRead(t, dead.ini), "[follow]\n", "[follow]\nenabled = yes\n", 1))
	enabledNone := writeINI(t, t.TempDir(), strings.Replace(mustRead(t, empty.ini), "[follow]\n", "[follow]\nenabled = yes\n", 1))
	bad := filepath.Join(empty.dir, "bad.ini")
	if err := os.WriteFile(bad, []byte("[nsca]\nserver = n\nencryption = 3dez\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const perfEmpty = " | spool=0;10;100;0; spool_age=0s;300;1800;0; quarantined=0;0;;0; lag=U;1048576;10485760;0; follow_age=U;60;300;0; last_delivery=U;;;0;"
	tests := []struct {
		name  string
		args  []string
		code  int
		first string         // the first line, exactly
		match *regexp.Regexp // or a pattern it must match
	}{
		{name: "empty", args: []string{"-config", empty.ini}, code: 0,
			first: "OSSEC-NAGIOS OK - spool empty, follow not in use, no delivery recorded" + perfEmpty},
		{name: "paths without the INI", args: []string{"-spool", empty.spool, "-status", empty.status}, code: 0,
			first: "OSSEC-NAGIOS OK - spool empty, follow not in use, no delivery recorded" + perfEmpty},
		{name: "spool above -w", args: []string{"-config", full.ini, "-w", "2", "-c", "5", "-age-w", "off", "-age-c", "1h"}, code: 1,
			match: regexp.MustCompile(`^OSSEC-NAGIOS WARNING - spool 3 results \(oldest 40\d s\), follow not in use, no delivery recorded \| spool=3;2;5;0; spool_age=40\ds;;3600;0; quarantined=0;0;;0; lag=U;`)},
		{name: "spool above -c", args: []string{"-config", full.ini, "-w", "1", "-c", "2"}, code: 2,
			match: regexp.MustCompile(`^OSSEC-NAGIOS CRITICAL - spool 3 results`)},
		{name: "spool age", args: []string{"-config", full.ini, "-age-w", "1m", "-age-c", "300"}, code: 2,
			match: regexp.MustCompile(`^OSSEC-NAGIOS CRITICAL - .* spool_age=40\ds;60;300;0; `)},
		{name: "every threshold off", args: []string{"-config", full.ini, "-w", "off", "-c", "off", "-age-w", "off", "-age-c", "OFF", "-follow=false"}, code: 0,
			match: regexp.MustCompile(`^OSSEC-NAGIOS OK - spool 3 results .* spool=3;;;0; spool_age=40\ds;;;0; `)},
		{name: "follow dead", args: []string{"-config", dead.ini, "-follow"}, code: 2,
			match: regexp.MustCompile(`^OSSEC-NAGIOS CRITICAL - spool empty, follow lag 0 B, status 60\d s old, no delivery recorded \| .* follow_age=60\ds;60;300;0; `)},
		{name: "follow dead with -status", args: []string{"-spool", dead.spool, "-status", dead.status}, code: 2,
			match: regexp.MustCompile(`^OSSEC-NAGIOS CRITICAL - spool empty, follow lag 0 B, status 60\d s old`)},
		{name: "follow enabled and dead", args: []string{"-config", enabled}, code: 2,
			match: regexp.MustCompile(`^OSSEC-NAGIOS CRITICAL - spool empty, follow lag 0 B, status 60\d s old`)},
		{name: "follow enabled and not running", args: []string{"-config", enabledNone}, code: 2,
			first: "OSSEC-NAGIOS CRITICAL - spool empty, follow not running, no delivery recorded" + perfEmpty},
		// A status file left by a `follow -once` in an active-response setup.
		{name: "follow not enabled", args: []string{"-config", dead.ini}, code: 0,
			first: "OSSEC-NAGIOS OK - spool empty, follow not in use, no delivery recorded" + perfEmpty},
		{name: "follow required", args: []string{"-config", empty.ini, "-follow"}, code: 2,
			first: "OSSEC-NAGIOS CRITICAL - spool empty, follow not running, no delivery recorded" + perfEmpty},
		{name: "delivery required", args: []string{"-config", empty.ini, "-delivery-w", "3m", "-delivery-c", "15m"}, code: 1,
			match: regexp.MustCompile(`^OSSEC-NAGIOS WARNING - spool empty, follow not in use, no delivery recorded \| .* last_delivery=U;180;900;0;$`)},

		// Every error of the plugin's own is UNKNOWN (3) in one line on stdout.
		{name: "bad number", args: []string{"-w", "x"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: invalid value "x" for flag -w: want a number of 0 or more, or off (ossec-nagios check -h shows the flags)`},
		{name: "negative number", args: []string{"-c", "-1"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: invalid value "-1" for flag -c: want a number of 0 or more, or off (ossec-nagios check -h shows the flags)`},
		{name: "bad duration", args: []string{"-age-w", "1.5s"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: invalid value "1.5s" for flag -age-w: want whole seconds (300) or a duration (5m, 1h30m), or off (ossec-nagios check -h shows the flags)`},
		{name: "bad size", args: []string{"-lag-w", "4Q"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: invalid value "4Q" for flag -lag-w: want a size in bytes (1048576, 512K, 4M, 1G), or off (ossec-nagios check -h shows the flags)`},
		{name: "unknown flag", args: []string{"-x"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: flag provided but not defined: -x (ossec-nagios check -h shows the flags)`},
		{name: "missing value", args: []string{"-w"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: flag needs an argument: -w (ossec-nagios check -h shows the flags)`},
		{name: "extra argument", args: []string{"-config", empty.ini, "now"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: unexpected argument "now" (ossec-nagios check -h shows the flags)`},
		{name: "warning above critical", args: []string{"-lag-w", "2M", "-lag-c", "1M"}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: -lag-w/-lag-c: the warning threshold 2097152 is above the critical one 1048576`},
		{name: "no config", args: nil, code: 3,
			match: regexp.MustCompile(`^OSSEC-NAGIOS UNKNOWN - check: config: ossec-nagios.ini: open: open .*/etc/ossec-nagios.ini: no such file or directory$`)},
		{name: "invalid config", args: []string{"-config", bad}, code: 3,
			first: `OSSEC-NAGIOS UNKNOWN - check: config: bad.ini: [nsca] encryption: unknown method "3dez" (use a number 0 to 26 or a name such as xor, 3des, rijndael-128)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errb := runCheckCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out)
			}
			if errb != "" {
				t.Errorf("stderr: %q", errb)
			}
			first, _, _ := strings.Cut(out, "\n")
			if tt.match != nil && !tt.match.MatchString(first) {
				t.Errorf("first line\n%s\ndoes not match\n%s", first, tt.match)
			}
			if tt.match == nil && first != tt.first {
				t.Errorf("first line\n%s\nwant\n%s", first, tt.first)
			}
			if strings.Count(out, "|") > 1 || !strings.HasSuffix(out, "\n") {
				t.Errorf("want one line with at most one '|', then long text:\n%s", out)
			}
		})
	}
}

func TestRunCheckHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		code, out, errb := runCheckCmd(t, arg)
		if code != exitUnknown || errb != "" {
			t.Errorf("%s: exit %d (want 3, as plugins do), stderr %q", arg, code, errb)
		}
		for _, want := range []string{"usage: ossec-nagios check [-config F] [-w N] [-c N]", "Examples:", "check_ossec_nagios", "-stale-c value"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: help lacks %q:\n%s", arg, want, out)
			}
		}
	}
}

func TestParseThresholdValues(t *testing.T) {
	for _, tt := range []struct {
		parse func(string) (int64, error)
		in    string
		want  int64
	}{
		{parseSeconds, "0", 0}, {parseSeconds, "300", 300}, {parseSeconds, "5m", 300}, {parseSeconds, "1h30m", 5400},
		{parseSize, "0", 0}, {parseSize, "4096", 4096}, {parseSize, "512K", 512 << 10}, {parseSize, "4M", 4 << 20},
		{parseSize, "4MiB", 4 << 20}, {parseSize, "1gb", 1 << 30}, {parseSize, "100B", 100},
		{parseCount, "0", 0}, {parseCount, "10", 10},
	} {
		got, err := tt.parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%q: %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "-1", "1.5", "x", "10Q", "9999999999G", "M"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q): no error", in)
		}
	}
	for _, in := range []string{"", "-1", "-5m", "500ms", "x"} {
		if _, err := parseSeconds(in); err == nil {
			t.Errorf("parseSeconds(%q): no error", in)
		}
	}
}

// fakeSender accepts or refuses every result.
type fakeSender struct{ err error }

func (f fakeSender) SendCheck(context.Context, string, string, int, string) error { return f.err }

func TestStampedSender(t *testing.T) {
	dir := t.TempDir()
	p := health.StampPath(dir)
	refused := &stamped{Sender: fakeSender{errors.New("refused")}, stamp: &health.Stamp{Path: p}, spoolDir: dir}
	if err := refused.SendCheck(context.Background(), "h", "s", 0, "o"); err == nil {
		t.Fatal("the error was lost")
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("a refused result wrote the stamp: %v", err)
	}
	ok := &stamped{Sender: fakeSender{}, stamp: &health.Stamp{Path: p}, spoolDir: dir}
	if err := ok.SendCheck(context.Background(), "h", "s", 0, "o"); err != nil {
		t.Fatal(err)
	}
	if ts, err := health.ReadStamp(p); err != nil || time.Since(ts) > time.Minute {
		t.Errorf("stamp %v, %v", ts, err)
	}
}

// Refused credentials (Icinga 401, or 403 for the request) stop every
// result: recorded as a failure, like a drop.
func TestStampedAuthFailure(t *testing.T) {
	dir := t.TempDir()
	s := &stamped{Sender: fakeSender{&icinga.Error{Op: "process-check-result", Status: 401, Err: icinga.ErrAuth}}, stamp: &health.Stamp{Path: health.StampPath(dir)}, spoolDir: dir}
	if err := s.SendCheck(context.Background(), "h", "s", 0, "o"); err == nil {
		t.Fatal("the error was lost")
	}
	if f, err := health.ReadFailure(dir); err != nil || f == nil || !strings.Contains(f.Reason, "[icinga2] user and password") {
		t.Fatalf("failure record %+v, %v", f, err)
	}
	s.Sender = fakeSender{}
	if err := s.SendCheck(context.Background(), "h", "s", 0, "o"); err != nil {
		t.Fatal(err)
	}
	if f, _ := health.ReadFailure(dir); f != nil {
		t.Errorf("failure record %+v after a delivery", f)
	}
}

// confirmer is a fakeSender whose Confirm answers err.
type confirmer struct {
	fakeSender
	err error
}

func (c confirmer) Confirm(context.Context) error { return c.err }

// With a Confirmer the stamp moves only on a Confirm; a drop writes the
// failure record instead, and the next confirmed delivery removes it.
func TestStampedConfirm(t *testing.T) {
	dir := t.TempDir()
	p := health.StampPath(dir)
	drop := &nsca.Error{Op: "confirm", Addr: "127.0.0.1:5667", Err: nsca.ErrRejected}
	s := &stamped{Sender: confirmer{err: drop}, confirms: true, stamp: &health.Stamp{Path: p}, spoolDir: dir}
	if err := s.SendCheck(context.Background(), "h", "s", 0, "o"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("an unconfirmed result wrote the stamp: %v", err)
	}
	if err := s.Confirm(context.Background()); !errors.Is(err, nsca.ErrRejected) {
		t.Fatalf("Confirm = %v", err)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Fatalf("a drop wrote the stamp: %v", err)
	}
	f, err := health.ReadFailure(dir)
	if err != nil || f == nil || !strings.Contains(f.Reason, "password") {
		t.Fatalf("failure record %+v, %v; want one naming the password", f, err)
	}
	s.Sender = confirmer{}
	_ = s.SendCheck(context.Background(), "h", "s", 0, "o")
	if err := s.Confirm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ts, err := health.ReadStamp(p); err != nil || ts.IsZero() {
		t.Errorf("stamp %v, %v after a confirmed delivery", ts, err)
	}
	if f, err := health.ReadFailure(dir); f != nil || err != nil {
		t.Errorf("failure record %+v, %v after a confirmed delivery", f, err)
	}
}

// TestCheckAfterFlush: results spooled while Nagios was away, then
// flush delivers them (to a fake nsca) and check sees an empty spool and a
// delivery that just happened, through the stamp the wired sender writes.
func TestCheckAfterFlush(t *testing.T) {
	t.Setenv("OSSEC_NAGIOS_ROOT", t.TempDir())
	t.Setenv("OSSEC_NAGIOS_CONFIG", "")
	srv := nscatest.NewServer(t, nscatest.Options{Password: "pw", Method: nsca.MethodXOR})
	s := newCheckSetup(t, srv.Addr)
	s.put(t, 4, 90*time.Second)
	code, out, _ := runCheckCmd(t, "-config", s.ini)
	if code != 0 || !strings.HasPrefix(out, "OSSEC-NAGIOS OK - spool 4 results (oldest 9") || !strings.Contains(out, "no delivery recorded") {
		t.Fatalf("before flush: exit %d\n%s", code, out)
	}
	var fo, fe bytes.Buffer
	if code := run(context.Background(), []string{"ossec-nagios", "flush", "-config", s.ini}, strings.NewReader(""), &fo, &fe); code != 0 {
		t.Fatalf("flush: exit %d: %s", code, fe.String())
	}
	srv.WaitChecks(t, 4, 5*time.Second)
	code, out, _ = runCheckCmd(t, "-config", s.ini, "-delivery-w", "1m")
	if code != 0 || !regexp.MustCompile(`^OSSEC-NAGIOS OK - spool empty, follow not in use, last delivery [01] s ago \| .* last_delivery=[01]s;60;;0;\n`).MatchString(out) {
		t.Errorf("after flush: exit %d\n%s", code, out)
	}
}

// TestCheckInNagios runs `ossec-nagios check` as the active check of a
// service in a real nagios4, on a spool with known contents, after one
// active response went through nsca (which writes the delivery stamp), and
// reads the state, output and performance data Nagios recorded.
func TestCheckInNagios(t *testing.T) {
	lab.RequireBinary(t, lab.Nagios4Bin, "nagios4-core")
	lab.RequireBinary(t, lab.NSCABin, "nsca")
	root := newOSSECRoot(t, labINI(5667))
	agents := filepath.Join(root.dir, "agents")
	if err := os.WriteFile(agents, []byte("web01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gen, err := execOutput(root.ar, "gen", "nagios", "-config", root.ini, "-hosts", agents, "-with-hosts", "-manager", "-")
	if err != nil {
		t.Fatalf("gen nagios: %v", err)
	}
	objects := fmt.Sprintf(`define command {
    command_name  check_ossec_nagios
    command_line  %s check -config %s $ARG1$
}

define host {
    host_name              ossec-manager
    alias                  ossec-manager
    max_check_attempts     1
    active_checks_enabled  0
    check_period           24x7
    contact_groups         security
}

define service {
    host_name              ossec-manager
    service_description    OSSEC bridge health
    check_command          check_ossec_nagios!-w 2 -c 5 -age-c 1h
    max_check_attempts     1
    check_interval         1
    retry_interval         1
    active_checks_enabled  1
    check_period           24x7
    notification_period    24x7
    contact_groups         security
}
`, root.ar, root.ini)
	l := lab.NewNagiosLab(t, gen, objects)
	l.Start(t)
	if err := os.WriteFile(root.ini, []byte(labINI(l.NSCAPort)), 0o600); err != nil {
		t.Fatal(err)
	}

	// One active response through nsca: it writes the delivery stamp.
	ids := root.alertsLog(t, time.Now().Unix(), ` mail  - syslog,sshd,authentication_failures,
2026 Nov 18 10:26:40 (web01) 10.0.0.11->/var/log/secure
Rule: 5712 (level 10) -> 'SSHD brute force trying to get access to the system.'
Src IP: 203.0.113.50
`)
	if rc, stderr := root.run(t, root.ar, nil, "add", "root", "203.0.113.50", ids[0], "5712", "(web01)", "10.0.0.11->/var/log/secure"); rc != 0 {
		t.Fatalf("active response: rc %d: %s\n%s", rc, stderr, root.log(t))
	}
	l.WaitService(t, "web01", "OSSEC SSH", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 1 })

	// Then three results wait in the spool, the oldest for 400 s.
	s := checkSetup{spool: filepath.Join(root.dir, "var", "ossec-nagios", "spool")}
	s.put(t, 3, 400*time.Second)

	now := time.Now().Unix()
	cmd := fmt.Sprintf("[%d] SCHEDULE_FORCED_SVC_CHECK;ossec-manager;OSSEC bridge health;%d\n", now, now)
	if err := os.WriteFile(l.CommandFile, []byte(cmd), 0o600); err != nil {
		t.Fatal(err)
	}
	st := l.WaitService(t, "ossec-manager", "OSSEC bridge health", 30*time.Second, func(s lab.ServiceStatus) bool {
		return s.LastCheck >= now && s.CheckType == 0
	})
	if st.State != 1 || st.StateType != 1 {
		t.Errorf("state %d type %d, want 1 (WARNING) HARD; output %q", st.State, st.StateType, st.Output)
	}
	out := regexp.MustCompile(`^OSSEC-NAGIOS WARNING - spool 3 results \(oldest 4\d\d s\), follow not in use, last delivery \d+ s ago$`)
	if !out.MatchString(st.Output) {
		t.Errorf("output %q does not match %s", st.Output, out)
	}
	perf := regexp.MustCompile(`^spool=3;2;5;0; spool_age=4\d\ds;300;3600;0; quarantined=0;0;;0; lag=U;1048576;10485760;0; follow_age=U;60;300;0; last_delivery=\d+s;;;0;$`)
	if !perf.MatchString(st.PerfData) {
		t.Errorf("perfdata %q does not match %s", st.PerfData, perf)
	}
	if !strings.Contains(st.LongOutput, "WARNING: spool depth 3 > 2") {
		t.Errorf("long output %q lacks the problem", st.LongOutput)
	}
	t.Logf("nagios4 recorded: state %d, output %q, perfdata %q", st.State, st.Output, st.PerfData)
}

func execOutput(name string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%v: %s", err, errb.String())
	}
	return out.String(), nil
}
