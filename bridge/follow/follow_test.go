package follow

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/bridge/flood"
)

func TestAppendWhileRunning(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			s := &fakeSender{}
			start(t, e.opts(s))
			const n = 300
			for i := 0; i < n; i += 25 {
				appendAlerts(t, e.path, f, i, i+25)
				time.Sleep(2 * time.Millisecond)
			}
			waitFor(t, "every alert", func() bool { return len(s.ids()) >= n })
			wantExactlyOnce(t, s.ids(), 0, n)
		})
	}
}

// A writer that stops in the middle of an alert: nothing is delivered
// until the alert is complete.
func TestPartialAlertWaits(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			s := &fakeSender{}
			o := e.opts(s)
			o.Quiet = time.Hour // only a full line or the next header completes an alert
			start(t, o)
			appendAlerts(t, e.path, f, 0, 3)
			a := f.alert(3)
			cut := len(a) / 2
			if f.name == "alerts.log" {
				cut = strings.Index(a, "Rule:") // header and date line only
			}
			appendString(t, e.path, a[:cut])
			if f.name == "alerts.log" {
				// alert 2 ends where the partial header of 3 begins: it is complete
				waitFor(t, "the complete alerts", func() bool { return len(s.ids()) >= 3 })
			} else {
				waitFor(t, "the complete alerts", func() bool { return len(s.ids()) >= 3 })
			}
			time.Sleep(100 * time.Millisecond)
			if got := s.ids(); len(got) != 3 {
				t.Fatalf("got %v while alert 3 is half written, want 0..2", got)
			}
			appendString(t, e.path, a[cut:])
			if f.name == "alerts.log" {
				time.Sleep(100 * time.Millisecond)
				if got := s.ids(); len(got) != 3 {
					t.Fatalf("alert 3 delivered with no next header and no quiet period: %v", got)
				}
				appendAlerts(t, e.path, f, 4, 5)
				waitFor(t, "alert 3", func() bool { return len(s.ids()) >= 4 })
			} else {
				waitFor(t, "alert 3", func() bool { return len(s.ids()) >= 4 })
			}
			wantExactlyOnce(t, s.ids(), 0, 4)
		})
	}
}

// The last alert of alerts.log (no next header) goes out once the file has
// been quiet.
func TestQuietEndsLastLogAlert(t *testing.T) {
	e := newEnv(t, formats[0])
	s := &fakeSender{}
	o := e.opts(s)
	o.Quiet = 50 * time.Millisecond
	start(t, o)
	appendAlerts(t, e.path, e.f, 0, 5)
	waitFor(t, "the last alert after the quiet period", func() bool { return len(s.ids()) >= 5 })
	wantExactlyOnce(t, s.ids(), 0, 5)
}

// rotate does what OSSEC's analysisd does at the day switch (FORMATS
// §1.4): the current file lives at <dir>/<YYYY>/<Mon>/ossec-alerts-DD<ext>
// with alerts.* a hard link to it; a new dated file is created and
// alerts.* re-linked to it.
func rotate(t testing.TB, path, dated string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dated), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dated, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := os.Link(dated, path); err != nil {
		t.Fatal(err)
	}
}

func datedPath(dir, ext string, day int, split int) string {
	name := "ossec-alerts-" + twoDigits(day)
	if split > 0 {
		name += "-" + threeDigits(split)
	}
	// Where OSSEC puts today's files: the local year and month.
	now := time.Now()
	return filepath.Join(dir, now.Format("2006"), now.Format("Jan"), name+ext)
}

func twoDigits(n int) string   { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }
func threeDigits(n int) string { return string(rune('0'+n/100)) + twoDigits(n%100) }

func TestRotationMidStream(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			ext := filepath.Ext(f.file)
			day1 := datedPath(e.dir, ext, 24, 0)
			rotate(t, e.path, day1)
			s := &fakeSender{}
			start(t, e.opts(s))
			appendAlerts(t, e.path, f, 0, 50)
			waitFor(t, "day 1", func() bool { return len(s.ids()) >= 40 })
			// The writer still has the old file open: its last alerts land
			// there just before the switch.
			appendAlerts(t, day1, f, 50, 60)
			rotate(t, e.path, datedPath(e.dir, ext, 25, 0))
			appendAlerts(t, e.path, f, 60, 100)
			// Rotations are minutes apart at least (Wazuh's
			// min_rotate_interval): one poll sees each file.
			waitFor(t, "day 2", func() bool { return len(s.ids()) >= 90 })
			// A Wazuh size split during the day.
			rotate(t, e.path, datedPath(e.dir, ext, 25, 1))
			appendAlerts(t, e.path, f, 100, 130)
			waitFor(t, "every alert", func() bool { return len(s.ids()) >= 130 })
			wantExactlyOnce(t, s.ids(), 0, 130)
		})
	}
}

func TestTruncation(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			s := &fakeSender{}
			start(t, e.opts(s))
			appendAlerts(t, e.path, f, 0, 40)
			waitFor(t, "before truncation", func() bool { return len(s.ids()) >= 39 })
			time.Sleep(200 * time.Millisecond) // the quiet period sends the last alerts.log alert
			if err := os.Truncate(e.path, 0); err != nil {
				t.Fatal(err)
			}
			appendAlerts(t, e.path, f, 40, 45)
			waitFor(t, "after truncation", func() bool { return len(s.ids()) >= 45 })
			wantExactlyOnce(t, s.ids(), 0, 45)
		})
	}
}

func TestMissingFileAtStart(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			s := &fakeSender{}
			o := e.opts(s)
			o.FromStart = false // a file that appears later is read from its start anyway
			start(t, o)
			time.Sleep(30 * time.Millisecond)
			appendAlerts(t, e.path, f, 0, 20)
			waitFor(t, "every alert", func() bool { return len(s.ids()) >= 20 })
			wantExactlyOnce(t, s.ids(), 0, 20)
		})
	}
}

func TestFirstStartPosition(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fromStart bool
		from      int
	}{
		{"at the end by default", false, 10},
		{"at the start with FromStart", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, formats[1])
			appendAlerts(t, e.path, e.f, 0, 10)
			s := &fakeSender{}
			o := e.opts(s)
			o.FromStart = tc.fromStart
			r := start(t, o)
			waitFor(t, "the cursor", func() bool { _, err := os.Stat(e.cursor); return err == nil })
			appendAlerts(t, e.path, e.f, 10, 15)
			waitFor(t, "new alerts", func() bool { return len(s.ids()) >= 15-tc.from })
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			wantExactlyOnce(t, s.ids(), tc.from, 15)
		})
	}
}

// Clean shutdown and restart: every alert exactly once, including those
// written while follow mode was down and across a rotation while down
// (the old file found by identity, or as monitord's .gz copy).
func TestRestartExactlyOnce(t *testing.T) {
	for _, f := range formats {
		for _, rot := range []string{"none", "plain", "gzip"} {
			t.Run(f.name+"/rotation "+rot, func(t *testing.T) {
				e := newEnv(t, f)
				ext := filepath.Ext(f.file)
				day1 := datedPath(e.dir, ext, 24, 0)
				rotate(t, e.path, day1)
				s := &fakeSender{}
				r := start(t, e.opts(s))
				appendAlerts(t, e.path, f, 0, 30)
				waitFor(t, "first run", func() bool { return len(s.ids()) >= 29 })
				if err := r.stop(t); err != nil {
					t.Fatal(err)
				}
				appendAlerts(t, e.path, f, 30, 50) // while down
				switch rot {
				case "plain":
					rotate(t, e.path, datedPath(e.dir, ext, 25, 0))
				case "gzip":
					rotate(t, e.path, datedPath(e.dir, ext, 25, 0))
					gzipFile(t, day1)
				}
				appendAlerts(t, e.path, f, 50, 60)
				start(t, e.opts(s))
				waitFor(t, "second run", func() bool { return len(s.ids()) >= 60 })
				time.Sleep(50 * time.Millisecond)
				wantExactlyOnce(t, s.ids(), 0, 60)
			})
		}
	}
}

// gzipFile does what monitord does to a rotated file: path.gz, path removed.
func gzipFile(t testing.TB, path string) {
	t.Helper()
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(path + ".gz")
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(out)
	if _, err := io.Copy(zw, in); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// A reused inode (the old file deleted, a new one with the same inode) is
// not mistaken for the cursor's file: the head fingerprint differs.
func TestInodeReuseDetected(t *testing.T) {
	e := newEnv(t, formats[0])
	appendAlerts(t, e.path, e.f, 0, 10)
	fh, err := os.Open(e.path)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := fh.Stat()
	id, _ := statID(fi)
	b := make([]byte, headBytes)
	fh.ReadAt(b, 0)
	fh.Close()
	// The cursor claims this inode, offset 500, but fingerprints other bytes.
	c := Cursor{Path: e.path, ID: id, Head: headOf([]byte("** Alert 1.0: another file")), Offset: 500, Saved: time.Now()}
	if err := SaveCursor(e.cursor, c); err != nil {
		t.Fatal(err)
	}
	s := &fakeSender{}
	start(t, e.opts(s))
	waitFor(t, "every alert", func() bool { return len(s.ids()) >= 10 })
	wantExactlyOnce(t, s.ids(), 0, 10)
	// The real fingerprint is accepted.
	c.Head = headOf(b)
	if !headMatches(strings.NewReader(string(b)), c.Head) {
		t.Fatal("head of the same bytes does not match")
	}
}

// When Nagios is down, results go to the queue and the cursor moves on;
// when it is back, the queue is drained first, in order.
func TestDeliveryFailureQueues(t *testing.T) {
	e := newEnv(t, formats[1])
	s := &fakeSender{}
	s.setFail(errDown)
	q := &memQueue{}
	o := e.opts(s)
	o.Queue = q
	o.DrainInterval = 20 * time.Millisecond
	start(t, o)
	appendAlerts(t, e.path, e.f, 0, 30)
	waitFor(t, "queued results", func() bool { return q.len() == 30 })
	fi, _ := os.Stat(e.path)
	waitFor(t, "cursor at the end (queued results count as handled)", func() bool {
		c, _, _ := LoadCursor(e.cursor)
		return c.Offset == fi.Size()
	})
	s.setFail(nil)
	waitFor(t, "drained queue", func() bool { return q.len() == 0 && len(s.ids()) == 30 })
	appendAlerts(t, e.path, e.f, 30, 35)
	waitFor(t, "new alerts", func() bool { return len(s.ids()) >= 35 })
	wantExactlyOnce(t, s.ids(), 0, 35)
}

// Without a queue a failed batch is read again from the cursor: nothing is
// lost and, since the cursor moves after each sent result, nothing repeats.
func TestDeliveryFailureRetriesWithoutQueue(t *testing.T) {
	e := newEnv(t, formats[0])
	s := &flakySender{every: 4}
	start(t, e.opts(s))
	appendAlerts(t, e.path, e.f, 0, 60)
	waitFor(t, "every alert", func() bool { return len(s.ids()) >= 60 })
	time.Sleep(50 * time.Millisecond)
	wantExactlyOnce(t, s.ids(), 0, 60)
	if s.failures() == 0 {
		t.Fatal("the sender never failed: the test tested nothing")
	}
}

// flakySender fails every every-th call.
type flakySender struct {
	fakeSender
	every int
	calls int
	fails int
}

func (s *flakySender) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	s.mu.Lock()
	s.calls++
	fail := s.calls%s.every == 0
	if fail {
		s.fails++
	}
	s.mu.Unlock()
	if fail {
		return errDown
	}
	return s.fakeSender.SendCheck(ctx, host, service, state, output)
}

func (s *flakySender) failures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fails
}

func TestFilter(t *testing.T) {
	a := alert.Alert{Rule: alert.Rule{ID: 5716, Level: 5, Groups: []string{"syslog", "sshd"}}}
	for _, tc := range []struct {
		name string
		f    Filter
		want bool
	}{
		{"zero filter passes", Filter{}, true},
		{"level at minimum", Filter{MinLevel: 5}, true},
		{"level below minimum", Filter{MinLevel: 6}, false},
		{"rule in range", Filter{Rules: []RuleRange{{5700, 5720}}}, true},
		{"rule exact", Filter{Rules: []RuleRange{{1, 1}, {5716, 5716}}}, true},
		{"rule outside", Filter{Rules: []RuleRange{{550, 554}}}, false},
		{"group match", Filter{Groups: []string{"web", "sshd"}}, true},
		{"group no match", Filter{Groups: []string{"web"}}, false},
		{"group in upper case", Filter{Groups: []string{"SSHD"}}, true},
		{"group in mixed case", Filter{Groups: []string{"Web", "SshD"}}, true},
		{"all must hold", Filter{MinLevel: 3, Rules: []RuleRange{{5716, 5716}}, Groups: []string{"web"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f.Match(a); got != tc.want {
				t.Fatalf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestFilterGroupsAsMapping: [follow] groups and [service] groups are one
// rule, so follow never drops an alert the mapping would map by its group.
func TestFilterGroupsAsMapping(t *testing.T) {
	for _, tc := range []struct {
		want, have []string
	}{
		{[]string{"SSHD"}, []string{"syslog", "sshd"}},
		{[]string{"sshd"}, []string{"syslog", "SSHD"}},
		{[]string{"Authentication_Failed"}, []string{"authentication_failed"}},
		{[]string{"web"}, []string{"syslog", "sshd"}},
		{[]string{"sshd "}, []string{"sshd"}},
	} {
		a := alert.Alert{Resolved: true, Agent: alert.Agent{Name: "web01"}, Rule: alert.Rule{ID: 5712, Level: 10, Groups: tc.have}}
		m := bridge.Mapping{Warning: 7, Critical: 12, Services: []bridge.ServiceRule{{Name: "S", Groups: tc.want}}}
		_, err := m.Map(a)
		mapped := err == nil
		if got := (Filter{Groups: tc.want}).Match(a); got != mapped {
			t.Errorf("groups %q, alert in %q: follow filter passes %v, mapping matches %v", tc.want, tc.have, got, mapped)
		}
	}
}

func TestFilterAndMapErrorsAdvanceCursor(t *testing.T) {
	e := newEnv(t, formats[1])
	s := &fakeSender{}
	o := e.opts(s)
	o.Filter = Filter{MinLevel: 7} // levels are 3 + n%10: n%10 >= 4 passes
	o.Map = func(a alert.Alert) (bridge.Result, error) {
		if n, _ := alertNum(a.ID); n%10 == 9 {
			return bridge.Result{}, errors.New("no service for this alert")
		}
		return idMap(a)
	}
	r := start(t, o)
	appendAlerts(t, e.path, e.f, 0, 40)
	var want []int
	for i := 0; i < 40; i++ {
		if i%10 >= 4 && i%10 != 9 {
			want = append(want, i)
		}
	}
	waitFor(t, "filtered alerts", func() bool { return len(s.ids()) >= len(want) })
	fi, _ := os.Stat(e.path)
	waitFor(t, "cursor at the end", func() bool {
		c, _, _ := LoadCursor(e.cursor)
		return c.Offset == fi.Size()
	})
	r.stop(t)
	got := s.ids()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// TestNotNewsNotSent: with the state decision, results below the warning
// level (OK) are neither sent nor queued, and the cursor passes them.
func TestNotNewsNotSent(t *testing.T) {
	e := newEnv(t, formats[0])
	s := &fakeSender{}
	q := &memQueue{}
	o := e.opts(s)
	o.Queue = q
	o.Sendable = func(r bridge.Result) (bool, string) { return r.State != bridge.OK, "not news" }
	r := start(t, o)
	appendAlerts(t, e.path, e.f, 0, 30)
	var want []int
	for i := 0; i < 30; i++ {
		if 3+i%10 >= 7 { // idMap: level >= 7 is WARNING
			want = append(want, i)
		}
	}
	waitFor(t, "the WARNING results", func() bool { return len(s.ids()) >= len(want) })
	fi, _ := os.Stat(e.path)
	waitFor(t, "cursor at the end", func() bool {
		c, _, _ := LoadCursor(e.cursor)
		return c.Offset == fi.Size()
	})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if got := s.ids(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("sent %v, want only the WARNING ones %v", got, want)
	}
	if n := q.len(); n != 0 {
		t.Fatalf("%d results queued, want none", n)
	}
}

func TestHeartbeatAndStatus(t *testing.T) {
	e := newEnv(t, formats[1])
	s := &fakeSender{}
	o := e.opts(s)
	o.Heartbeat = Heartbeat{Interval: 30 * time.Millisecond, Host: "nagios", Service: "ossec-nagios follow"}
	r := start(t, o)
	appendAlerts(t, e.path, e.f, 0, 10)
	waitFor(t, "alerts", func() bool { return len(s.ids()) >= 10 })
	waitFor(t, "two heartbeats", func() bool {
		n := 0
		for _, o := range s.outputs() {
			if strings.HasPrefix(o, "ossec-nagios follow alive, lag ") && strings.HasSuffix(o, " bytes") {
				n++
			}
		}
		return n >= 2
	})
	fi, _ := os.Stat(e.path)
	waitFor(t, "a current status", func() bool {
		st, err := ReadStatus(e.status)
		return err == nil && st.Offset == fi.Size() && st.Size == fi.Size() && st.Delivered >= 10
	})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	st, err := ReadStatus(e.status)
	if err != nil {
		t.Fatal(err)
	}
	if st.Lag != 0 || st.LastDelivery.IsZero() || st.Alerts != 10 || st.Path != e.path || st.PID != os.Getpid() {
		t.Fatalf("status after shutdown: %+v", st)
	}
}

// floodEnv is follow mode with flood control through a state file, every
// alert a WARNING for host web.
func floodEnv(t *testing.T, window time.Duration, now func() time.Time) (*env, *fakeSender, Options, *flood.StateFile) {
	e := newEnv(t, formats[1])
	s := &fakeSender{}
	sf, err := flood.OpenStateFile(filepath.Join(e.dir, "flood.state"), flood.Options{Window: window, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	o := e.opts(s)
	o.Flood = sf
	o.Now = now
	o.Map = func(a alert.Alert) (bridge.Result, error) {
		r, err := idMap(a)
		r.Host, r.State = "web", bridge.Warning
		return r, err
	}
	return e, s, o, sf
}

// Flood control: the first result of a window goes out at once, the rest
// become one summary, which follow delivers itself when the window closes.
func TestFloodSummaryWhenWindowCloses(t *testing.T) {
	e, s, o, _ := floodEnv(t, 700*time.Millisecond, time.Now)
	r := start(t, o)
	appendAlerts(t, e.path, e.f, 0, 20)
	waitFor(t, "the first result and the summary", func() bool { return len(s.outputs()) >= 2 })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	got := s.outputs()
	if len(got) != 2 || got[0] != "1790000000.0" || !strings.HasPrefix(got[1], "flood: 19 more alerts from ") || !strings.HasSuffix(got[1], "last: 1790000000.19") {
		t.Fatalf("results %q, want the first alert and a summary of 19", got)
	}
}

// What flood control holds outlives follow mode: after a shutdown it is
// in the state file, and the next run (or `ossec-nagios flush`) delivers
// the summary once the window is over.
func TestFloodHeldAcrossRestart(t *testing.T) {
	var skew atomic.Int64 // the test's clock runs ahead of the real one by this much
	clock := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	e, s, o, sf := floodEnv(t, time.Hour, clock)
	r := start(t, o)
	appendAlerts(t, e.path, e.f, 0, 20)
	fi, _ := os.Stat(e.path)
	waitFor(t, "every alert read", func() bool { c, _, _ := LoadCursor(e.cursor); return c.Offset == fi.Size() })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if got := s.outputs(); len(got) != 1 {
		t.Fatalf("got %q while the window is open, want only the first result", got)
	}
	skew.Store(int64(time.Hour + time.Second)) // the window is over
	r = start(t, o)
	waitFor(t, "the summary from the next run", func() bool { return len(s.outputs()) >= 2 })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	got := s.outputs()
	if len(got) != 2 || !strings.HasPrefix(got[1], "flood: 19 more alerts from ") {
		t.Fatalf("results %q, want the first alert and then a summary of 19", got)
	}
	if next, err := sf.Due(t.Context(), func(rs []bridge.Result) error { t.Errorf("emitted again: %v", rs); return nil }); err != nil || !next.IsZero() {
		t.Fatalf("state after the summary: next %v, %v; want nothing held", next, err)
	}
}

func TestBadCursorRefused(t *testing.T) {
	e := newEnv(t, formats[0])
	if err := os.WriteFile(e.cursor, []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Follow(t.Context(), e.opts(&fakeSender{}))
	if !errors.Is(err, ErrBadCursor) || !strings.Contains(err.Error(), e.cursor) {
		t.Fatalf("err = %v, want ErrBadCursor naming the file", err)
	}
}

func TestOptionsRequired(t *testing.T) {
	good := Options{Path: "a", CursorFile: "c", Map: idMap, Sender: &fakeSender{}}
	for _, tc := range []struct {
		name   string
		mutate func(*Options)
		want   string
	}{
		{"no path", func(o *Options) { o.Path = "" }, "no alerts file"},
		{"no cursor", func(o *Options) { o.CursorFile = "" }, "no cursor file"},
		{"no mapping", func(o *Options) { o.Map = nil }, "no mapping"},
		{"no sender", func(o *Options) { o.Sender = nil }, "no sender"},
		{"heartbeat without host", func(o *Options) { o.Heartbeat.Interval = time.Second }, "heartbeat without a host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.mutate(&o)
			err := Follow(t.Context(), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// Once reads to the current end, across a rotation, and returns; the next
// run starts where it stopped, without waiting for a quiet file.
func TestOnce(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			ext := filepath.Ext(f.file)
			rotate(t, e.path, datedPath(e.dir, ext, 24, 0))
			appendAlerts(t, e.path, f, 0, 40)
			rotate(t, e.path, datedPath(e.dir, ext, 25, 0))
			appendAlerts(t, e.path, f, 40, 70)
			s := &fakeSender{}
			o := e.opts(s)
			o.Once, o.Quiet = true, time.Hour
			// The cursor must point into the first file for it to be
			// finished: save one at its beginning, as a run before would.
			o.FromStart = true
			once := func() {
				t.Helper()
				done := make(chan error, 1)
				go func() { done <- Follow(context.Background(), o) }()
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
				case <-time.After(20 * time.Second):
					t.Fatal("Follow with Once did not return")
				}
			}
			// First run: no cursor, the current file from its start.
			once()
			wantExactlyOnce(t, s.ids(), 40, 70)
			appendAlerts(t, e.path, f, 70, 75)
			rotate(t, e.path, datedPath(e.dir, ext, 26, 0))
			appendAlerts(t, e.path, f, 75, 90)
			once()
			wantExactlyOnce(t, s.ids(), 40, 90)
			once()
			wantExactlyOnce(t, s.ids(), 40, 90)
			st, err := ReadStatus(e.status)
			if err != nil {
				t.Fatal(err)
			}
			if st.Lag != 0 || st.Alerts != 0 {
				t.Errorf("status after an idle run: %+v", st)
			}
		})
	}
}

// With Once, a delivery that fails and cannot be queued ends the run with
// the error; the alerts are read again by the next run.
func TestOnceDeliveryError(t *testing.T) {
	e := newEnv(t, formats[1])
	appendAlerts(t, e.path, e.f, 0, 10)
	s := &fakeSender{fail: errDown}
	o := e.opts(s)
	o.Once = true
	if err := Follow(context.Background(), o); !errors.Is(err, errDown) {
		t.Fatalf("err %v, want %v", err, errDown)
	}
	s.setFail(nil)
	mustFollow(t, o)
	wantExactlyOnce(t, s.ids(), 0, 10)
}

// slowSender takes d per result.
type slowSender struct {
	fakeSender
	d time.Duration
}

func (s *slowSender) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	time.Sleep(s.d)
	return s.fakeSender.SendCheck(ctx, host, service, state, output)
}

// A long catch-up (one read of a large backlog) keeps the status file
// current and the heartbeat going: the self-check must not take it for a
// dead process.
func TestStatusDuringCatchUp(t *testing.T) {
	e := newEnv(t, formats[1])
	appendAlerts(t, e.path, e.f, 0, 400)
	s := &slowSender{d: time.Millisecond}
	o := e.opts(s)
	o.Once, o.StatusInterval = true, 20*time.Millisecond
	o.Heartbeat = Heartbeat{Interval: 50 * time.Millisecond, Host: "nagios", Service: "ossec-nagios follow"}
	done := make(chan error, 1)
	go func() { done <- Follow(context.Background(), o) }()
	offsets := map[int64]bool{}
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		case <-time.After(5 * time.Millisecond):
			if st, err := ReadStatus(e.status); err == nil && st.Lag > 0 {
				offsets[st.Offset] = true
			}
		}
	}
	if len(offsets) < 3 {
		t.Errorf("status written with %d offsets during the catch-up, want several", len(offsets))
	}
	hb := 0
	for _, out := range s.outputs() {
		if strings.HasPrefix(out, "ossec-nagios follow alive") {
			hb++
		}
	}
	if hb < 2 {
		t.Errorf("%d heartbeats during the catch-up, want several", hb)
	}
	wantExactlyOnce(t, s.ids(), 0, 400)
}
