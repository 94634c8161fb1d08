package main

// The active response's budget, against the real process: an emulator of
// Wazuh's execd (write the message, read one line of stdout, answer with
// the message whose command is "continue", close stdin, read stdout to EOF,
// wait), NSCA servers that accept and never answer or never accept, then
// the real nsca daemon on the same port.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
	"github.com/ossec-nagios/ossec-nagios/internal/lab"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// budgetSlack is the generous margin over [ar] deadline allowed to a
// process on a loaded machine: the assertion is that it ends, not how fast.
const budgetSlack = time.Second

// execdOpts say how the emulator plays execd.
type execdOpts struct {
	args []string
	msg  []byte // written on stdin as one line; nil: nothing is written
	// answer: "continue" or "abort" answers a check_keys line (then stdin
	// is closed, as execd does); "close" closes stdin after reading the
	// line without answering; "" never answers and keeps stdin open.
	answer  string
	sigterm time.Duration // > 0: SIGTERM this long after the start
	// sigOn, if set, sends SIGTERM when it yields instead; sigAfterLine
	// right after the line on stdout was read.
	sigOn        <-chan struct{}
	sigAfterLine bool
	signal       syscall.Signal // instead of SIGTERM
}

// execdRun is what the emulator saw.
type execdRun struct {
	rc        int
	wall      time.Duration // start to exit
	signalled time.Duration // start to the signal (0: none sent)
	stdoutEOF time.Duration // exit to EOF on stdout (-1: none within 5 s)
	extraEOF  time.Duration // exit to EOF on the inherited descriptor 3
	ctl       []byte        // the line read from stdout
	stderr    string
}

// execd runs path as Wazuh's execd does, with one more pipe on fd 3 (a
// descriptor execd might leave open) to see that no descriptor outlives
// the process.
func execd(t *testing.T, path string, o execdOpts) execdRun {
	t.Helper()
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	xR, xW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	errF, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer errF.Close()
	defer inW.Close()
	defer outR.Close()
	defer xR.Close()
	cmd := exec.Command(path, o.args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errF
	cmd.ExtraFiles = []*os.File{xW}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	xW.Close()
	done := make(chan struct{})
	var exitAt time.Time
	go func() {
		cmd.Wait()
		exitAt = time.Now()
		close(done)
	}()
	lineC := make(chan []byte, 1)
	stdoutEOF := make(chan time.Time, 1)
	go func() {
		br := bufio.NewReader(outR)
		line, _ := br.ReadBytes('\n')
		lineC <- line
		io.Copy(io.Discard, br)
		stdoutEOF <- time.Now()
	}()
	extraEOF := make(chan time.Time, 1)
	go func() {
		io.Copy(io.Discard, xR)
		extraEOF <- time.Now()
	}()
	var run execdRun
	sig := syscall.SIGTERM
	if o.signal != 0 {
		sig = o.signal
	}
	signalled := make(chan time.Duration, 1)
	kill := func() {
		signalled <- time.Since(start)
		cmd.Process.Signal(sig)
	}
	switch {
	case o.sigOn != nil:
		go func() {
			select {
			case <-o.sigOn:
				kill()
			case <-done:
			}
		}()
	case o.sigterm > 0:
		tm := time.AfterFunc(o.sigterm, kill)
		defer tm.Stop()
	}
	if o.msg != nil {
		inW.Write(append(bytes.TrimSpace(o.msg), '\n'))
	}
	select {
	case run.ctl = <-lineC:
	case <-done:
		run.ctl = <-lineC // stdout ends with the process
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s %v: no line and no exit after 30 s", path, o.args)
	}
	if o.sigAfterLine && len(run.ctl) > 0 {
		kill()
	}
	if len(run.ctl) > 0 && o.answer != "" {
		if o.answer != "close" {
			var m map[string]any
			if err := json.Unmarshal(o.msg, &m); err != nil {
				t.Fatal(err)
			}
			m["command"] = o.answer
			b, _ := json.Marshal(m)
			inW.Write(append(b, '\n'))
		}
		inW.Close()
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s %v did not exit within 30 s", path, o.args)
	}
	run.wall = exitAt.Sub(start)
	run.rc = cmd.ProcessState.ExitCode()
	select {
	case run.signalled = <-signalled:
	default:
	}
	wait := func(c chan time.Time) time.Duration {
		select {
		case at := <-c:
			return max(0, at.Sub(exitAt))
		case <-time.After(5 * time.Second):
			return -1
		}
	}
	run.stdoutEOF, run.extraEOF = wait(stdoutEOF), wait(extraEOF)
	b, _ := os.ReadFile(errF.Name())
	run.stderr = string(b)
	return run
}

// checkPipesFree fails when a descriptor of the process was still open
// (in the flusher) after it exited.
func checkPipesFree(t *testing.T, r execdRun) {
	t.Helper()
	if r.stdoutEOF < 0 || r.stdoutEOF > budgetSlack {
		t.Errorf("stdout reached EOF %v after the exit (-1: not within 5 s): another process holds it", r.stdoutEOF)
	}
	if r.extraEOF < 0 || r.extraEOF > budgetSlack {
		t.Errorf("inherited descriptor 3 reached EOF %v after the exit: another process holds it", r.extraEOF)
	}
}

// stopFlusherAtEnd kills the background flusher of root's spool, if one
// still runs when the test ends.
func stopFlusherAtEnd(t *testing.T, spoolDir string) {
	t.Cleanup(func() {
		path := filepath.Join(spoolDir, flusherLockName)
		f, free, err := tryFlusherLock(path)
		if err != nil {
			return
		}
		if free {
			f.Close()
			return
		}
		if pid := flusherPid(path); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// flusherRunning reports whether a flusher holds spoolDir's lock.
func flusherRunning(t *testing.T, spoolDir string) bool {
	f, free, err := tryFlusherLock(filepath.Join(spoolDir, flusherLockName))
	if err != nil {
		t.Fatal(err)
	}
	if free {
		f.Close()
	}
	return !free
}

func spooled(t *testing.T, spoolDir string) int {
	t.Helper()
	entries, _ := os.ReadDir(spoolDir)
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".res") {
			n++
		}
	}
	return n
}

// silentServer accepts connections on 127.0.0.1:port and never sends the
// NSCA init packet.
func silentServer(t *testing.T, port int) (stop func()) {
	stop, _ = silentServerAccepts(t, port)
	return stop
}

// silentServerAccepts is silentServer, also telling each connection it
// accepted (without waiting for a reader).
func silentServerAccepts(t *testing.T, port int) (stop func(), accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 1024)
	acc := make(chan struct{}, 1024)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case acc <- struct{}{}:
			default:
			}
			select {
			case conns <- c:
			default:
				c.Close()
			}
		}
	}()
	return func() {
		ln.Close()
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	}, acc
}

// fullBacklog listens on 127.0.0.1:port with a backlog of 0, never
// accepts, and fills the accept queue: later connects get no answer to
// their SYN until they give up.
func fullBacklog(t *testing.T, port int) (stop func()) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		t.Fatalf("bind %d: %v", port, err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	var fill []net.Conn
	full := false
	for i := 0; i < 16 && !full; i++ {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 300*time.Millisecond)
		if err != nil {
			full = true
			break
		}
		fill = append(fill, c)
	}
	stop = func() {
		for _, c := range fill {
			c.Close()
		}
		syscall.Close(fd)
	}
	if !full {
		stop()
		t.Fatalf("the accept queue of port %d never filled", port)
	}
	return stop
}

const budgetINI = `[nsca]
server     = 127.0.0.1:%d
password   = %s
encryption = %d
timeout    = 5s
[states]
warning  = 7
critical = 12
[hosts]
default  = {agent}
fallback = mail01
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
[flood]
window = 0
[ar]
%s
`

// budgetAlert is alert seq for host, as each contract carries it.
type budgetAlert struct {
	seq  int
	host string
}

func (b budgetAlert) json() map[string]any {
	return map[string]any{"id": fmt.Sprintf("1796000%03d.%d", b.seq, b.seq), "timestamp": "2026-11-18T10:40:00.000+0000",
		"rule":  map[string]any{"id": "5712", "level": 10, "description": fmt.Sprintf("budget %03d", b.seq), "groups": []string{"syslog", "sshd"}},
		"agent": map[string]any{"id": "00" + strconv.Itoa(1+b.seq%2), "name": b.host}, "location": "/var/log/secure",
		"full_log": "sshd: Failed password"}
}

func (b budgetAlert) message() []byte {
	m, _ := json.Marshal(map[string]any{"version": 1, "command": "add",
		"origin":     map[string]any{"name": "", "module": "wazuh-execd"},
		"parameters": map[string]any{"extra_args": []string{}, "alert": b.json(), "program": "active-response/bin/ossec-nagios"}})
	return m
}

func (b budgetAlert) logBlock() string {
	return fmt.Sprintf(` mail  - syslog,sshd,
2026 Nov 18 10:40:00 (%s) 10.0.0.11->/var/log/secure
Rule: 5712 (level 10) -> 'budget %03d'
sshd: Failed password
`, b.host, b.seq)
}

var budgetLine = regexp.MustCompile(`^PROCESS_SERVICE_CHECK_RESULT;(\w+);OSSEC SSH;1;OSSEC rule 5712 \(level 10\): budget (\d{3})`)

// TestARBudgetWithNSCABlackholed: 100 active responses through the three
// contracts against a server that accepts and never answers, 100 against
// one that never accepts: each process exits within [ar] deadline (default)
// plus slack and holds none of execd's descriptors after it; then the real
// nsca comes up on that port and the background flusher delivers all 200
// results, none twice, in order per host/service.
func TestARBudgetWithNSCABlackholed(t *testing.T) {
	lab.RequireBinary(t, lab.NSCABin, "nsca")
	const perPhase = 100
	port := lab.FreePort(t)
	root := newOSSECRoot(t, fmt.Sprintf(budgetINI, port, lab.NSCAPassword, lab.NSCAMethod, ""))
	spoolDir := filepath.Join(root.dir, "var", "ossec-nagios", "spool")
	stopFlusherAtEnd(t, spoolDir)
	budget := 300 * time.Millisecond // the default [ar] deadline

	alerts := make([]budgetAlert, 2*perPhase)
	blocks := make([]string, len(alerts))
	for i := range alerts {
		alerts[i] = budgetAlert{seq: i, host: []string{"web01", "db01"}[i%2]}
		blocks[i] = alerts[i].logBlock()
	}
	ids := root.alertsLog(t, 1796000000, blocks...)

	runOne := func(t *testing.T, b budgetAlert) execdRun {
		switch b.seq % 3 {
		case 0: // Wazuh >= 4.2: JSON on stdin, check_keys answered
			return execd(t, root.ar, execdOpts{msg: b.message(), answer: "continue"})
		case 1: // legacy argv, resolved in alerts.log
			return execd(t, root.ar, execdOpts{args: []string{"add", "-", "-", ids[b.seq], "5712", "(" + b.host + ")", "10.0.0.11->/var/log/secure"}})
		default: // integratord
			f := filepath.Join(root.dir, fmt.Sprintf("alert-%03d.json", b.seq))
			j, _ := json.Marshal(b.json())
			if err := os.WriteFile(f, j, 0o600); err != nil {
				t.Fatal(err)
			}
			return execd(t, root.integration, execdOpts{args: []string{f, "", "", "> /dev/null 2>&1"}})
		}
	}
	phases := []struct {
		name  string
		start func(*testing.T, int) func()
	}{
		{"accepts and never sends the init packet", silentServer},
		{"never accepts (accept queue full)", fullBacklog},
	}
	for p, ph := range phases {
		t.Run(ph.name, func(t *testing.T) {
			stop := ph.start(t, port)
			defer stop()
			var walls []time.Duration
			for _, b := range alerts[p*perPhase : (p+1)*perPhase] {
				r := runOne(t, b)
				walls = append(walls, r.wall)
				if r.rc != 0 {
					t.Fatalf("alert %d: rc %d: %s\n%s", b.seq, r.rc, r.stderr, root.log(t))
				}
				if r.wall > budget+budgetSlack {
					t.Errorf("alert %d: the process took %v, budget %v", b.seq, r.wall, budget)
				}
				checkPipesFree(t, r)
			}
			slices.Sort(walls)
			t.Logf("%d active responses, NSCA server %s: wall time p50 %v, p99 %v, max %v (budget %v)",
				len(walls), ph.name, walls[len(walls)/2], walls[len(walls)*99/100-1], walls[len(walls)-1], budget)
		})
	}
	if t.Failed() {
		return
	}
	log := root.log(t)
	if !strings.Contains(log, "background flusher started") {
		t.Errorf("no active response started the flusher:\n%s", log)
	}
	if strings.Contains(log, "lost") {
		t.Errorf("a result was lost:\n%s", log)
	}
	// Only the first active response tried the server; every later one
	// queued its result behind the spooled ones without a send attempt.
	tried, behind := strings.Count(log, "spooled 1 result(s): "), strings.Count(log, "spooled 1 result(s) behind ")
	if tried != 1 || behind != len(alerts)-1 {
		t.Errorf("%d active responses tried the dead server and %d queued behind, want 1 and %d", tried, behind, len(alerts)-1)
	}

	// The real nsca on the same port: the flusher delivers everything.
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: lab.NSCAPassword, Method: lab.NSCAMethod, Port: port})
	deadline := time.Now().Add(3 * time.Minute)
	var got map[string][]int
	for {
		got = map[string][]int{}
		n := 0
		for _, line := range srv.Lines() {
			if m := budgetLine.FindStringSubmatch(lab.Check(line)); m != nil {
				seq, _ := strconv.Atoi(m[2])
				got[m[1]] = append(got[m[1]], seq)
				n++
			}
		}
		if n >= len(alerts) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	seen := map[int]int{}
	for host, seqs := range got {
		for i, s := range seqs {
			seen[s]++
			if i > 0 && s < seqs[i-1] {
				t.Errorf("%s/OSSEC SSH: result %d after %d: order not kept", host, s, seqs[i-1])
			}
			if want := alerts[s].host; want != host {
				t.Errorf("result %d reached %s, want %s", s, host, want)
			}
		}
	}
	for _, b := range alerts {
		if seen[b.seq] != 1 {
			t.Errorf("result %d reached nsca %d times", b.seq, seen[b.seq])
		}
	}
	if t.Failed() {
		t.Logf("spool: %d left; log:\n%s", spooled(t, spoolDir), root.log(t))
		return
	}
	// Then the flusher, its spool empty, exits.
	for end := time.Now().Add(10 * time.Second); flusherRunning(t, spoolDir); {
		if time.Now().After(end) {
			t.Fatalf("the flusher still runs 10 s after the spool emptied (%d left)", spooled(t, spoolDir))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := spooled(t, spoolDir); n != 0 {
		t.Errorf("%d result(s) left in the spool", n)
	}
}

// TestARSilentStdinEndsAtDeadline: "ossec-nagios < <(sleep 60)": stdin
// open and silent ends at the deadline with one error line and a non-zero
// exit, nothing spooled (there is nothing to spool).
func TestARSilentStdinEndsAtDeadline(t *testing.T) {
	root := newOSSECRoot(t, fmt.Sprintf(budgetINI, lab.FreePort(t), "x", 1, ""))
	r := execd(t, root.ar, execdOpts{})
	if r.rc == 0 {
		t.Errorf("rc 0 without a message")
	}
	if r.wall > 300*time.Millisecond+budgetSlack {
		t.Errorf("took %v, deadline 300ms", r.wall)
	}
	if strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.HasPrefix(r.stderr, "ossec-nagios: error: no active-response message on stdin") {
		t.Errorf("stderr %q, want one error line", r.stderr)
	}
	if !strings.Contains(root.log(t), "no active-response message on stdin: budget of 300ms") {
		t.Errorf("log:\n%s", root.log(t))
	}
	checkPipesFree(t, r)
	if n := spooled(t, filepath.Join(root.dir, "var", "ossec-nagios", "spool")); n != 0 {
		t.Errorf("%d result(s) spooled", n)
	}
}

// TestARUnansweredCheckKeysDelivered: execd never answers check_keys
// (stdin open): the process ends within the deadline, the result spooled
// and delivered by the flusher; stdin closed without an answer: delivered
// at once. Both with a warning in the log.
func TestARUnansweredCheckKeysDelivered(t *testing.T) {
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: lab.NSCAPassword, Method: lab.NSCAMethod})
	root := newOSSECRoot(t, fmt.Sprintf(budgetINI, srv.Port, lab.NSCAPassword, lab.NSCAMethod, ""))
	spoolDir := filepath.Join(root.dir, "var", "ossec-nagios", "spool")
	stopFlusherAtEnd(t, spoolDir)
	for i, tc := range []struct{ name, answer, logs string }{
		{"stdin stays open", "", "spooled 1 result(s): budget of 300ms ([ar] deadline) spent"},
		{"stdin closed", "close", "delivering anyway"}, // sent, or spooled on a slow machine
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.Lines())
			b := budgetAlert{seq: 900 + i, host: "web01"}
			r := execd(t, root.ar, execdOpts{msg: b.message(), answer: tc.answer})
			if r.rc != 0 {
				t.Fatalf("rc %d: %s\n%s", r.rc, r.stderr, root.log(t))
			}
			if !bytes.Contains(r.ctl, []byte(`"command":"check_keys"`)) {
				t.Errorf("first line %q is not check_keys", r.ctl)
			}
			if r.wall > 300*time.Millisecond+budgetSlack {
				t.Errorf("took %v, deadline 300ms", r.wall)
			}
			checkPipesFree(t, r)
			lines := srv.WaitLines(t, before+1, 30*time.Second)
			if !strings.Contains(lines[before], fmt.Sprintf("budget %03d", b.seq)) {
				t.Errorf("nsca got %q", lines[before])
			}
			log := root.log(t)
			if !strings.Contains(log, "check_keys handshake") || !strings.Contains(log, "delivering anyway") || !strings.Contains(log, tc.logs) {
				t.Errorf("log lacks the warning or %q:\n%s", tc.logs, log)
			}
			t.Logf("exit %d after %v; log:\n%s", r.rc, r.wall, log)
			os.Truncate(filepath.Join(root.dir, "logs", "active-responses.log"), 0)
		})
	}
}

// TestARSIGTERMSpools: SIGTERM (or SIGINT) ends the process at once, well before the
// deadline: with the result spooled once the message was read (waiting for
// the check_keys answer, or sending to a server that never answers), with
// an error and nothing spooled before.
func TestARSIGTERMSpools(t *testing.T) {
	port := lab.FreePort(t)
	stop, accepted := silentServerAccepts(t, port)
	defer stop()
	root := newOSSECRoot(t, fmt.Sprintf(budgetINI, port, lab.NSCAPassword, lab.NSCAMethod, "deadline = 20s"))
	spoolDir := filepath.Join(root.dir, "var", "ossec-nagios", "spool")
	stopFlusherAtEnd(t, spoolDir)
	msg := budgetAlert{seq: 950, host: "web01"}.message()
	tests := []struct {
		name    string
		o       execdOpts
		ini     string
		rc      int
		spooled int
	}{
		// Signalled once the server accepted a connection: the first one
		// is the active response's (it starts the flusher after it).
		{"sending to a silent server", execdOpts{msg: msg, sigOn: accepted}, "check_keys = no", 0, 1},
		{"waiting for the check_keys answer", execdOpts{msg: msg, sigAfterLine: true}, "", 0, 1},
		{"SIGINT waiting for the check_keys answer", execdOpts{msg: msg, sigAfterLine: true, signal: syscall.SIGINT}, "", 0, 1},
		// Nothing to wait on here: the process gets half a second to
		// start, which it needs to handle the signal at all.
		{"waiting for the message", execdOpts{sigterm: 500 * time.Millisecond}, "", 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ini := fmt.Sprintf(budgetINI, port, lab.NSCAPassword, lab.NSCAMethod, "deadline = 20s\n"+tc.ini)
			if err := os.WriteFile(root.ini, []byte(ini), 0o600); err != nil {
				t.Fatal(err)
			}
			before := spooled(t, spoolDir)
			r := execd(t, root.ar, tc.o)
			if r.rc != tc.rc {
				t.Errorf("rc %d, want %d: %s\n%s", r.rc, tc.rc, r.stderr, root.log(t))
			}
			if r.signalled == 0 {
				t.Fatalf("no signal was sent (exit after %v)", r.wall)
			}
			if r.wall-r.signalled > budgetSlack {
				t.Errorf("exited %v after the signal (deadline 20s)", r.wall-r.signalled)
			}
			checkPipesFree(t, r)
			if got := spooled(t, spoolDir) - before; got != tc.spooled {
				t.Errorf("%d result(s) spooled, want %d\n%s", got, tc.spooled, root.log(t))
			}
			if log := root.log(t); !strings.Contains(log, "interrupted") {
				t.Errorf("the log does not say it was interrupted:\n%s", log)
			}
			t.Logf("signal after %v, exit %d after %v; log:\n%s", r.signalled, r.rc, r.wall, root.log(t))
			os.Truncate(filepath.Join(root.dir, "logs", "active-responses.log"), 0)
		})
	}
	t.Run("the flusher is detached", func(t *testing.T) {
		checkDetached(t, spoolDir)
	})
}

// checkDetached looks at the running flusher of spoolDir in /proc: a
// session of its own, stdin, stdout and stderr on /dev/null, and no pipe
// (execd's are pipes) among its descriptors.
func checkDetached(t *testing.T, spoolDir string) {
	t.Helper()
	pid := flusherPid(filepath.Join(spoolDir, flusherLockName))
	if pid == 0 || !flusherRunning(t, spoolDir) {
		t.Fatalf("no flusher running (pid %d)", pid)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name: state, ppid, pgrp, session.
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 4 || f[3] != strconv.Itoa(pid) {
		t.Errorf("flusher %d: session %v, want its own (%d)", pid, f[:min(4, len(f))], pid)
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, fd := range fds {
		target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		all = append(all, fd.Name()+"="+target)
		n, _ := strconv.Atoi(fd.Name())
		if n <= 2 && target != "/dev/null" {
			t.Errorf("flusher fd %d is %s, want /dev/null", n, target)
		}
		if strings.HasPrefix(target, "pipe:") {
			t.Errorf("flusher holds a pipe on fd %d: %s", n, target)
		}
	}
	t.Logf("flusher %d descriptors: %s", pid, strings.Join(all, " "))
}

func TestProcessAge(t *testing.T) {
	const stat = "18776 (a b) c) R 18080 18080 26318 0 -1 4194304 121 0 0 0 0 0 0 0 20 0 1 0 1244874 3133440 413 18446744073709551615\n"
	tests := []struct {
		name, stat, uptime string
		want               time.Duration
		ok                 bool
	}{
		{"name with spaces and parens", stat, "12448.98 23037.24\n", 240 * time.Millisecond, true},
		{"started just now", stat, "12448.74 1.0\n", 0, true},
		{"uptime before start", stat, "12000.00 1.0\n", 0, false},
		{"truncated", "18776 (cat) R 1 2 3", "12448.98 1.0", 0, false},
		{"no parens", "garbage", "1.0", 0, false},
		{"bad uptime", stat, "x", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := processAge([]byte(tc.stat), []byte(tc.uptime))
			if ok != tc.ok || (ok && (got-tc.want).Abs() > time.Millisecond) {
				t.Errorf("processAge = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
	// This test process started before now.
	now := time.Now()
	if got := forkTime(now); got.After(now) {
		t.Errorf("forkTime %v after now %v", got, now)
	}
}

// FuzzProcessAge: any /proc text gives an age of zero or more, or not ok;
// never a panic.
func FuzzProcessAge(f *testing.F) {
	f.Add([]byte("18776 (a b) c) R 18080 18080 26318 0 -1 4194304 121 0 0 0 0 0 0 0 20 0 1 0 1244874 3133440"), []byte("12448.98 23037.24\n"))
	f.Add([]byte("1 (x) S 0 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551615"), []byte("1e308 0"))
	f.Add([]byte(")"), []byte("NaN"))
	f.Fuzz(func(t *testing.T, stat, uptime []byte) {
		if age, ok := processAge(stat, uptime); ok && age < 0 {
			t.Fatalf("negative age %v", age)
		}
	})
}

// TestARQueuesBehindWithoutConnecting: with a result already waiting in
// the spool, an active response queues its own behind it and never
// connects to the server (the background flusher delivers both): no
// active response pays a dead server's timeout twice. The flusher is held
// "already running" by the test, so any connection came from the active
// response.
func TestARQueuesBehindWithoutConnecting(t *testing.T) {
	port := lab.FreePort(t)
	root := newOSSECRoot(t, fmt.Sprintf(budgetINI, port, lab.NSCAPassword, lab.NSCAMethod, ""))
	sp, err := spool.Open(root.spoolDir(), spool.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.Put(bridge.Result{Host: "web01", Service: "OSSEC SSH", State: bridge.Critical, Output: "waiting"}); err != nil {
		t.Fatal(err)
	}
	lock, ok, err := safefile.TryLock(filepath.Join(root.spoolDir(), flusherLockName))
	if err != nil || !ok {
		t.Fatalf("flusher lock: %v, %v", ok, err)
	}
	defer lock.Close()
	stop, accepted := silentServerAccepts(t, port)
	defer stop()

	b := budgetAlert{seq: 1, host: "web01"}
	r := execd(t, root.ar, execdOpts{msg: b.message(), answer: "continue"})
	if r.rc != 0 {
		t.Fatalf("rc %d: %s\n%s", r.rc, r.stderr, root.log(t))
	}
	select {
	case <-accepted:
		t.Errorf("the active response connected to the server although a result waited in the spool:\n%s", root.log(t))
	default:
	}
	if !strings.Contains(root.log(t), "spooled 1 result(s) behind 1 waiting") {
		t.Errorf("log does not say the result was queued behind the waiting one:\n%s", root.log(t))
	}
	if n := root.spooled(t); n != 2 {
		t.Errorf("%d results spooled, want 2", n)
	}
}
