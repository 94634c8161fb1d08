package flood

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

var t0 = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// step is one event of a scenario: an offer, a Flush or a FlushAll at t0+at.
type step struct {
	at       time.Duration
	offer    *Item
	flushAll bool
	want     []string // results as "host/service STATE output"
}

func it(host, service string, state bridge.State, level int, out string) *Item {
	return &Item{Result: bridge.Result{Host: host, Service: service, State: state, Output: out, AlertID: "id-" + out}, Level: level}
}

func show(rs []bridge.Result) []string {
	var s []string
	for _, r := range rs {
		s = append(s, fmt.Sprintf("%s/%s %v %s", r.Host, r.Service, r.State, r.Output))
	}
	return s
}

const sec = time.Second

// TestMain pins the local time zone: summaries print local times.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}

var scenarios = []struct {
	name  string
	steps []step
}{
	{"first sent at once, rest held, one summary when the window closes", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 10, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 10 * sec, offer: it("web", "ssh", bridge.Warning, 11, "b")},
		{at: 20 * sec, offer: it("web", "ssh", bridge.OK, 3, "c")},
		{at: 299 * sec},
		{at: 300 * sec, want: []string{"web/ssh WARNING flood: 2 more alerts from 2024-06-01 12:00:10 to 12:00:20 UTC (window 5m), worst level 11: last: c"}},
		{at: 301 * sec},
	}},
	{"a rise in severity is sent at once and not counted", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 10, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 10 * sec, offer: it("web", "ssh", bridge.Warning, 10, "b")},
		{at: 20 * sec, offer: it("web", "ssh", bridge.Critical, 12, "c"), want: []string{"web/ssh CRITICAL c"}},
		{at: 30 * sec, offer: it("web", "ssh", bridge.Critical, 13, "d")},
		{at: 40 * sec, offer: it("web", "ssh", bridge.Warning, 10, "e")},
		{at: 300 * sec, want: []string{"web/ssh CRITICAL flood: 3 more alerts from 2024-06-01 12:00:10 to 12:00:40 UTC (window 5m), worst level 13: last: e"}},
	}},
	{"every rise is news: OK, WARNING, UNKNOWN, CRITICAL", []step{
		{at: 0, offer: it("web", "ssh", bridge.OK, 1, "a"), want: []string{"web/ssh OK a"}},
		{at: 1 * sec, offer: it("web", "ssh", bridge.OK, 2, "b")},
		{at: 2 * sec, offer: it("web", "ssh", bridge.Warning, 7, "c"), want: []string{"web/ssh WARNING c"}},
		{at: 3 * sec, offer: it("web", "ssh", bridge.Unknown, 0, "d"), want: []string{"web/ssh UNKNOWN d"}},
		{at: 4 * sec, offer: it("web", "ssh", bridge.Warning, 9, "e")},
		{at: 5 * sec, offer: it("web", "ssh", bridge.Critical, 12, "f"), want: []string{"web/ssh CRITICAL f"}},
		{at: 6 * sec, offer: it("web", "ssh", bridge.Critical, 15, "g")},
		{at: 300 * sec, want: []string{"web/ssh CRITICAL flood: 3 more alerts from 2024-06-01 12:00:01 to 12:00:06 UTC (window 5m), worst level 15: last: g"}},
	}},
	{"a summary never lowers the state Nagios shows", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 10, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 10 * sec, offer: it("web", "ssh", bridge.Critical, 12, "b"), want: []string{"web/ssh CRITICAL b"}},
		{at: 20 * sec, offer: it("web", "ssh", bridge.Warning, 10, "c")},
		{at: 300 * sec, want: []string{"web/ssh CRITICAL flood: 1 more alert at 2024-06-01 12:00:20 UTC (window 5m), worst level 10: last: c"}},
	}},
	{"after a summary the next window knows what Nagios shows", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 10, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 10 * sec, offer: it("web", "ssh", bridge.Warning, 10, "b")},
		{at: 300 * sec, want: []string{"web/ssh WARNING flood: 1 more alert at 2024-06-01 12:00:10 UTC (window 5m), worst level 10: last: b"}},
		{at: 350 * sec, offer: it("web", "ssh", bridge.Warning, 10, "c")},
		{at: 400 * sec, offer: it("web", "ssh", bridge.Critical, 12, "d"), want: []string{"web/ssh CRITICAL d"}},
		{at: 600 * sec, want: []string{"web/ssh CRITICAL flood: 1 more alert at 2024-06-01 12:05:50 UTC (window 5m), worst level 10: last: c"}},
		{at: 900 * sec},
		{at: 901 * sec, offer: it("web", "ssh", bridge.Warning, 10, "e"), want: []string{"web/ssh WARNING e"}},
	}},
	{"the alert's own time, when known, is the summary's", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 10, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 10 * sec, offer: &Item{Result: bridge.Result{Host: "web", Service: "ssh", State: bridge.Warning, Output: "b"}, Level: 10, Time: t0.Add(-time.Hour)}},
		{at: 20 * sec, offer: &Item{Result: bridge.Result{Host: "web", Service: "ssh", State: bridge.Warning, Output: "c"}, Level: 10, Time: t0.Add(-30 * time.Minute)}},
		{at: 300 * sec, want: []string{"web/ssh WARNING flood: 2 more alerts from 2024-06-01 11:00:00 to 11:30:00 UTC (window 5m), worst level 10: last: c"}},
	}},
	{"quiet window: the next result goes out at once", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 300 * sec},
		{at: 301 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b"), want: []string{"web/ssh WARNING b"}},
	}},
	{"quiet window without flush: the next result goes out at once", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 1000 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b"), want: []string{"web/ssh WARNING b"}},
	}},
	{"sustained flood: one summary per window", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 100 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b")},
		{at: 300 * sec, want: []string{"web/ssh WARNING flood: 1 more alert at 2024-06-01 12:01:40 UTC (window 5m), worst level 7: last: b"}},
		{at: 350 * sec, offer: it("web", "ssh", bridge.Warning, 8, "c")},
		{at: 500 * sec, offer: it("web", "ssh", bridge.Warning, 7, "d")},
		{at: 600 * sec, want: []string{"web/ssh WARNING flood: 2 more alerts from 2024-06-01 12:05:50 to 12:08:20 UTC (window 5m), worst level 8: last: d"}},
		{at: 900 * sec},
		{at: 901 * sec, offer: it("web", "ssh", bridge.Critical, 12, "e"), want: []string{"web/ssh CRITICAL e"}},
	}},
	{"a late offer emits the summary before its own result", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 10 * sec, offer: it("web", "ssh", bridge.Warning, 9, "b")},
		{at: 700 * sec, offer: it("web", "ssh", bridge.OK, 2, "c"), want: []string{
			"web/ssh WARNING flood: 1 more alert at 2024-06-01 12:00:10 UTC (window 5m), worst level 9: last: b",
			"web/ssh OK c",
		}},
	}},
	{"an offer for one service emits the closed windows of others", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 1 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b")},
		{at: 2 * sec, offer: it("db", "", bridge.Critical, 12, "h1"), want: []string{"db/ CRITICAL h1"}},
		{at: 3 * sec, offer: it("db", "", bridge.Critical, 13, "h2")},
		{at: 400 * sec, offer: it("mail", "smtp", bridge.OK, 1, "m"), want: []string{
			"web/ssh WARNING flood: 1 more alert at 2024-06-01 12:00:01 UTC (window 5m), worst level 7: last: b",
			"db/ CRITICAL flood: 1 more alert at 2024-06-01 12:00:03 UTC (window 5m), worst level 13: last: h2",
			"mail/smtp OK m",
		}},
	}},
	{"host, services and hosts are counted apart", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 1 * sec, offer: it("web", "", bridge.Warning, 7, "b"), want: []string{"web/ WARNING b"}},
		{at: 2 * sec, offer: it("web", "integrity", bridge.Warning, 7, "c"), want: []string{"web/integrity WARNING c"}},
		{at: 3 * sec, offer: it("web2", "ssh", bridge.Warning, 7, "d"), want: []string{"web2/ssh WARNING d"}},
		{at: 4 * sec, offer: it("web", "ssh", bridge.Warning, 7, "e")},
	}},
	{"a state out of range counts as UNKNOWN", []step{
		{at: 0, offer: it("web", "ssh", bridge.Unknown, 0, "a"), want: []string{"web/ssh UNKNOWN a"}},
		{at: 1 * sec, offer: it("web", "ssh", bridge.State(9), 5, "b")},
		{at: 300 * sec, want: []string{"web/ssh UNKNOWN flood: 1 more alert at 2024-06-01 12:00:01 UTC (window 5m), worst level 5: last: b"}},
	}},
	{"flush all emits open windows at shutdown", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 1 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b")},
		{at: 2 * sec, offer: it("db", "x", bridge.Warning, 7, "c"), want: []string{"db/x WARNING c"}},
		{at: 5 * sec, flushAll: true, want: []string{"web/ssh WARNING flood: 1 more alert at 2024-06-01 12:00:01 UTC (window 5m), worst level 7: last: b"}},
		{at: 6 * sec, offer: it("web", "ssh", bridge.Warning, 7, "d"), want: []string{"web/ssh WARNING d"}},
	}},
	{"clock stepped back by more than a window closes it", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: 10 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b")},
		{at: -1000 * sec, offer: it("web", "ssh", bridge.Warning, 7, "c"), want: []string{
			"web/ssh WARNING flood: 1 more alert at 2024-06-01 12:00:10 UTC (window 5m), worst level 7: last: b",
			"web/ssh WARNING c",
		}},
	}},
	{"clock stepped back a little keeps the window", []step{
		{at: 0, offer: it("web", "ssh", bridge.Warning, 7, "a"), want: []string{"web/ssh WARNING a"}},
		{at: -5 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b")},
	}},
	{"per-item window", []step{
		{at: 0, offer: &Item{Result: bridge.Result{Host: "web", Service: "ssh", State: bridge.Warning, Output: "a"}, Level: 7, Window: 1500 * time.Millisecond}, want: []string{"web/ssh WARNING a"}},
		{at: 1 * sec, offer: it("web", "ssh", bridge.Warning, 7, "b")},
		{at: 1500 * time.Millisecond, want: []string{"web/ssh WARNING flood: 1 more alert at 2024-06-01 12:00:01 UTC (window 1.5s), worst level 7: last: b"}},
	}},
}

func TestLimiterWindows(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			l, err := NewLimiter(Options{Window: 300 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range sc.steps {
				now := t0.Add(st.at)
				var got []bridge.Result
				switch {
				case st.offer != nil:
					got = l.Offer(*st.offer, now)
				case st.flushAll:
					got = l.FlushAll()
				default:
					got = l.Flush(now)
				}
				if fmt.Sprintf("%q", show(got)) != fmt.Sprintf("%q", st.want) {
					t.Fatalf("step %d at %v: got %q, want %q", i, st.at, show(got), st.want)
				}
			}
		})
	}
}

func TestSummaryAlertID(t *testing.T) {
	l, _ := NewLimiter(Options{Window: time.Minute})
	l.Offer(*it("web", "ssh", bridge.Warning, 7, "a"), t0)
	l.Offer(*it("web", "ssh", bridge.Warning, 7, "b"), t0)
	got := l.Flush(t0.Add(time.Minute))
	if len(got) != 1 || got[0].AlertID != "id-b" {
		t.Fatalf("summary %+v, want the last alert's id", got)
	}
}

func TestSummaryWithinMaxOutput(t *testing.T) {
	long := strings.Repeat("é€𝄞x", 300) // 1, 2, 3 and 4-byte sequences
	tests := []struct {
		name string
		max  int
		out  string
	}{
		{"nsca 512", 512, long},
		{"cut inside the prefix", 10, long},
		{"every cut point", 0, long}, // max = 1..120 below
		{"invalid utf-8", 64, strings.Repeat("\x80", 200)},
		{"short output fits", 512, "short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxes := []int{tt.max}
			if tt.max == 0 {
				maxes = nil
				for m := 1; m <= 120; m++ {
					maxes = append(maxes, m)
				}
			}
			for _, m := range maxes {
				l, _ := NewLimiter(Options{Window: time.Minute, MaxOutput: m})
				l.Offer(*it("web", "ssh", bridge.Warning, 7, "first"), t0)
				l.Offer(*it("web", "ssh", bridge.Warning, 12, tt.out), t0.Add(sec))
				got := l.Flush(t0.Add(time.Minute))
				if len(got) != 1 {
					t.Fatalf("max %d: %d results, want 1 summary", m, len(got))
				}
				o := got[0].Output
				if len(o) > m {
					t.Fatalf("max %d: output of %d bytes", m, len(o))
				}
				if utf8.ValidString(tt.out) && !utf8.ValidString(o) {
					t.Fatalf("max %d: cut inside a UTF-8 sequence: %q", m, o)
				}
				full := "flood: 1 more alert at 2024-06-01 12:00:01 UTC (window 1m), worst level 12: last: " + tt.out
				if len(full) > m && len(o) <= m-utf8.UTFMax {
					t.Fatalf("max %d: cut %d bytes short", m, m-len(o))
				}
				if len(full) <= m && o != full {
					t.Fatalf("max %d: %q cut, want %q", m, o, full)
				}
				if !strings.HasPrefix(full, o) {
					t.Fatalf("max %d: %q is not a prefix of the summary", m, o)
				}
			}
		})
	}
}

func TestLimiterNext(t *testing.T) {
	l, _ := NewLimiter(Options{Window: time.Minute})
	if _, ok := l.Next(); ok {
		t.Fatal("Next on an empty limiter reports a pending summary")
	}
	l.Offer(*it("a", "s", bridge.Warning, 7, "1"), t0)
	if _, ok := l.Next(); ok {
		t.Fatal("Next reports a summary for a window with nothing aggregated")
	}
	l.Offer(*it("b", "s", bridge.Warning, 7, "1"), t0.Add(10*sec))
	l.Offer(*it("b", "s", bridge.Warning, 7, "2"), t0.Add(20*sec))
	l.Offer(*it("a", "s", bridge.Warning, 7, "2"), t0.Add(30*sec))
	at, ok := l.Next()
	if !ok || !at.Equal(t0.Add(time.Minute)) {
		t.Fatalf("Next: %v, %v; want %v", at, ok, t0.Add(time.Minute))
	}
	if got := l.Flush(at); len(got) != 1 || got[0].Host != "a" {
		t.Fatalf("Flush at Next: %q, want a's summary", show(got))
	}
	at, ok = l.Next()
	if !ok || !at.Equal(t0.Add(70*sec)) {
		t.Fatalf("Next: %v, %v; want %v", at, ok, t0.Add(70*sec))
	}
	// Windows that closed empty are forgotten.
	l.Flush(t0.Add(time.Hour))
	if n := l.Len(); n != 0 {
		t.Fatalf("Len after everything closed: %d, want 0", n)
	}
}

func TestOptionsRefused(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"zero window", Options{}},
		{"negative window", Options{Window: -time.Second}},
		{"negative max output", Options{Window: time.Second, MaxOutput: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewLimiter(tt.opts); !errors.Is(err, ErrOptions) {
				t.Errorf("NewLimiter: %v, want ErrOptions", err)
			}
			if _, err := OpenStateFile(t.TempDir()+"/state", tt.opts); !errors.Is(err, ErrOptions) {
				t.Errorf("OpenStateFile: %v, want ErrOptions", err)
			}
		})
	}
}

// accounting checks that every offered result was sent at once or counted
// in a summary, exactly once: direct sends are the offered outputs, each at
// most once, and the summary counts make up the rest.
func accounting(t *testing.T, sent []bridge.Result, offered int) {
	t.Helper()
	direct := map[string]bool{}
	summarised := 0
	for _, r := range sent {
		if n, ok := summaryCount(r.Output); ok {
			c, err := strconv.Atoi(n)
			if err != nil || c < 1 {
				t.Fatalf("bad summary %q", r.Output)
			}
			summarised += c
			continue
		}
		if direct[r.Output] {
			t.Fatalf("%q sent twice", r.Output)
		}
		direct[r.Output] = true
	}
	if len(direct)+summarised != offered {
		t.Fatalf("%d sent + %d summarised = %d, want %d offered", len(direct), summarised, len(direct)+summarised, offered)
	}
	t.Logf("%d results offered: %d sent at once, %d in %d summaries", offered, len(direct), summarised, len(sent)-len(direct))
	if len(direct) == 0 || summarised == 0 {
		t.Fatalf("%d sent, %d summarised: the test did not exercise both", len(direct), summarised)
	}
}

// summaryCount returns the count of a summary's output.
func summaryCount(out string) (string, bool) {
	rest, ok := strings.CutPrefix(out, "flood: ")
	if !ok {
		return "", false
	}
	n, rest, ok := strings.Cut(rest, " more alert")
	return n, ok && strings.Contains(rest, "worst level ")
}

func TestLimiterConcurrent(t *testing.T) {
	l, _ := NewLimiter(Options{Window: 50 * time.Millisecond})
	const goroutines, n = 8, 200
	var mu sync.Mutex
	var sent []bridge.Result
	var wg sync.WaitGroup
	base := time.Now()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				// A synthetic clock so that windows open and close.
				now := base.Add(time.Duration(i) * time.Millisecond)
				out := l.Offer(*it("h"+strconv.Itoa(i%3), "s", bridge.State(i%4), i%16, fmt.Sprintf("g%d-%d", g, i)), now)
				out = append(out, l.Flush(now)...)
				mu.Lock()
				sent = append(sent, out...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sent = append(sent, l.FlushAll()...)
	accounting(t, sent, goroutines*n)
}

func TestNotFloodControlled(t *testing.T) {
	full := func(l *Limiter) {
		for i := 0; i < MaxWindows; i++ {
			l.t[key{"h" + strconv.Itoa(i), "s"}] = &window{Start: t0, End: t0.Add(time.Minute)}
		}
	}
	tests := []struct {
		name  string
		setup func(*Limiter)
		item  *Item
	}{
		{"empty host", nil, it("", "ssh", bridge.Warning, 7, "a")},
		{"key too long", nil, it(strings.Repeat("h", maxKeyBytes), "s", bridge.Warning, 7, "a")},
		{"too many windows", full, it("one-more", "s", bridge.Warning, 7, "a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, _ := NewLimiter(Options{Window: time.Minute})
			if tt.setup != nil {
				tt.setup(l)
			}
			before := l.Len()
			for i := 0; i < 3; i++ {
				if got := l.Offer(*tt.item, t0.Add(sec)); len(got) != 1 || got[0] != tt.item.Result {
					t.Fatalf("offer %d: %q, want the result sent at once", i, show(got))
				}
			}
			if l.Len() != before {
				t.Fatalf("%d windows, want %d: the result was recorded", l.Len(), before)
			}
		})
	}
}

func TestStoredOutputBounded(t *testing.T) {
	l, _ := NewLimiter(Options{Window: time.Minute}) // no MaxOutput
	l.Offer(*it("web", "ssh", bridge.Warning, 7, "a"), t0)
	long := *it("web", "ssh", bridge.Warning, 7, strings.Repeat("y", 3*maxStoredOutput))
	long.Result.AlertID = strings.Repeat("1", 1000)
	l.Offer(long, t0)
	got := l.Flush(t0.Add(time.Minute))
	if len(got) != 1 || !strings.HasSuffix(got[0].Output, "last: "+strings.Repeat("y", maxStoredOutput)) || len(got[0].AlertID) != maxStoredID {
		t.Fatalf("summary of %d bytes with alert id of %d bytes, want the last output cut to %d and the id to %d",
			len(got[0].Output), len(got[0].AlertID), maxStoredOutput, maxStoredID)
	}
}
