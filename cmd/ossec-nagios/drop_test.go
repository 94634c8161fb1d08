package main

// Drop detection, the heartbeat and the shared spool against the real
// peers: the nsca daemon (which closes the connection when it cannot
// decode a packet), nagios4's freshness check on the heartbeat service,
// and icinga2's 404 for an unknown host.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/health"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// dropINI is a minimal INI for the lab nsca daemon, without flood control
// (every result is sent) and without heartbeat unless hb sets one.
func dropINI(port int, password string, method int, hb string) string {
	return fmt.Sprintf(`[nsca]
server     = 127.0.0.1:%d
password   = %s
encryption = %d
timeout    = 3s
[hosts]
default  = {agent}
fallback = mail01
[service "OSSEC"]
[ar]
deadline   = 5s
check_keys = no
[flood]
window = 0
[heartbeat]
%s
`, port, password, method, hb)
}

// runStdout runs the installed binary with args and returns its exit code
// and stdout (check, flush -v print there).
func (r *ossecRoot) runStdout(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(r.ar, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("%v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String() + stderr.String()
}

func (r *ossecRoot) spoolDir() string { return filepath.Join(r.dir, "var", "ossec-nagios", "spool") }

// spooled counts the results waiting in the root's spool.
func (r *ossecRoot) spooled(t *testing.T) int {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(r.spoolDir(), "*.res"))
	return len(m)
}

const dropAlert = ` mail  - syslog,errors,
2026 Nov 18 10:29:00 (web01) 10.0.0.12->/var/log/messages
Rule: 1002 (level 12) -> 'Unknown problem somewhere in the system.'
Nov 18 10:28:59 web01 kernel: oops
`

// TestDropDetected: with the password or the encryption method wrong the
// nsca daemon drops the result; the active response sees the daemon
// close the connection, logs an error naming the cause, keeps the result
// spooled and exits 0 (the result is safe), `check` is CRITICAL; once the
// INI is fixed a flush delivers it and `check` is OK.
func TestDropDetected(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: "right-password", Method: 1})
	for _, tc := range []struct {
		name     string
		password string
		method   int
	}{
		{"wrong password", "wrong-password", 1},
		{"wrong encryption method", "right-password", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := newOSSECRoot(t, dropINI(srv.Port, tc.password, tc.method, "interval = 0"))
			ids := root.alertsLog(t, 1795000000, dropAlert)
			before := len(srv.Lines())
			start := time.Now()
			rc, stderr := root.run(t, root.ar, nil, "add", "-", "-", ids[0], "1002", "(web01)", "10.0.0.12->/var/log/messages")
			t.Logf("active response with a drop: %v", time.Since(start).Round(time.Millisecond))
			if rc != 0 {
				t.Fatalf("rc %d, want 0 (spooled): %s\n%s", rc, stderr, root.log(t))
			}
			log := root.log(t)
			if !strings.Contains(log, "ERROR: delivery failed") || !strings.Contains(log, "dropped by the NSCA daemon") || !strings.Contains(log, "password") {
				t.Errorf("no error naming the cause in the log:\n%s", log)
			}
			if strings.Contains(log, ": sent ") {
				t.Errorf("the log claims the result was sent:\n%s", log)
			}
			if n := root.spooled(t); n != 1 {
				t.Errorf("%d result(s) spooled, want 1", n)
			}
			if ts, _ := health.ReadStamp(health.StampPath(root.spoolDir())); !ts.IsZero() {
				t.Errorf("the delivery stamp moved to %v", ts)
			}
			rc, out := root.runStdout(t, "check")
			if rc != 2 || !strings.Contains(out, "DELIVERY FAILING") {
				t.Errorf("check: rc %d, want 2 CRITICAL:\n%s", rc, out)
			}
			if got := srv.Lines()[before:]; len(got) != 0 {
				t.Errorf("the daemon wrote %q with a wrong %s", got, tc.name)
			}

			// Fixed: flush delivers the spooled result, check is OK.
			if err := os.WriteFile(root.ini, []byte(dropINI(srv.Port, "right-password", 1, "interval = 0")), 0o600); err != nil {
				t.Fatal(err)
			}
			if rc, out := root.runStdout(t, "flush", "-v"); rc != 0 {
				t.Fatalf("flush: rc %d: %s\n%s", rc, out, root.log(t))
			}
			lines := srv.WaitLines(t, before+1, 10*time.Second)
			if got := lines[before]; !strings.Contains(got, ";web01;OSSEC;2;OSSEC rule 1002 (level 12)") {
				t.Errorf("delivered %q", got)
			}
			if n := root.spooled(t); n != 0 {
				t.Errorf("%d result(s) still spooled", n)
			}
			if rc, out := root.runStdout(t, "check"); rc != 0 {
				t.Errorf("check after the fix: rc %d, want 0:\n%s", rc, out)
			}
		})
	}
}

// TestHeartbeatStaleNotifies: flush sends the heartbeat through the same
// delivery as the results, so with the bridge's password wrong no
// heartbeat reaches Nagios, whose freshness check turns the heartbeat
// service CRITICAL and notifies within its threshold.
func TestHeartbeatStaleNotifies(t *testing.T) {
	lab.RequireBinary(t, lab.Nagios4Bin, "nagios4-core")
	const threshold = 4 // seconds: [heartbeat] stale_after
	hb := "interval = 1s\nhost = ossec-manager\nservice = OSSEC bridge\nstale_after = 4s\n[nagios]\ncontact_groups = security"
	// The heartbeat service as gen defines it from the INI.
	root := newOSSECRoot(t, dropINI(5667, lab.NSCAPassword, lab.NSCAMethod, hb))
	l := lab.NewNagiosLab(t, genObjects(t, root, "nagios", "web01"))
	l.Start(t)
	if err := os.WriteFile(root.ini, []byte(dropINI(l.NSCAPort, lab.NSCAPassword, lab.NSCAMethod, hb)), 0o600); err != nil {
		t.Fatal(err)
	}

	if rc, out := root.runStdout(t, "flush", "-v"); rc != 0 {
		t.Fatalf("flush: rc %d: %s\n%s", rc, out, root.log(t))
	}
	st := l.WaitService(t, "ossec-manager", "OSSEC bridge", 15*time.Second, func(s lab.ServiceStatus) bool {
		return s.LastCheck != 0 && s.State == 0
	})
	if !strings.HasPrefix(st.Output, "OSSEC-NAGIOS OK - bridge alive, spool 0") {
		t.Errorf("heartbeat output %q", st.Output)
	}

	// The bridge's password goes wrong; cron goes on running flush.
	if err := os.WriteFile(root.ini, []byte(dropINI(l.NSCAPort, "not-"+lab.NSCAPassword, lab.NSCAMethod, hb)), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := time.Now()
	deadline := broken.Add(time.Duration(threshold)*time.Second + 30*time.Second)
	var notified time.Time
	failed := 0
	for notified.IsZero() && time.Now().Before(deadline) {
		// 0 while no heartbeat is due, 1 when one was and was dropped.
		switch rc, out := root.runStdout(t, "flush"); rc {
		case 0:
		case 1:
			failed++
		default:
			t.Fatalf("flush with a wrong password: rc %d: %s", rc, out)
		}
		for i := 0; i < 10 && notified.IsZero(); i++ {
			for _, n := range l.Notifications() {
				if strings.HasPrefix(n, "CRITICAL\tossec-manager\tOSSEC bridge\t") {
					notified = time.Now()
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if notified.IsZero() {
		t.Fatalf("no CRITICAL notification of the heartbeat service; notifications %q\nnagios.log:\n%s", l.Notifications(), l.Log())
	}
	if failed == 0 {
		t.Error("no flush reported the heartbeat as not delivered (exit 1)")
	}
	t.Logf("wrong password to heartbeat CRITICAL notification: %v (freshness threshold %d s)", notified.Sub(broken).Round(100*time.Millisecond), threshold)
	if rc, out := root.runStdout(t, "check"); rc != 2 {
		t.Errorf("check: rc %d, want 2:\n%s", rc, out)
	}
	if !strings.Contains(root.log(t), "heartbeat not delivered") {
		t.Errorf("no error logged for the heartbeat:\n%s", root.log(t))
	}
}

// TestIcingaNotFoundQuarantined: of 100 spooled results one is for a host
// the real icinga2 does not know (404 "No objects found"): flush delivers
// the 99 others, in order around it, quarantines that one with the
// reason, exits 0, and check warns with the count.
func TestIcingaNotFoundQuarantined(t *testing.T) {
	var services []string
	for i := 1; i <= 99; i++ {
		services = append(services, fmt.Sprintf("OSSEC %02d", i))
	}
	ic := lab.StartIcinga(t, lab.IcingaOptions{Objects: []string{lab.IcingaPassiveObjects("web01", services...)}})
	root := newOSSECRoot(t, icingaTransport(ic.URL, ic.User, ic.Password, ic.CAFile)+`[hosts]
default = {agent}
[service "OSSEC"]
[heartbeat]
interval = 0
`)
	sp, err := spool.Open(root.spoolDir(), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, svc := range services {
		if i == 49 {
			if err := sp.Put(bridge.Result{Host: "ghost", Service: "OSSEC 50", State: bridge.Critical, Output: "for an unknown host"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sp.Put(bridge.Result{Host: "web01", Service: svc, State: bridge.Warning, Output: "result " + svc}); err != nil {
			t.Fatal(err)
		}
	}

	rc, out := root.runStdout(t, "flush", "-v")
	if rc != 0 {
		t.Fatalf("flush: rc %d, want 0: %s\n%s", rc, out, root.log(t))
	}
	if !strings.HasPrefix(out, "99 result(s) delivered, 1 quarantined") {
		t.Errorf("flush -v: %q", out)
	}
	got := ic.Services(t)
	delivered := 0
	for _, svc := range services {
		if c := got["web01!"+svc]; c.HasResult && c.Output == "result "+svc && c.State == 1 {
			delivered++
		}
	}
	if delivered != 99 {
		t.Errorf("%d results delivered, want 99", delivered)
	}
	if n := root.spooled(t); n != 0 {
		t.Errorf("%d result(s) still spooled", n)
	}
	q, _ := filepath.Glob(filepath.Join(root.spoolDir(), "quarantine", "*.res"))
	why, _ := filepath.Glob(filepath.Join(root.spoolDir(), "quarantine", "*.why"))
	if len(q) != 1 || len(why) != 1 {
		t.Fatalf("quarantine holds %d results and %d reasons, want 1 and 1", len(q), len(why))
	}
	if b, _ := os.ReadFile(why[0]); !strings.Contains(string(b), "No objects found") || !strings.Contains(string(b), "ghost") {
		t.Errorf("reason %q", b)
	}
	if !strings.Contains(root.log(t), "quarantined") {
		t.Errorf("the quarantine is not logged:\n%s", root.log(t))
	}
	rc, out = root.runStdout(t, "check")
	if rc != 1 || !strings.Contains(out, "1 quarantined") || !strings.Contains(out, "No objects found") {
		t.Errorf("check: rc %d, want 1 WARNING with the count and the reason:\n%s", rc, out)
	}
}

// The user and groups of TestSpoolSharedWithGroup: ids no account uses.
const (
	sharedGID  = 47731 // the group of the OSSEC tree ("ossec")
	sharedUID  = 47732 // "nagios", a member of it
	sharedPGID = 47733 // that user's own primary group
)

// runAs runs the installed binary as sharedUID, whose only way into the
// OSSEC tree is its membership of sharedGID.
func (r *ossecRoot) runAs(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(r.ar, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: sharedUID, Gid: sharedPGID, Groups: []uint32{sharedGID}}}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("%v as uid %d: %v", args, sharedUID, err)
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

// TestSpoolSharedWithGroup: after root's active responses and flushes
// made the spool, its lock, quarantine, stamp and failure record, `check`
// run as a non-root member of the tree's group gives a real verdict, and
// a flush run as that user delivers what root spooled.
func TestSpoolSharedWithGroup(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: runs the check as another user")
	}
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: "right-password", Method: 1})
	root := newOSSECRoot(t, dropINI(srv.Port, "wrong-password", 1, "interval = 0"))
	// The OSSEC tree: root:ossec 0750, the INI 0640, the state directory
	// and the spool 0770, as install.sh leaves it.
	if err := os.MkdirAll(root.spoolDir(), 0o770); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(root.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, 0, sharedGID); err != nil {
			return err
		}
		if d.Type()&os.ModeSymlink != 0 {
			return nil
		}
		mode := os.FileMode(0o640)
		switch {
		case p == root.spoolDir() || p == filepath.Dir(root.spoolDir()):
			mode = 0o770
		case d.IsDir() || p == root.ar:
			mode = 0o750
		}
		return os.Chmod(p, mode)
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := root.alertsLog(t, 1795000000, dropAlert, dropAlert)
	alertArgs := func(id string) []string {
		return []string{"add", "-", "-", id, "1002", "(web01)", "10.0.0.12->/var/log/messages"}
	}

	// Root's active response with a wrong password, then root's flush
	// (cron's; the active response itself only queues into the spool):
	// spool, lock, quarantine directory and failure record, all made by
	// root.
	if rc, stderr := root.run(t, root.ar, nil, alertArgs(ids[0])...); rc != 0 {
		t.Fatalf("AR: rc %d: %s\n%s", rc, stderr, root.log(t))
	}
	if rc, out := root.runStdout(t, "flush"); rc == 0 {
		t.Fatalf("root flush with the wrong password: rc 0, want a failure: %s", out)
	}
	for _, name := range []string{"lock", "quarantine", health.FailureName} {
		if _, err := os.Stat(filepath.Join(root.spoolDir(), name)); err != nil {
			t.Fatalf("root's run left no %s: %v", name, err)
		}
	}
	rc, out := root.runAs(t, "check")
	if rc != 2 || !strings.Contains(out, "DELIVERY FAILING") || !strings.Contains(out, "spool 1 result") {
		t.Errorf("check as a group member after root's drop: rc %d, want 2 CRITICAL with the spool read:\n%s", rc, out)
	}

	// Root flushes with the password fixed: the stamp is root's.
	if err := os.WriteFile(root.ini, []byte(dropINI(srv.Port, "right-password", 1, "interval = 0")), 0o640); err != nil {
		t.Fatal(err)
	}
	if rc, out := root.runStdout(t, "flush"); rc != 0 {
		t.Fatalf("root flush: rc %d: %s", rc, out)
	}
	srv.WaitLines(t, 1, 10*time.Second)
	rc, out = root.runAs(t, "check")
	if rc != 0 || !strings.Contains(out, "OSSEC-NAGIOS OK - spool empty") || !strings.Contains(out, "last delivery") {
		t.Errorf("check as a group member after root's flush: rc %d, want 0 OK:\n%s", rc, out)
	}

	// Root spools again (the password wrong once more); the group member's
	// flush, with it right, delivers root's file and moves root's stamp.
	if err := os.WriteFile(root.ini, []byte(dropINI(srv.Port, "wrong-password", 1, "interval = 0")), 0o640); err != nil {
		t.Fatal(err)
	}
	if rc, stderr := root.run(t, root.ar, nil, alertArgs(ids[1])...); rc != 0 || root.spooled(t) != 1 {
		t.Fatalf("AR: rc %d, %d spooled: %s", rc, root.spooled(t), stderr)
	}
	if err := os.WriteFile(root.ini, []byte(dropINI(srv.Port, "right-password", 1, "interval = 0")), 0o640); err != nil {
		t.Fatal(err)
	}
	if rc, out := root.runAs(t, "flush"); rc != 0 {
		t.Fatalf("flush as a group member: rc %d: %s", rc, out)
	}
	srv.WaitLines(t, 2, 10*time.Second)
	if n := root.spooled(t); n != 0 {
		t.Errorf("%d result(s) left after the group member's flush", n)
	}
	if rc, out := root.runAs(t, "check"); rc != 0 {
		t.Errorf("check as a group member at the end: rc %d:\n%s", rc, out)
	}
}

// TestARConfirmCost measures what the confirmation costs an active
// response with the daemon up: the wall time of 10 runs with [nsca]
// confirm at its default and at 1 ms (logged, not asserted: the machine's
// load decides). Every run must deliver its result.
func TestARConfirmCost(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: "right-password", Method: 1})
	root := newOSSECRoot(t, dropINI(srv.Port, "right-password", 1, "interval = 0"))
	ids := root.alertsLog(t, 1795000000, dropAlert)
	args := []string{"add", "-", "-", ids[0], "1002", "(web01)", "10.0.0.12->/var/log/messages"}
	const runs = 10
	sent := 0
	for _, confirm := range []string{"", "1ms"} {
		ini := dropINI(srv.Port, "right-password", 1, "interval = 0")
		if confirm != "" {
			ini = strings.Replace(ini, "timeout    = 3s\n", "timeout    = 3s\nconfirm    = "+confirm+"\n", 1)
		}
		if err := os.WriteFile(root.ini, []byte(ini), 0o600); err != nil {
			t.Fatal(err)
		}
		var times []time.Duration
		for range runs {
			start := time.Now()
			if rc, stderr := root.run(t, root.ar, nil, args...); rc != 0 {
				t.Fatalf("rc %d: %s", rc, stderr)
			}
			times = append(times, time.Since(start))
			sent++
		}
		slices.Sort(times)
		name := confirm
		if name == "" {
			name = "default (8 x handshake, 25ms to 150ms)"
		}
		t.Logf("confirm %s: active response wall time p50 %v, max %v over %d runs", name, times[runs/2].Round(time.Millisecond), times[runs-1].Round(time.Millisecond), runs)
	}
	srv.WaitLines(t, sent, 10*time.Second)
	if n := root.spooled(t); n != 0 {
		t.Errorf("%d result(s) spooled with the daemon up", n)
	}
	if c := strings.Count(root.log(t), ": sent "); c != sent {
		t.Errorf("%d \"sent\" lines, want %d", c, sent)
	}
}

// TestFollowDropSpooled: follow mode with a wrong password sees the drop
// of its batch: the results go to the spool in order, the error is logged,
// check is CRITICAL; once fixed, a flush delivers them all, in order.
func TestFollowDropSpooled(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: "right-password", Method: 1})
	ini := func(password string) string {
		// Every alert sent, OK ones included, so that each is in the order check.
		return dropINI(srv.Port, password, 1, "interval = 0") + "[states]\nsend_ok = yes\n[follow]\nformat = json\n"
	}
	root := newOSSECRoot(t, ini("wrong-password"))
	const n = 20
	var b []byte
	for i := range n {
		b = appendJSONAlert(b, i, 0)
	}
	if err := os.WriteFile(filepath.Join(root.dir, "logs", "alerts", "alerts.json"), b, 0o640); err != nil {
		t.Fatal(err)
	}
	if rc, out := root.runStdout(t, "follow", "-once", "-from-start"); rc != 0 {
		t.Fatalf("follow -once: rc %d: %s\n%s", rc, out, root.log(t))
	}
	if !strings.Contains(root.log(t), "ERROR: delivery failed") {
		t.Errorf("no error logged:\n%s", root.log(t))
	}
	if got := root.spooled(t); got != n {
		t.Fatalf("%d results spooled, want %d", got, n)
	}
	if len(srv.Lines()) != 0 {
		t.Fatalf("the daemon wrote %q", srv.Lines())
	}
	if rc, out := root.runStdout(t, "check"); rc != 2 {
		t.Errorf("check: rc %d, want 2:\n%s", rc, out)
	}
	if err := os.WriteFile(root.ini, []byte(ini("right-password")), 0o600); err != nil {
		t.Fatal(err)
	}
	if rc, out := root.runStdout(t, "flush"); rc != 0 {
		t.Fatalf("flush: rc %d: %s", rc, out)
	}
	lines := srv.WaitLines(t, n, 10*time.Second)
	for i, l := range lines {
		if got, ok := eventOf(l); !ok || got != i {
			t.Fatalf("line %d is alert %d (%v), want %d: %q", i, got, ok, i, l)
		}
	}
	if rc, out := root.runStdout(t, "check"); rc != 0 {
		t.Errorf("check after the flush: rc %d:\n%s", rc, out)
	}
}
