package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// flusherSetup is an INI whose spool and log live in a temporary
// directory, sending to port, and an in-process env reading it.
func flusherSetup(t *testing.T, port int) (e *env, ini, spoolDir string, sp *spool.Spool) {
	t.Helper()
	dir := t.TempDir()
	spoolDir = filepath.Join(dir, "spool")
	ini = filepath.Join(dir, "ossec-nagios.ini")
	body := fmt.Sprintf(budgetINI, port, lab.NSCAPassword, lab.NSCAMethod, "") +
		fmt.Sprintf("[spool]\ndir = %s\n[log]\nfile = %s\n", spoolDir, filepath.Join(dir, "bridge.log"))
	if err := os.WriteFile(ini, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	e = &env{
		stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv:     func(k string) string { return map[string]string{"OSSEC_NAGIOS_ROOT": dir}[k] },
		executable: func() (string, error) { return "", errors.New("no executable in this test") },
	}
	sp, err := spool.Open(spoolDir, spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e, ini, spoolDir, sp
}

func flusherResult(s string) bridge.Result {
	return bridge.Result{Host: "web01", Service: "OSSEC SSH", State: bridge.Warning, Output: "flusher " + s}
}

// flusherLines returns the outputs of the test's results nsca received.
func flusherLines(srv *lab.NSCAServer) []string {
	var out []string
	for _, l := range srv.Lines() {
		if i := strings.Index(l, ";flusher "); i >= 0 {
			out = append(out, l[i+1:])
		}
	}
	return out
}

// TestBackgroundFlushNotStranded: a result spooled just as the flusher,
// its spool empty, lets go of its lock is still delivered by it (the
// active response that spooled it saw the lock held and started none).
func TestBackgroundFlushNotStranded(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: lab.NSCAPassword, Method: lab.NSCAMethod})
	e, ini, spoolDir, sp := flusherSetup(t, srv.Port)
	if err := sp.Put(flusherResult("first")); err != nil {
		t.Fatal(err)
	}
	releases := 0
	flusherReleased = func() {
		if releases++; releases == 1 {
			if err := sp.Put(flusherResult("second")); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { flusherReleased = nil }()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if rc := runBackgroundFlush(ctx, e, ini); rc != exitOK {
		t.Fatalf("rc %d", rc)
	}
	if got, want := strings.Join(flusherLines(srv), ","), "flusher first,flusher second"; got != want {
		t.Errorf("nsca got %q, want %q", got, want)
	}
	if releases != 2 {
		t.Errorf("the flusher let go of its lock %d times, want 2 (once per empty spool)", releases)
	}
	if n := spooled(t, spoolDir); n != 0 {
		t.Errorf("%d result(s) left", n)
	}
	if flusherRunning(t, spoolDir) {
		t.Errorf("the flusher lock is still held")
	}
}

// TestBackgroundFlushSingle: while a flusher holds the lock, a second one
// exits at once and leaves the spool alone, and kickFlusher starts none
// and names the running one.
func TestBackgroundFlushSingle(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: lab.NSCAPassword, Method: lab.NSCAMethod})
	e, ini, spoolDir, sp := flusherSetup(t, srv.Port)
	if err := sp.Put(flusherResult("waiting")); err != nil {
		t.Fatal(err)
	}
	lock, ok, err := tryFlusherLock(filepath.Join(spoolDir, flusherLockName))
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	lock.WriteString("4242\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	if rc := runBackgroundFlush(ctx, e, ini); rc != exitOK {
		t.Errorf("rc %d", rc)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the second flusher took %v to give way", took)
	}
	if n := spooled(t, spoolDir); n != 1 {
		t.Errorf("%d result(s) spooled, want the 1 left to the running flusher", n)
	}
	a, _, err := e.loadApp(ini)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.kickFlusher(e); got != "already running (pid 4242)" {
		t.Errorf("kickFlusher with the lock held: %q", got)
	}
	lock.Close()
	// Free, it tries to start one: this env has no executable to start.
	if got := a.kickFlusher(e); !strings.HasPrefix(got, "not started: start flusher: own executable:") || !strings.Contains(got, "cron") {
		t.Errorf("kickFlusher without an executable: %q", got)
	}
	srv.Quiet(t, 0, 100*time.Millisecond)
}

// TestBackgroundFlushWaitsForFloodWindow: with nothing spooled but a burst
// held by flood control, the background flusher stays until the window
// closes and delivers the summary, so an AR-only setup without cron still
// tells the on-call person how the burst went on.
func TestBackgroundFlushWaitsForFloodWindow(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: lab.NSCAPassword, Method: lab.NSCAMethod})
	dir := t.TempDir()
	ini := filepath.Join(dir, "ossec-nagios.ini")
	body := strings.Replace(fmt.Sprintf(budgetINI, srv.Port, lab.NSCAPassword, lab.NSCAMethod, ""), "window = 0", "window = 1s", 1) +
		fmt.Sprintf("[spool]\ndir = %s\n[log]\nfile = %s\n", filepath.Join(dir, "spool"), filepath.Join(dir, "bridge.log"))
	if err := os.WriteFile(ini, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	e := &env{
		stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
		getenv:     func(k string) string { return map[string]string{"OSSEC_NAGIOS_ROOT": dir}[k] },
		executable: func() (string, error) { return "", errors.New("no executable in this test") },
	}
	a, _, err := e.loadApp(ini)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	log := logrus.New()
	log.SetOutput(io.Discard)
	al := alert.Alert{Rule: alert.Rule{Level: 10}}
	var now []bridge.Result
	for i := 0; i < 4; i++ {
		r := flusherResult(fmt.Sprintf("burst %d", i))
		now = append(now, a.throttle(ctx, log, r, al)...)
	}
	if len(now) != 1 {
		t.Fatalf("flood control let %d of the burst through at once, want the first only: %+v", len(now), now)
	}
	if flusherNextDue(a).IsZero() {
		t.Fatal("flusherNextDue is zero with a burst held")
	}
	start := time.Now()
	if rc := runBackgroundFlush(ctx, e, ini); rc != exitOK {
		t.Fatalf("rc %d", rc)
	}
	var summary string
	for _, l := range srv.Lines() {
		if strings.Contains(l, "flood: 3 more alerts") {
			summary = l
		}
	}
	if summary == "" {
		t.Fatalf("no summary of the 3 held alerts reached nsca after %v: %q", time.Since(start), srv.Lines())
	}
	if !flusherNextDue(a).IsZero() {
		t.Errorf("a window is still open after the flusher exited")
	}
}
