package spool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// The helper process: the test binary re-executed with these variables set
// puts SPOOL_HELPER_N results tagged with SPOOL_HELPER_ID into
// SPOOL_HELPER_DIR, as one active-response process each would.
const (
	envDir = "SPOOL_HELPER_DIR"
	envID  = "SPOOL_HELPER_ID"
	envN   = "SPOOL_HELPER_N"
)

func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(envDir)
	if dir == "" {
		t.Skip("helper process only")
	}
	n, err := strconv.Atoi(os.Getenv(envN))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad", envN, err)
		os.Exit(2)
	}
	s, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	id := os.Getenv(envID)
	for i := 0; i < n; i++ {
		if err := s.Put(tagged(id, i)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	os.Exit(0)
}

// tagged is result i of producer id; its output names both.
func tagged(id string, i int) bridge.Result {
	return bridge.Result{Host: "host-" + id, Service: "OSSEC", State: bridge.State(i % 4), Output: id + ":" + strconv.Itoa(i), AlertID: id}
}

// startPutters starts procs helper processes, each putting n results.
func startPutters(t *testing.T, dir string, procs, n int) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for p := 0; p < procs; p++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), envDir+"="+dir, envID+"=p"+strconv.Itoa(p), envN+"="+strconv.Itoa(n))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("start helper: %v", err)
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

func waitAll(t *testing.T, cmds []*exec.Cmd) {
	t.Helper()
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper process: %v", err)
		}
	}
}

// collector records deliveries, safe for concurrent drainers.
type collector struct {
	mu  sync.Mutex
	got []bridge.Result
}

func (c *collector) deliver(_ context.Context, r bridge.Result) error {
	c.mu.Lock()
	c.got = append(c.got, r)
	c.mu.Unlock()
	return nil
}

// checkExactlyOnceInOrder asserts that got holds results 0..n-1 of each of
// the producers exactly once, each producer's in Put order.
func checkExactlyOnceInOrder(t *testing.T, got []bridge.Result, producers []string, n int) {
	t.Helper()
	if len(got) != len(producers)*n {
		t.Errorf("delivered %d results, want %d", len(got), len(producers)*n)
	}
	next := map[string]int{}
	for _, p := range producers {
		next[p] = 0
	}
	for _, r := range got {
		id, num, ok := strings.Cut(r.Output, ":")
		i, err := strconv.Atoi(num)
		want, known := next[id]
		if !ok || err != nil || !known {
			t.Fatalf("unexpected result %+v", r)
		}
		if i != want {
			t.Fatalf("producer %s: delivered %d, want %d (duplicate or out of order)", id, i, want)
		}
		if r != tagged(id, i) {
			t.Fatalf("result changed on the way: got %+v, want %+v", r, tagged(id, i))
		}
		next[id]++
	}
	for _, p := range producers {
		if next[p] != n {
			t.Errorf("producer %s: %d of %d delivered", p, next[p], n)
		}
	}
}

func producers(prefix string, n int) []string {
	var ids []string
	for i := 0; i < n; i++ {
		ids = append(ids, prefix+strconv.Itoa(i))
	}
	return ids
}

func mustOpen(t *testing.T, dir string, opts Options) *Spool {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func depth(t *testing.T, s *Spool) int {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st.Depth
}

func TestPutDrainInOrder(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	for i := 0; i < 20; i++ {
		if err := s.Put(tagged("a", i)); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if d := depth(t, s); d != 20 {
		t.Fatalf("depth %d, want 20", d)
	}
	var c collector
	n, err := s.Drain(context.Background(), c.deliver)
	if err != nil || n != 20 {
		t.Fatalf("Drain: %d, %v; want 20, nil", n, err)
	}
	checkExactlyOnceInOrder(t, c.got, []string{"a"}, 20)
	if d := depth(t, s); d != 0 {
		t.Fatalf("depth after drain %d, want 0", d)
	}
	n, err = s.Drain(context.Background(), c.deliver)
	if err != nil || n != 0 {
		t.Fatalf("second Drain: %d, %v; want 0, nil", n, err)
	}
}

func TestPutRefusesInvalid(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	if err := s.Put(bridge.Result{Service: "no host"}); err == nil {
		t.Fatal("Put of a result without host succeeded")
	}
	if d := depth(t, s); d != 0 {
		t.Fatalf("depth %d after a refused Put, want 0", d)
	}
	if left, _ := filepath.Glob(filepath.Join(s.Dir(), tempPrefix+"*")); len(left) != 0 {
		t.Fatalf("refused Put left %v", left)
	}
}

func TestDrainRecordsEnqueueTime(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	// Two Puts at the same clock reading still get distinct, ordered names.
	s := mustOpen(t, t.TempDir(), Options{Now: func() time.Time { return now }})
	for i := 0; i < 3; i++ {
		if err := s.Put(tagged("a", i)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Depth != 3 || st.Oldest.Sub(now) < 0 || st.Oldest.Sub(now) > time.Second {
		t.Fatalf("Stats %+v, want depth 3, oldest at %v", st, now)
	}
	var got []Record
	_, err = s.DrainRecords(context.Background(), func(_ context.Context, rec Record) error {
		got = append(got, rec)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range got {
		if rec.Result != tagged("a", i) {
			t.Errorf("record %d: %+v", i, rec.Result)
		}
		if i > 0 && !rec.Enqueued.After(got[i-1].Enqueued) {
			t.Errorf("record %d enqueued %v, not after %v", i, rec.Enqueued, got[i-1].Enqueued)
		}
	}
}

func TestDrainStopsAtFailure(t *testing.T) {
	boom := errors.New("connection refused")
	tests := []struct {
		name     string
		failAt   int // 0-based delivery attempt that fails
		wantN    int
		wantLeft int
	}{
		{"first fails", 0, 0, 10},
		{"middle fails", 4, 4, 6},
		{"last fails", 9, 9, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustOpen(t, t.TempDir(), Options{})
			for i := 0; i < 10; i++ {
				if err := s.Put(tagged("a", i)); err != nil {
					t.Fatal(err)
				}
			}
			var c collector
			attempt := 0
			n, err := s.Drain(context.Background(), func(ctx context.Context, r bridge.Result) error {
				defer func() { attempt++ }()
				if attempt == tt.failAt {
					return boom
				}
				return c.deliver(ctx, r)
			})
			if n != tt.wantN || !errors.Is(err, boom) {
				t.Fatalf("Drain: %d, %v; want %d and an error wrapping %v", n, err, tt.wantN, boom)
			}
			if !strings.Contains(err.Error(), "host-a/OSSEC") {
				t.Errorf("error %q does not name the host/service", err)
			}
			if attempt != tt.failAt+1 {
				t.Fatalf("%d delivery attempts, want %d: Drain went on after a failure", attempt, tt.failAt+1)
			}
			if d := depth(t, s); d != tt.wantLeft {
				t.Fatalf("depth %d, want %d", d, tt.wantLeft)
			}
			// The next drain picks up exactly where this one failed.
			if _, err := s.Drain(context.Background(), c.deliver); err != nil {
				t.Fatal(err)
			}
			checkExactlyOnceInOrder(t, c.got, []string{"a"}, 10)
		})
	}
}

func TestDrainStopsWhenContextEnds(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	for i := 0; i < 5; i++ {
		if err := s.Put(tagged("a", i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	n, err := s.Drain(ctx, func(context.Context, bridge.Result) error {
		cancel()
		return nil
	})
	if n != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("Drain: %d, %v; want 1, context.Canceled", n, err)
	}
	if d := depth(t, s); d != 4 {
		t.Fatalf("depth %d, want 4", d)
	}
}

func TestConcurrentPutGoroutines(t *testing.T) {
	dir := t.TempDir()
	shared := mustOpen(t, dir, Options{})
	const goroutines, n = 16, 40
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := shared
			if g%2 == 1 { // half of them through their own Spool on the same directory
				var err error
				if s, err = Open(dir, Options{}); err != nil {
					t.Error(err)
					return
				}
			}
			for i := 0; i < n; i++ {
				if err := s.Put(tagged("g"+strconv.Itoa(g), i)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	var c collector
	if _, err := shared.Drain(context.Background(), c.deliver); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnceInOrder(t, c.got, producers("g", goroutines), n)
}

func TestConcurrentPutProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	dir := t.TempDir()
	const procs, n = 20, 50
	start := time.Now()
	waitAll(t, startPutters(t, dir, procs, n))
	putTime := time.Since(start)
	s := mustOpen(t, dir, Options{})
	if d := depth(t, s); d != procs*n {
		t.Fatalf("depth %d, want %d", d, procs*n)
	}
	var c collector
	start = time.Now()
	got, err := s.Drain(context.Background(), c.deliver)
	if err != nil || got != procs*n {
		t.Fatalf("Drain: %d, %v; want %d, nil", got, err, procs*n)
	}
	t.Logf("%d processes x %d Puts: %v (with process start); one Drain of %d: %v", procs, n, putTime, got, time.Since(start))
	checkExactlyOnceInOrder(t, c.got, producers("p", procs), n)
}

// Processes put while two drainers, each with its own Spool and lock file
// descriptor, drain in a loop: every result is delivered exactly once, each
// process's in order.
func TestConcurrentDrainersWhilePutting(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 10 processes")
	}
	dir := t.TempDir()
	const procs, n = 10, 40
	cmds := startPutters(t, dir, procs, n)
	var c collector
	var wg sync.WaitGroup
	done := make(chan struct{})
	for d := 0; d < 2; d++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			for {
				if _, err := s.Drain(context.Background(), c.deliver); err != nil {
					t.Error(err)
					return
				}
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
	}
	waitAll(t, cmds)
	close(done)
	wg.Wait()
	s := mustOpen(t, dir, Options{})
	if _, err := s.Drain(context.Background(), c.deliver); err != nil {
		t.Fatal(err)
	}
	checkExactlyOnceInOrder(t, c.got, producers("p", procs), n)
}

func TestSecondDrainerWaits(t *testing.T) {
	dir := t.TempDir()
	a, b := mustOpen(t, dir, Options{}), mustOpen(t, dir, Options{})
	for i := 0; i < 3; i++ {
		if err := a.Put(tagged("a", i)); err != nil {
			t.Fatal(err)
		}
	}
	var c collector
	holding, release := make(chan struct{}), make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		first := true
		_, err := a.Drain(context.Background(), func(ctx context.Context, r bridge.Result) error {
			if first {
				first = false
				close(holding)
				<-release
			}
			return c.deliver(ctx, r)
		})
		firstDone <- err
	}()
	<-holding

	// While the first drainer holds the lock, a second one with a short
	// deadline gives up with ErrBusy and delivers nothing.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	n, err := b.Drain(ctx, c.deliver)
	if n != 0 || !errors.Is(err, ErrBusy) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Drain while locked: %d, %v; want 0, ErrBusy", n, err)
	}

	// So does one whose LockWait passes.
	c2 := mustOpen(t, dir, Options{LockWait: 20 * time.Millisecond})
	start := time.Now()
	n, err = c2.Drain(context.Background(), c.deliver)
	if n != 0 || !errors.Is(err, ErrBusy) {
		t.Fatalf("Drain with LockWait while locked: %d, %v; want 0, ErrBusy", n, err)
	}
	if waited := time.Since(start); waited < 20*time.Millisecond || waited > 2*time.Second {
		t.Fatalf("Drain with LockWait 20ms waited %v", waited)
	}

	// One that may wait gets the lock when the first is done, and finds
	// nothing left to deliver twice.
	second := make(chan int, 1)
	go func() {
		n, err := b.Drain(context.Background(), c.deliver)
		if err != nil {
			t.Error(err)
		}
		second <- n
	}()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if n := <-second; n != 0 {
		t.Fatalf("second drainer delivered %d, want 0", n)
	}
	checkExactlyOnceInOrder(t, c.got, []string{"a"}, 3)
}

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logLines) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestCorruptFilesQuarantined(t *testing.T) {
	good := validRecord(t)
	tests := []struct {
		name    string
		file    string // name in the spool, between good results 0 and 1
		content []byte
		want    string // in the log line
	}{
		{"truncated", "%s-0000000001-000000000001.res", good[:len(good)-3], "checksum"},
		{"truncated short", "%s-0000000001-000000000001.res", good[:len(good)/2], "truncated"},
		{"empty", "%s-0000000001-000000000001.res", nil, "truncated"},
		{"garbage", "%s-0000000001-000000000001.res", []byte("not a spool record at all, really"), "bad magic"},
		{"bit flip", "%s-0000000001-000000000001.res", append(append([]byte{}, good[:20]...), append([]byte{good[20] ^ 1}, good[21:]...)...), "checksum"},
		{"too big", "%s-0000000001-000000000001.res", make([]byte, MaxRecordSize+10), "exceeds"},
		{"unexpected name", "zz%s.res", good, "unexpected file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var log logLines
			s := mustOpen(t, dir, Options{Logf: log.logf})
			if err := s.Put(tagged("a", 0)); err != nil {
				t.Fatal(err)
			}
			// A name between result 0 and the next one.
			ts := fmt.Sprintf("%020d", time.Now().UnixNano())
			time.Sleep(time.Millisecond)
			bad := fmt.Sprintf(tt.file, ts)
			if err := os.WriteFile(filepath.Join(dir, bad), tt.content, 0o640); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < 3; i++ {
				if err := s.Put(tagged("a", i)); err != nil {
					t.Fatal(err)
				}
			}
			var c collector
			n, err := s.Drain(context.Background(), c.deliver)
			if err != nil || n != 3 {
				t.Fatalf("Drain: %d, %v; want 3, nil", n, err)
			}
			checkExactlyOnceInOrder(t, c.got, []string{"a"}, 3)
			if _, err := os.Stat(filepath.Join(dir, quarantineName, bad)); err != nil {
				t.Fatalf("corrupt file not in quarantine: %v", err)
			}
			if l := log.text(); !strings.Contains(l, "quarantined quarantine/"+bad) || !strings.Contains(l, tt.want) {
				t.Fatalf("log %q does not report the quarantine with %q", l, tt.want)
			}
			st, err := s.Stats()
			if err != nil || st.Depth != 0 || st.Quarantined != 1 {
				t.Fatalf("Stats: %+v, %v; want depth 0, 1 quarantined", st, err)
			}
		})
	}
}

func TestLeftoverTempFiles(t *testing.T) {
	dir := t.TempDir()
	var log logLines
	s := mustOpen(t, dir, Options{Logf: log.logf})
	old := filepath.Join(dir, tempPrefix+"123-old")
	fresh := filepath.Join(dir, tempPrefix+"456-fresh")
	truncated := validRecord(t)[:7]
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, truncated, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * DefaultTempMaxAge)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(tagged("a", 0)); err != nil {
		t.Fatal(err)
	}
	if d := depth(t, s); d != 1 {
		t.Fatalf("depth %d counts temporary files, want 1", d)
	}
	var c collector
	n, err := s.Drain(context.Background(), c.deliver)
	if err != nil || n != 1 {
		t.Fatalf("Drain: %d, %v; want 1, nil", n, err)
	}
	checkExactlyOnceInOrder(t, c.got, []string{"a"}, 1)
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old leftover still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temporary file (maybe a Put in progress) was removed: %v", err)
	}
	if !strings.Contains(log.text(), "interrupted write") {
		t.Errorf("log %q does not report the leftover", log.text())
	}
	if q, _ := os.ReadDir(filepath.Join(dir, quarantineName)); len(q) != 0 {
		t.Errorf("temporary file quarantined: %v", q)
	}
}

func TestLimits(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		opts     Options
		ages     []time.Duration // age of each result at drain time, oldest first
		wantKept []int           // indexes delivered
		wantLog  string
	}{
		{"under the limits", Options{MaxResults: 5, MaxAge: time.Hour}, []time.Duration{30 * time.Minute, time.Minute}, []int{0, 1}, ""},
		{"oldest beyond max results dropped", Options{MaxResults: 3}, []time.Duration{5, 4, 3, 2, 1}, []int{2, 3, 4}, "dropped the 2 oldest result(s) beyond 3"},
		{"expired dropped", Options{MaxAge: time.Hour}, []time.Duration{3 * time.Hour, 2 * time.Hour, time.Minute}, []int{2}, "dropped 2 result(s) older than 1h0m0s"},
		{"both", Options{MaxAge: time.Hour, MaxResults: 2}, []time.Duration{2 * time.Hour, 4, 3, 2, 1}, []int{3, 4}, "dropped the 2 oldest"},
		{"no limit", Options{MaxResults: -1}, []time.Duration{5, 4, 3, 2, 1}, []int{0, 1, 2, 3, 4}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var log logLines
			now := base
			opts := tt.opts
			opts.Logf = log.logf
			opts.Now = func() time.Time { return now }
			s := mustOpen(t, dir, opts)
			for i, age := range tt.ages {
				now = base.Add(-age)
				if err := s.Put(tagged("a", i)); err != nil {
					t.Fatal(err)
				}
			}
			now = base
			var c collector
			if _, err := s.Drain(context.Background(), c.deliver); err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, r := range c.got {
				i, _ := strconv.Atoi(strings.TrimPrefix(r.Output, "a:"))
				got = append(got, i)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.wantKept) {
				t.Fatalf("delivered %v, want %v", got, tt.wantKept)
			}
			if l := log.text(); (tt.wantLog == "") != (l == "") || !strings.Contains(l, tt.wantLog) {
				t.Fatalf("log %q, want %q", l, tt.wantLog)
			}
		})
	}
}

func TestStatsOldest(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	now := t0
	s := mustOpen(t, dir, Options{Now: func() time.Time { return now }})
	st, err := s.Stats()
	if err != nil || st != (Stats{}) {
		t.Fatalf("empty spool Stats: %+v, %v", st, err)
	}
	for i := 0; i < 3; i++ {
		now = t0.Add(time.Duration(i) * time.Minute)
		if err := s.Put(tagged("a", i)); err != nil {
			t.Fatal(err)
		}
	}
	st, err = s.Stats()
	if err != nil || st.Depth != 3 || !st.Oldest.Equal(t0) {
		t.Fatalf("Stats: %+v, %v; want depth 3, oldest %v", st, err, t0)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", Options{}); err == nil {
		t.Error("Open of an empty name succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(filepath.Join(file, "sub"), Options{}); err == nil || !strings.HasPrefix(err.Error(), "spool: open:") {
		t.Errorf("Open under a file: %v, want a spool: open: error", err)
	}
}

func BenchmarkPut(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := bridge.Result{Host: "web01", Service: "OSSEC SSH", State: bridge.Critical, Output: strings.Repeat("x", 400), AlertID: "1714564800.1234"}
	for b.Loop() {
		if err := s.Put(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDrain(b *testing.B) {
	s, err := Open(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := bridge.Result{Host: "web01", Service: "OSSEC SSH", State: bridge.Critical, Output: strings.Repeat("x", 400), AlertID: "1714564800.1234"}
	const batch = 100
	nop := func(context.Context, bridge.Result) error { return nil }
	for b.Loop() {
		b.StopTimer()
		for i := 0; i < batch; i++ {
			if err := s.Put(r); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if n, err := s.Drain(context.Background(), nop); err != nil || n != batch {
			b.Fatalf("Drain: %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/result")
}

// A process killed in the middle of its Puts leaves a prefix of its results,
// every one whole, and at most a temporary file that is never delivered.
func TestKilledWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	cmds := startPutters(t, dir, 1, 100000)
	s := mustOpen(t, dir, Options{})
	deadline := time.Now().Add(10 * time.Second)
	for depth(t, s) < 20 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmds[0].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmds[0].Wait()
	var log logLines
	s = mustOpen(t, dir, Options{Logf: log.logf})
	var c collector
	n, err := s.Drain(context.Background(), c.deliver)
	if err != nil || n < 20 {
		t.Fatalf("Drain: %d, %v; want at least 20 results", n, err)
	}
	checkExactlyOnceInOrder(t, c.got, []string{"p0"}, n)
	if st, err := s.Stats(); err != nil || st.Depth != 0 || st.Quarantined != 0 {
		t.Fatalf("Stats after drain: %+v, %v; want nothing left or quarantined", st, err)
	}
	if l := log.text(); l != "" {
		t.Fatalf("log %q: nothing should have been corrupt", l)
	}
}

// TestDrainDefersResultsYoungerThanItsListing: a listing taken while
// results are renamed into the spool may show a later result and miss an
// earlier one, so Drain delivers only results named before its listing
// started; a younger one waits for the next listing. A name far ahead of
// the clock (a clock that was off) is not held back.
func TestDrainDefersResultsYoungerThanItsListing(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for _, c := range []struct {
		id    string
		clock time.Time
	}{{"old", now.Add(-time.Second)}, {"young", now.Add(5 * time.Second)}, {"far", now.Add(time.Hour)}} {
		s := mustOpen(t, dir, Options{Now: func() time.Time { return c.clock }})
		if err := s.Put(tagged(c.id, 0)); err != nil {
			t.Fatal(err)
		}
	}
	var c collector
	s := mustOpen(t, dir, Options{})
	n, err := s.Drain(context.Background(), c.deliver)
	if err != nil || n != 2 {
		t.Fatalf("Drain = %d, %v; want 2, nil", n, err)
	}
	var got []string
	for _, r := range c.got {
		got = append(got, r.AlertID)
	}
	if !slices.Equal(got, []string{"old", "far"}) {
		t.Errorf("delivered %v, want [old far] (young held back)", got)
	}
	if st, err := s.Stats(); err != nil || st.Depth != 1 {
		t.Errorf("Stats = %+v, %v; want the young result still spooled", st, err)
	}
}
