package main

// Follow mode end to end: the built binary in a throw-away OSSEC root,
// tailing alerts that a writer appends and rotates the way analysisd does,
// sending to the real nsca daemon, whose command file (a regular file,
// which cannot overflow) is the record of what arrived.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge/follow"
	"github.com/ossec-nagios/ossec-nagios/bridge/health"
	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

const followINI = `[nsca]
server     = %s
password   = %s
encryption = %d
timeout    = 5s
[states]
warning  = 7
critical = 12
; these tests count every alert delivered: no state decision, no flood
; control
send_ok  = yes
[flood]
window = 0
[hosts]
default = {agent}
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
[heartbeat]
interval   = 0
[follow]
format     = %s
batch_size = %d
`

// Alert n carries the marker "evt-NNNNNN" (six digits) in its log line,
// and so in the result's output. The alerts are built by appending, not
// fmt: the writer runs in the test process, under the race detector.
const followMarker = "evt-"

func appendEvent(b []byte, n int) []byte {
	b = append(b, followMarker...)
	for d := 100000; d > 0; d /= 10 {
		b = append(b, byte('0'+n/d%10))
	}
	return b
}

func appendLogAlert(b []byte, n int, off int64) []byte {
	b = append(b, "** Alert 1795100000."...)
	b = strconv.AppendInt(b, off, 10)
	b = append(b, ": - syslog,sshd,authentication_failed,\n2026 Nov 18 11:00:00 (web0"...)
	b = strconv.AppendInt(b, int64(n%5), 10)
	b = append(b, ") 10.0.0.1->/var/log/secure\nRule: 5716 (level "...)
	b = strconv.AppendInt(b, int64(3+n%10), 10)
	b = append(b, ") -> 'sshd: authentication failed.'\nSrc IP: 192.0.2.7\nUser: root\n"+
		"Nov 18 11:00:00 web sshd[1]: Failed password for root from 192.0.2.7 port 22 ssh2 "...)
	b = appendEvent(b, n)
	return append(b, "\n\n"...)
}

func appendJSONAlert(b []byte, n int, _ int64) []byte {
	b = append(b, `{"timestamp":"2026-11-18T11:00:00.000+0000","rule":{"level":`...)
	b = strconv.AppendInt(b, int64(3+n%10), 10)
	b = append(b, `,"description":"sshd: authentication failed.","id":"5716","groups":["syslog","sshd","authentication_failed"]},"agent":{"id":"001","name":"web0`...)
	b = strconv.AppendInt(b, int64(n%5), 10)
	b = append(b, `"},"manager":{"name":"m"},"id":"1795100000.`...)
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, `","full_log":"Failed password for root from 192.0.2.7 port 22 ssh2 `...)
	b = appendEvent(b, n)
	return append(b, "\",\"location\":\"/var/log/secure\"}\n"...)
}

// eventOf returns the alert number in a command-file line.
func eventOf(l string) (int, bool) {
	i := strings.LastIndex(l, followMarker)
	if i < 0 || len(l) < i+len(followMarker)+6 {
		return 0, false
	}
	n, err := strconv.Atoi(l[i+len(followMarker) : i+len(followMarker)+6])
	return n, err == nil
}

// alertWriter appends alerts as analysisd does: to the dated file it
// holds open, with logs/alerts/alerts.<ext> a hard link to it, re-linked
// to a new dated file at rotation.
type alertWriter struct {
	t      *testing.T
	dir    string // logs/alerts
	ext    string // ".log" or ".json"
	format func(b []byte, n int, off int64) []byte
	f      *os.File
	off    int64
	day    int
}

func (w *alertWriter) rotate() {
	w.t.Helper()
	if w.f != nil {
		w.f.Close()
	}
	w.day++
	now := time.Now()
	dated := filepath.Join(w.dir, now.Format("2006"), now.Format("Jan"), fmt.Sprintf("ossec-alerts-%02d%s", w.day, w.ext))
	if err := os.MkdirAll(filepath.Dir(dated), 0o750); err != nil {
		w.t.Error(err)
		return
	}
	f, err := os.OpenFile(dated, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		w.t.Error(err)
		return
	}
	link := filepath.Join(w.dir, "alerts"+w.ext)
	os.Remove(link)
	if err := os.Link(dated, link); err != nil {
		w.t.Error(err)
	}
	w.f, w.off = f, 0
}

func (w *alertWriter) write(from, to int) {
	var b []byte
	for i := from; i < to; i++ {
		b = w.format(b, i, w.off+int64(len(b)))
	}
	if _, err := w.f.Write(b); err != nil {
		w.t.Error(err)
	}
	w.off += int64(len(b))
}

// run writes alerts 0..total-1 in chunks, rotating once at rotateAt, and
// closes done when finished.
func (w *alertWriter) run(total, rotateAt, chunk int, pause time.Duration, done chan<- struct{}) {
	defer close(done)
	for i := 0; i < total; i += chunk {
		if i == rotateAt {
			w.rotate()
		}
		w.write(i, min(i+chunk, total))
		time.Sleep(pause)
	}
	w.f.Close()
}

// cmdCounter reads the nsca command file incrementally and counts each
// alert's results.
type cmdCounter struct {
	path  string
	off   int64
	seen  map[int]int
	other []string
}

func (c *cmdCounter) update(t *testing.T) {
	t.Helper()
	f, err := os.Open(c.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(c.off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			return // a partial last line is read again next time
		}
		c.off += int64(len(l))
		n, ok := eventOf(l)
		if !ok {
			c.other = append(c.other, l)
			continue
		}
		c.seen[n]++
	}
}

// followProc is one `ossec-nagios follow` process.
type followProc struct {
	cmd    *exec.Cmd
	stderr *lockedWriter
	done   chan struct{}
}

type lockedWriter struct {
	mu chan struct{}
	b  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu <- struct{}{}
	defer func() { <-l.mu }()
	return l.b.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu <- struct{}{}
	defer func() { <-l.mu }()
	return l.b.String()
}

// startFollow runs the binary's follow mode and waits until it is
// running: its status file names its pid (so it handles SIGTERM).
func startFollow(t *testing.T, root *ossecRoot, args ...string) *followProc {
	t.Helper()
	cmd := exec.Command(root.ar, append([]string{"follow"}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	p := &followProc{cmd: cmd, stderr: &lockedWriter{mu: make(chan struct{}, 1)}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-p.done })
	status := health.StatusPath(filepath.Join(root.dir, "var", "ossec-nagios", "follow.cursor"))
	deadline := time.Now().Add(30 * time.Second)
	for {
		if st, err := follow.ReadStatus(status); err == nil && st.PID == cmd.Process.Pid {
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("follow exited at start: %v\n%s\n%s", cmd.ProcessState, p.stderr, root.log(t))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("follow not running after 30 s\n%s\n%s", p.stderr, root.log(t))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop signals the process and returns its exit code.
func (p *followProc) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("follow ignored %v for 30 s", sig)
	}
	return p.cmd.ProcessState.ExitCode()
}

type followRun struct {
	format   string // "log" or "json"
	signal   syscall.Signal
	restarts int // processes stopped with signal and started again
	total    int
	batch    int
}

// runFollowScenario: follow runs while a writer appends total alerts with a
// rotation half way; it is stopped with r.signal r.restarts times at
// random moments and restarted each time; the last one is stopped with
// SIGTERM once every alert arrived. It returns how many times each alert
// reached the command file, and the repeats.
func runFollowScenario(t *testing.T, r followRun) (distinct, repeats int) {
	ns := lab.StartNSCA(t, lab.NSCAOptions{Password: lab.NSCAPassword, Method: lab.NSCAMethod})
	root := newOSSECRoot(t, fmt.Sprintf(followINI, ns.Addr, lab.NSCAPassword, lab.NSCAMethod, r.format, r.batch))
	w := &alertWriter{t: t, dir: filepath.Join(root.dir, "logs", "alerts"), ext: "." + r.format, format: appendLogAlert}
	if r.format == "json" {
		w.format = appendJSONAlert
	}
	w.rotate() // the first day's file exists (empty) before follow starts
	p := startFollow(t, root, "-from-start")

	start := time.Now()
	written := make(chan struct{})
	go w.run(r.total, r.total/2, 1000, 5*time.Millisecond, written)
	c := &cmdCounter{path: ns.CommandFile, seen: map[int]int{}}
	for k := 0; k < r.restarts; k++ {
		time.Sleep(time.Duration(200+rand.IntN(800)) * time.Millisecond)
		code := p.stop(t, r.signal)
		if r.signal == syscall.SIGTERM && code != 0 {
			t.Fatalf("exit %d after SIGTERM\n%s", code, p.stderr)
		}
		c.update(t)
		t.Logf("%v after %v: %d distinct alerts delivered", r.signal, time.Since(start).Round(time.Millisecond), len(c.seen))
		p = startFollow(t, root)
	}
	<-written
	t.Logf("%d alerts written in %v", r.total, time.Since(start).Round(time.Millisecond))
	deadline := time.Now().Add(60 * time.Second)
	for c.update(t); len(c.seen) < r.total; c.update(t) {
		if time.Now().After(deadline) {
			var missing []int
			for i := 0; i < r.total && len(missing) < 10; i++ {
				if c.seen[i] == 0 {
					missing = append(missing, i)
				}
			}
			t.Fatalf("%d of %d alerts delivered after 60 s, missing %v...\n%s\n%s", len(c.seen), r.total, missing, p.stderr, tail(root.log(t), 20))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("every alert delivered after %v", time.Since(start).Round(time.Millisecond))
	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, p.stderr)
	}
	// Anything sent late (a repeat) reaches the daemon within this.
	time.Sleep(300 * time.Millisecond)
	c.update(t)
	if len(c.other) > 0 {
		t.Errorf("%d command-file lines without an alert marker, e.g. %q", len(c.other), c.other[0])
	}
	for i := 0; i < r.total; i++ {
		if n := c.seen[i]; n > 1 {
			repeats += n - 1
		}
	}
	for n := range c.seen {
		if n < 0 || n >= r.total {
			t.Errorf("unknown alert %d in the command file", n)
		}
	}
	log := root.log(t)
	if got, want := strings.Count(log, "follow: started"), r.restarts+1; got != want {
		t.Errorf("%d start lines in the log, want %d", got, want)
	}
	if strings.Contains(log, "ERROR") {
		t.Errorf("errors in the log:\n%s", tail(log, 20))
	}
	st, err := follow.ReadStatus(health.StatusPath(filepath.Join(root.dir, "var", "ossec-nagios", "follow.cursor")))
	if err != nil {
		t.Fatal(err)
	}
	if st.Lag != 0 || st.Offset != w.off || st.Path != filepath.Join(w.dir, "alerts."+r.format) {
		t.Errorf("status after the end: %+v", st)
	}
	return len(c.seen), repeats
}

func tail(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

// TestFollowNSCACrash: 100,000 alerts appended to alerts.log while follow
// runs, a rotation half way, the process SIGKILLed twice and restarted:
// every alert reaches the real nsca daemon, and at most the batch in
// flight at each kill is sent again.
func TestFollowNSCACrash(t *testing.T) {
	r := followRun{format: "log", signal: syscall.SIGKILL, restarts: 2, total: 100000, batch: 100}
	distinct, repeats := runFollowScenario(t, r)
	if distinct != r.total {
		t.Errorf("%d distinct alerts delivered, want %d", distinct, r.total)
	}
	if bound := r.restarts * r.batch; repeats > bound {
		t.Errorf("%d repeats after %d SIGKILLs, more than %d (one batch of %d each)", repeats, r.restarts, bound, r.batch)
	}
	t.Logf("%d alerts, %d SIGKILLs, batch %d: %d repeats", r.total, r.restarts, r.batch, repeats)
}

// TestFollowNSCAStop: the same with alerts.json and SIGTERM instead:
// exactly once.
func TestFollowNSCAStop(t *testing.T) {
	r := followRun{format: "json", signal: syscall.SIGTERM, restarts: 2, total: 100000, batch: 100}
	distinct, repeats := runFollowScenario(t, r)
	if distinct != r.total || repeats != 0 {
		t.Errorf("%d distinct alerts, %d repeats; want %d, 0", distinct, repeats, r.total)
	}
}

// TestFollowUsage: -h, bad flags, bad configuration and a damaged cursor
// are one clear line and the documented exit code; -once on a file that
// does not exist yet is a clean exit. In process, every path in a temp dir.
func TestFollowUsage(t *testing.T) {
	dir := t.TempDir()
	cursor := filepath.Join(dir, "var", "follow.cursor")
	good := writeINI(t, dir, fmt.Sprintf(followINI, "127.0.0.1:5667", "pw", 1, "json", 10)+
		"state_file = "+cursor+"\n"+
		"[alerts]\njson = "+filepath.Join(dir, "alerts.json")+"\n"+
		"[spool]\ndir = "+filepath.Join(dir, "spool")+"\n"+
		"[log]\nfile = "+filepath.Join(dir, "follow.log")+"\n")
	bad := filepath.Join(dir, "bad.ini")
	if err := os.WriteFile(bad, []byte("[follow]\nbatch_size = 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		prep func(t *testing.T)
		code int
		want string
	}{
		{"help", []string{"-h"}, nil, 0, "examples:"},
		{"bad flag", []string{"-nope"}, nil, 2, "flag provided but not defined: -nope"},
		{"argument", []string{"-config", good, "extra"}, nil, 2, `ossec-nagios: error: follow: unexpected argument "extra"`},
		{"bad config", []string{"-config", bad}, nil, 2, "ossec-nagios: error: config: bad.ini: [follow] batch_size"},
		{"missing config", []string{"-config", filepath.Join(dir, "none.ini")}, nil, 2, "ossec-nagios: error: config:"},
		{"once, no alerts file", []string{"-config", good, "-once"}, nil, 0, ""},
		{"damaged cursor", []string{"-config", good, "-once"}, func(t *testing.T) {
			if err := os.WriteFile(cursor, []byte("garbage\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, 1, "ossec-nagios: error: " + cursor + ": follow: bad cursor file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prep != nil {
				tc.prep(t)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"ossec-nagios", "follow"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.want) || (tc.want == "" && stderr.Len() > 0) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr.String(), tc.code, tc.want)
			}
			if stdout.Len() > 0 && tc.name != "help" {
				t.Errorf("stdout: %q", stdout.String())
			}
		})
	}
	log, _ := os.ReadFile(filepath.Join(dir, "follow.log"))
	if !strings.Contains(string(log), "follow: started") || !strings.Contains(string(log), "ERROR: "+cursor) {
		t.Errorf("log:\n%s", log)
	}
}

// TestFollowIcinga2: follow -once with [delivery] transport = icinga2
// against the real icinga2: each host's service holds its last alert's
// result, and the heartbeat reached its service.
func TestFollowIcinga2(t *testing.T) {
	var objects []string
	for h := 0; h < 5; h++ {
		objects = append(objects, lab.IcingaPassiveObjects(fmt.Sprintf("web%02d", h), "OSSEC SSH", "OSSEC", "OSSEC bridge"))
	}
	ic := lab.StartIcinga(t, lab.IcingaOptions{Objects: objects})
	root := newOSSECRoot(t, icingaTransport(ic.URL, ic.User, ic.Password, ic.CAFile)+`[states]
warning  = 7
critical = 12
[hosts]
default = {agent}
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
[follow]
format            = json
heartbeat         = 1h
heartbeat_host    = web00
heartbeat_service = OSSEC bridge
`)
	var b []byte
	for n := 0; n < 10; n++ { // web00..web04, twice each; levels 3..12
		b = appendJSONAlert(b, n, 0)
	}
	if err := os.WriteFile(filepath.Join(root.dir, "logs", "alerts", "alerts.json"), b, 0o640); err != nil {
		t.Fatal(err)
	}
	if rc, stderr := root.run(t, root.ar, nil, "follow", "-once", "-from-start"); rc != 0 {
		t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
	}
	for h := 0; h < 5; h++ {
		host, last := fmt.Sprintf("web%02d", h), h+5 // level 8 + h: WARNING, CRITICAL from level 12
		want := 1
		if 3+last%10 >= 12 {
			want = 2
		}
		got := ic.Service(t, host, "OSSEC SSH")
		if n, ok := eventOf(got.Output); !got.HasResult || !ok || n != last || got.State != want {
			t.Errorf("%s!OSSEC SSH: state %d, output %q; want state %d and alert %d", host, got.State, got.Output, want, last)
		}
		if other := ic.Service(t, host, "OSSEC"); other.HasResult {
			t.Errorf("%s!OSSEC got a result: %+v", host, other)
		}
	}
	hb := ic.Service(t, "web00", "OSSEC bridge")
	if !hb.HasResult || hb.State != 0 || !strings.HasPrefix(hb.Output, "ossec-nagios follow alive") {
		t.Errorf("heartbeat: %+v", hb)
	}
	if strings.Contains(root.log(t), ic.Password) {
		t.Error("the API password reached the log")
	}
}

// TestFollowNSCATwoQuickRotations: the hardening report's reproduction
// against the real nsca daemon: 20 alerts sent, then `mv alerts.json
// alerts.json.1`, 20 more, `mv .1 .2; mv alerts.json .1`, 20 more: the
// next run sends alerts 20-59 (the middle file used to be lost), each
// once.
func TestFollowNSCATwoQuickRotations(t *testing.T) {
	ns := lab.StartNSCA(t, lab.NSCAOptions{Password: lab.NSCAPassword, Method: lab.NSCAMethod})
	root := newOSSECRoot(t, fmt.Sprintf(followINI, ns.Addr, lab.NSCAPassword, lab.NSCAMethod, "json", 7))
	path := filepath.Join(root.dir, "logs", "alerts", "alerts.json")
	write := func(from, to int) {
		var b []byte
		for i := from; i < to; i++ {
			b = appendJSONAlert(b, i, 0)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	mv := func(from, to string) {
		if err := os.Rename(path+from, path+to); err != nil {
			t.Fatal(err)
		}
	}
	c := &cmdCounter{path: ns.CommandFile, seen: map[int]int{}}
	once := func(want int, args ...string) {
		t.Helper()
		if code, stderr := root.run(t, root.ar, nil, append([]string{"follow", "-once"}, args...)...); code != 0 {
			t.Fatalf("follow -once: exit %d: %s\n%s", code, stderr, tail(root.log(t), 20))
		}
		deadline := time.Now().Add(30 * time.Second)
		for c.update(t); len(c.seen) < want; c.update(t) {
			if time.Now().After(deadline) {
				t.Fatalf("%d alerts in the command file after 30 s, want %d\n%s", len(c.seen), want, tail(root.log(t), 20))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	write(0, 20)
	once(20, "-from-start")
	mv("", ".1")
	write(20, 40)
	mv(".1", ".2")
	mv("", ".1")
	write(40, 60)
	once(60)
	// A repeat would reach the command file within this.
	time.Sleep(300 * time.Millisecond)
	c.update(t)
	for i := 0; i < 60; i++ {
		if c.seen[i] != 1 {
			t.Errorf("alert %d reached nsca %d times, want once", i, c.seen[i])
		}
	}
	if len(c.seen) != 60 || len(c.other) > 0 {
		t.Errorf("%d distinct alerts, %d other lines; want 60, 0", len(c.seen), len(c.other))
	}
}
