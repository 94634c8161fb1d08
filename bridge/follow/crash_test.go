package follow

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// helperEnv names the environment variable that turns the test binary
// into a follow-mode process (helperConfig as JSON), for the tests that
// SIGKILL it.
const helperEnv = "FOLLOW_TEST_HELPER"

// helperReady is the line a helper prints once it handles SIGTERM.
const helperReady = "follow helper ready"

type helperConfig struct {
	Path, Cursor, Status string
	Batch                int
	Out                  string // fileSender: one output per line
}

func TestMain(m *testing.M) {
	if cfg := os.Getenv(helperEnv); cfg != "" {
		os.Exit(runHelper(cfg))
	}
	os.Exit(m.Run())
}

func runHelper(cfgJSON string) int {
	var c helperConfig
	if err := json.Unmarshal([]byte(cfgJSON), &c); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	f, err := os.OpenFile(c.Out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 2
	}
	defer f.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	// The parent sends SIGTERM only after this line: before the handler
	// is installed, SIGTERM would kill the process, not stop Follow.
	fmt.Println(helperReady)
	err = Follow(ctx, Options{
		Path: c.Path, CursorFile: c.Cursor, StatusFile: c.Status, FromStart: true,
		Map: idMap, Sender: &fileSender{f: f}, BatchSize: c.Batch,
		Poll: 5 * time.Millisecond, Quiet: 200 * time.Millisecond,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	return 0
}

// fileSender writes each output as one line, with one write(2): what was
// accepted survives a SIGKILL of the process.
type fileSender struct {
	mu sync.Mutex
	f  *os.File
}

func (s *fileSender) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.f.WriteString(output + "\n")
	return err
}

// helperProc is a follow-mode child process.
type helperProc struct {
	cmd  *exec.Cmd
	done chan error
	errb *syncBuilder
}

func startHelper(t *testing.T, c helperConfig) *helperProc {
	t.Helper()
	b, _ := json.Marshal(c)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+string(b))
	var errb syncBuilder
	cmd.Stderr = &errb
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helperProc{cmd: cmd, done: make(chan error, 1), errb: &errb}
	t.Cleanup(func() { h.cmd.Process.Kill() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		ok := sc.Scan() && sc.Text() == helperReady
		ready <- ok
		io.Copy(io.Discard, stdout)
		h.done <- cmd.Wait()
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("helper did not start: %s", errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("helper not ready after 30 s")
	}
	return h
}

// syncBuilder is a strings.Builder safe for the process's stderr copier
// and the test reading it.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (h *helperProc) signal(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	_ = h.cmd.Process.Signal(sig)
	select {
	case err := <-h.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("helper ignored %v for 30 s", sig)
	}
	return nil
}

// writer appends alerts from..to-1 in chunks, rotating OSSEC style after
// rotateAt, as a goroutine; wait returns when it is done.
func writer(t *testing.T, path, rotatedTo string, f format, from, to, rotateAt, chunk int, pause time.Duration) (wait func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := from; i < to; i += chunk {
			if i == rotateAt {
				rotate(t, path, rotatedTo)
			}
			appendAlerts(t, path, f, i, min(i+chunk, to))
			time.Sleep(pause)
		}
	}()
	return wg.Wait
}

// countIDs reads outputs (one per line, or nsca command-file lines) and
// counts each alert number.
func countIDs(t testing.TB, path string) map[int]int {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return map[int]int{}
		}
		t.Fatal(err)
	}
	defer fh.Close()
	seen := map[int]int{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		l := sc.Text()
		if i := strings.LastIndexByte(l, ';'); i >= 0 {
			l = l[i+1:] // [ts] PROCESS_SERVICE_CHECK_RESULT;host;svc;code;output
		}
		if n, ok := alertNum(l); ok {
			seen[n]++
		}
	}
	return seen
}

type crashRun struct {
	alerts, batch, kills int
	rotateAt             int
	killEvery            func() time.Duration
}

// runCrashes follows a file being written by a writer while the follow
// process is SIGKILLed kills times and restarted, then stopped with
// SIGTERM; it returns each alert's count in out.
func runCrashes(t *testing.T, e *env, c helperConfig, r crashRun, out string) map[int]int {
	ext := filepath.Ext(e.f.file)
	day1 := datedPath(e.dir, ext, 24, 0)
	rotate(t, e.path, day1)
	c.Path, c.Cursor, c.Status, c.Batch = e.path, e.cursor, e.status, r.batch
	// The first process must have saved its cursor before alerts are
	// written: with no cursor, follow starts in whatever file is current
	// and cannot know about the alerts of a file rotated before it ran.
	h := startHelper(t, c)
	waitFor(t, "the first cursor", func() bool {
		_, ok, err := LoadCursor(c.Cursor)
		return ok && err == nil
	})
	wait := writer(t, e.path, datedPath(e.dir, ext, 25, 0), e.f, 0, r.alerts, r.rotateAt, 100, 2*time.Millisecond)
	for k := 0; k < r.kills; k++ {
		if k > 0 {
			h = startHelper(t, c)
		}
		time.Sleep(r.killEvery())
		h.signal(t, syscall.SIGKILL)
	}
	h = startHelper(t, c)
	wait()
	deadline := time.Now().Add(60 * time.Second)
	for len(countIDs(t, out)) < r.alerts {
		if time.Now().After(deadline) {
			seen := countIDs(t, out)
			var missing []int
			for i := 0; i < r.alerts; i++ {
				if seen[i] == 0 {
					missing = append(missing, i)
				}
			}
			h.signal(t, syscall.SIGTERM)
			t.Fatalf("timed out: %d of %d alerts delivered, missing %v...\nhelper: %s", len(seen), r.alerts, head(missing), h.errb)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := h.signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("helper after SIGTERM: %v\n%s", err, h.errb)
	}
	return countIDs(t, out)
}

func checkCounts(t *testing.T, seen map[int]int, alerts, bound int) int {
	t.Helper()
	repeats := 0
	for i := 0; i < alerts; i++ {
		switch n := seen[i]; {
		case n == 0:
			t.Errorf("alert %d lost", i)
		case n > 1:
			repeats += n - 1
		}
	}
	if len(seen) != alerts {
		t.Errorf("%d distinct alerts, want %d", len(seen), alerts)
	}
	if repeats > bound {
		t.Errorf("%d repeats, more than the bound %d (batch in flight per kill)", repeats, bound)
	}
	return repeats
}

// TestCrashRepeatBound re-executes the test binary as a follow process,
// SIGKILLs it at random moments while alerts are written and the file
// rotates, and checks that no alert is lost and at most a batch per kill
// repeats.
func TestCrashRepeatBound(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			out := filepath.Join(e.dir, "sent.txt")
			r := crashRun{alerts: 3000, batch: 50, kills: 4, rotateAt: 1500, killEvery: func() time.Duration {
				return time.Duration(50+rand.IntN(200)) * time.Millisecond
			}}
			seen := runCrashes(t, e, helperConfig{Out: out}, r, out)
			repeats := checkCounts(t, seen, r.alerts, r.kills*r.batch)
			t.Logf("%d alerts, %d SIGKILLs, batch %d: %d repeats", r.alerts, r.kills, r.batch, repeats)
		})
	}
}

// shiftNumbered rotates path the way logrotate does (create, no
// copytruncate): path.N -> path.N+1 from the oldest, path -> path.1.
func shiftNumbered(t testing.TB, path string) {
	t.Helper()
	n := 1
	for ; ; n++ {
		if _, err := os.Stat(fmt.Sprintf("%s.%d", path, n)); err != nil {
			break
		}
	}
	for ; n > 1; n-- {
		if err := os.Rename(fmt.Sprintf("%s.%d", path, n-1), fmt.Sprintf("%s.%d", path, n)); err != nil {
			t.Error(err)
		}
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Error(err)
	}
}

// TestCrashNumberedRotations: logrotate-style rotations every 150 alerts,
// several between two looks of follow mode at times, while the process is
// SIGKILLed at random moments: no alert lost, at most a batch per kill
// repeated.
func TestCrashNumberedRotations(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			out := filepath.Join(e.dir, "sent.txt")
			const alerts, batch, kills, every = 1500, 50, 4, 150
			appendString(t, e.path, "")
			c := helperConfig{Out: out, Path: e.path, Cursor: e.cursor, Status: e.status, Batch: batch}
			h := startHelper(t, c)
			waitFor(t, "the first cursor", func() bool {
				_, ok, err := LoadCursor(c.Cursor)
				return ok && err == nil
			})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < alerts; i += 50 {
					if i > 0 && i%every == 0 {
						shiftNumbered(t, e.path)
					}
					appendAlerts(t, e.path, f, i, i+50)
					time.Sleep(time.Duration(rand.IntN(4)) * time.Millisecond)
				}
			}()
			for k := 0; k < kills; k++ {
				if k > 0 {
					h = startHelper(t, c)
				}
				time.Sleep(time.Duration(30+rand.IntN(150)) * time.Millisecond)
				h.signal(t, syscall.SIGKILL)
			}
			h = startHelper(t, c)
			wg.Wait()
			waitFor(t, "every alert", func() bool { return len(countIDs(t, out)) >= alerts })
			if err := h.signal(t, syscall.SIGTERM); err != nil {
				t.Fatalf("helper after SIGTERM: %v\n%s", err, h.errb)
			}
			repeats := checkCounts(t, countIDs(t, out), alerts, kills*batch)
			t.Logf("%d alerts, %d rotations, %d SIGKILLs, batch %d: %d repeats", alerts, alerts/every-1, kills, batch, repeats)
		})
	}
}
