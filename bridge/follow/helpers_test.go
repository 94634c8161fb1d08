package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

const testEpoch = 1790000000

// mustFollow runs Follow with o and fails the test on an error.
func mustFollow(t *testing.T, o Options) {
	t.Helper()
	if err := Follow(context.Background(), o); err != nil {
		t.Fatal(err)
	}
}

// logAlert returns one alerts.log alert whose id is testEpoch.n.
func logAlert(n int) string {
	return fmt.Sprintf("** Alert %d.%d: - syslog,sshd,authentication_failed,\n"+
		"2026 Sep 24 18:50:30 (web%02d) 10.0.0.%d->/var/log/secure\n"+
		"Rule: 5716 (level %d) -> 'sshd: authentication failed.'\n"+
		"Src IP: 192.0.2.%d\n"+
		"User: root\n"+
		"Sep 24 18:50:30 web sshd[1]: Failed password for root from 192.0.2.%d port 22 ssh2 #%d\n\n",
		testEpoch, n, n%7, n%250, 3+n%10, n%250, n%250, n)
}

// jsonAlert returns one alerts.json line whose id is testEpoch.n.
func jsonAlert(n int) string {
	return fmt.Sprintf(`{"timestamp":"2026-09-24T18:50:30.095+0000","rule":{"level":%d,"description":"sshd: authentication failed.","id":"5716","groups":["syslog","sshd","authentication_failed"]},"agent":{"id":"001","name":"web%02d"},"manager":{"name":"m"},"id":"%d.%d","full_log":"Failed password #%d","location":"/var/log/secure"}`+"\n",
		3+n%10, n%7, testEpoch, n, n)
}

type format struct {
	name  string
	file  string
	alert func(int) string
}

var formats = []format{
	{"alerts.log", "alerts.log", logAlert},
	{"alerts.json", "alerts.json", jsonAlert},
}

// idMap is the test mapping: one result per alert, the alert id as output.
func idMap(a alert.Alert) (bridge.Result, error) {
	st := bridge.OK
	if a.Rule.Level >= 7 {
		st = bridge.Warning
	}
	return bridge.Result{Host: a.Agent.Name, Service: "OSSEC", State: st, Output: a.ID, AlertID: a.ID}, nil
}

// fakeSender records every result it accepts; fail makes it refuse.
type fakeSender struct {
	mu   sync.Mutex
	got  []string // outputs (alert ids) in order
	svcs []string
	fail error
	n    int // calls
}

func (s *fakeSender) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.fail != nil {
		return s.fail
	}
	s.got = append(s.got, output)
	s.svcs = append(s.svcs, service)
	return nil
}

func (s *fakeSender) setFail(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

func (s *fakeSender) outputs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// ids returns the alert numbers among the outputs (other results, like
// heartbeats, are left out).
func (s *fakeSender) ids() []int {
	var out []int
	for _, o := range s.outputs() {
		if n, ok := alertNum(o); ok {
			out = append(out, n)
		}
	}
	return out
}

func alertNum(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, strconv.Itoa(testEpoch)+".")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// memQueue is an in-memory bridge.Queue.
type memQueue struct {
	mu sync.Mutex
	q  []bridge.Result
}

func (m *memQueue) Put(r bridge.Result) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.q = append(m.q, r)
	return nil
}

func (m *memQueue) Drain(ctx context.Context, deliver func(context.Context, bridge.Result) error) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for len(m.q) > 0 {
		if err := deliver(ctx, m.q[0]); err != nil {
			return n, err
		}
		m.q = m.q[1:]
		n++
	}
	return n, nil
}

func (m *memQueue) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.q)
}

// env is one follow-mode setup in a temporary OSSEC logs/alerts directory.
type env struct {
	t      *testing.T
	dir    string
	path   string
	cursor string
	status string
	f      format
}

func newEnv(t *testing.T, f format) *env {
	t.Helper()
	dir := t.TempDir()
	return &env{t: t, dir: dir, path: filepath.Join(dir, f.file), cursor: filepath.Join(dir, "follow.cursor"), status: filepath.Join(dir, "follow.status"), f: f}
}

func (e *env) opts(s bridge.Sender) Options {
	return Options{
		Path: e.path, CursorFile: e.cursor, StatusFile: e.status, FromStart: true,
		Map: idMap, Sender: s,
		Poll: 5 * time.Millisecond, Quiet: 150 * time.Millisecond, RetryInterval: 20 * time.Millisecond,
		StatusInterval: 50 * time.Millisecond, BatchSize: 7,
		Log: testLog(e.t),
	}
}

// appendAlerts writes alerts from..to-1 to path (created if needed).
func appendAlerts(t testing.TB, path string, f format, from, to int) {
	t.Helper()
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(f.alert(i))
	}
	appendString(t, path, b.String())
}

func appendString(t testing.TB, path, s string) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fh.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
}

// running is a Follow in a goroutine.
type running struct {
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, o Options) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- Follow(ctx, o) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) error {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("Follow did not return 20 s after cancel")
	}
	return nil
}

// waitFor polls cond for up to 20 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// wantExactlyOnce fails unless ids are exactly from..to-1, once each, in order.
func wantExactlyOnce(t testing.TB, ids []int, from, to int) {
	t.Helper()
	if len(ids) != to-from {
		seen := map[int]int{}
		for _, id := range ids {
			seen[id]++
		}
		var missing, dup []int
		for i := from; i < to; i++ {
			if seen[i] == 0 {
				missing = append(missing, i)
			} else if seen[i] > 1 {
				dup = append(dup, i)
			}
		}
		t.Fatalf("got %d results, want %d; missing %v; repeated %v", len(ids), to-from, head(missing), head(dup))
	}
	for i, id := range ids {
		if id != from+i {
			t.Fatalf("result %d is alert %d, want %d (order or duplicate)", i, id, from+i)
		}
	}
}

func head(s []int) []int {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

// testLog logs to the test when FOLLOW_DEBUG is set.
func testLog(t testing.TB) logrus.FieldLogger {
	l := logrus.New()
	l.Out = io.Discard
	if os.Getenv("FOLLOW_DEBUG") != "" {
		l.Out = os.Stderr
		l.Level = logrus.DebugLevel
	}
	return l
}

var errDown = errors.New("connection refused")
