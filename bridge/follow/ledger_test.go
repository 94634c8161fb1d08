package follow

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/flood"
)

func res(s string) bridge.Result { return bridge.Result{Host: "h", Service: "s", Output: s} }

func outputs(rs []bridge.Result) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Output)
	}
	return out
}

// The cursor moves past an alert only once every result of it was sent
// or queued; what was consumed after that is read again.
func TestLedgerDelivered(t *testing.T) {
	// Alerts end at 10, 20 (two results: a summary and itself), 30; the
	// alert ending at 40 was filtered (no result).
	fill := func(l *ledger) {
		l.reset(5)
		l.add(res("a"), 10)
		l.consume(10)
		l.add(res("b1"), 20)
		l.add(res("b2"), 20)
		l.consume(20)
		l.add(res("c"), 30)
		l.consume(30)
		l.consume(40)
	}
	for _, tc := range []struct {
		name    string
		handled int
		want    int64
	}{
		{"all handled: after every alert consumed", 4, 40},
		{"none handled: the cursor stays", 0, 5},
		{"the first alert handled", 1, 10},
		{"half of an alert's results: not past it", 2, 10},
		{"both of its results", 3, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l ledger
			fill(&l)
			if got := len(l.batch()); got != 4 {
				t.Fatalf("batch of %d", got)
			}
			if got := l.delivered(tc.handled, 5); got != tc.want {
				t.Errorf("cursor to %d, want %d", got, tc.want)
			}
			if len(l.batch()) != 0 || l.due(1) {
				t.Errorf("after delivery: batch %v, consumed %d", outputs(l.batch()), l.consumed)
			}
			// A later flush with nothing new (as at shutdown after a
			// failed delivery) does not move the cursor past what failed.
			if got := l.delivered(0, tc.want); got != tc.want {
				t.Errorf("empty flush moved the cursor to %d, want %d", got, tc.want)
			}
		})
	}
}

func TestLedgerEmptyBatchCommitsSkipped(t *testing.T) {
	var l ledger
	l.reset(100)
	l.consume(150) // filtered
	l.skip(140)    // never backwards
	if got := l.delivered(0, 100); got != 150 {
		t.Errorf("cursor to %d, want 150", got)
	}
	l.skip(170) // blank lines
	if got := l.delivered(0, 150); got != 170 {
		t.Errorf("cursor to %d, want 170", got)
	}
}

func TestLedgerDue(t *testing.T) {
	var l ledger
	l.reset(0)
	for i := 1; i <= 3; i++ {
		if l.due(3) {
			t.Fatalf("due after %d alerts", i-1)
		}
		l.consume(int64(i * 10))
	}
	if !l.due(3) {
		t.Fatal("not due after 3 alerts")
	}
	l.delivered(0, 0)
	if l.due(1) {
		t.Error("still due after a delivery")
	}
	l.consume(40)
	l.reset(0) // a new file, or the same one read again
	if l.due(1) || len(l.batch()) != 0 || l.delivered(0, 0) != 0 {
		t.Error("reset kept state")
	}
}

// Flood control's answers take the places of the results offered, in the
// order of the alerts; an offer it holds back leaves no place.
func TestLedgerPlace(t *testing.T) {
	var l ledger
	l.reset(0)
	l.add(res("a"), 10)
	l.addOffer(flood.Item{Result: res("b")}, 20)
	l.add(res("c"), 30)
	l.addOffer(flood.Item{Result: res("d")}, 40)
	l.consume(40)
	var offered []string
	for _, it := range l.offers() {
		offered = append(offered, it.Result.Output)
	}
	if !reflect.DeepEqual(offered, []string{"b", "d"}) {
		t.Fatalf("offers %v", offered)
	}
	l.place([][]bridge.Result{nil, {res("d-summary"), res("d")}})
	if got, want := outputs(l.batch()), []string{"a", "c", "d-summary", "d"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("batch %v, want %v", got, want)
	}
	if len(l.offers()) != 0 {
		t.Error("offers left after place")
	}
	// The held-back alert (20) is done; the alert at 40 is not until both
	// of its results are handled.
	for handled, want := range []int64{0, 10, 30, 30, 40} {
		var m ledger
		m.results, m.ends, m.pending = append([]bridge.Result(nil), l.results...), append([]int64(nil), l.ends...), l.pending
		if got := m.delivered(handled, 0); got != want {
			t.Errorf("handled %d: cursor to %d, want %d", handled, got, want)
		}
	}
}

func TestLedgerPlaceFailOpen(t *testing.T) {
	// An offer flood control gave no answer for is sent as it is.
	var l ledger
	l.reset(0)
	for i := 1; i <= 3; i++ {
		l.addOffer(flood.Item{Result: res(strconv.Itoa(i))}, int64(i))
	}
	l.place([][]bridge.Result{{res("1")}, {res("2")}}) // the third unanswered
	if got := outputs(l.batch()); !reflect.DeepEqual(got, []string{"1", "2", "3"}) {
		t.Errorf("batch %v", got)
	}
}
