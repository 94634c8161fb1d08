package follow

import (
	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/flood"
)

// ledger is follow mode's cursor bookkeeping between two cursor commits:
// the batch of results in the order of the alerts they came from, the
// offset after each one's alert, and the offset after the last alert
// consumed. It carries the guarantee "the cursor moves only after a
// result is sent or queued": delivered says how far the cursor may move
// for the results handled, never past an alert with a result that was
// not.
//
// Flood-controlled results hold a place in the batch until flood control
// says what to send for them (offers, place).
type ledger struct {
	results  []bridge.Result
	ends     []int64 // offset after the alert each result came from
	offered  []flood.Item
	offerAt  []int // offered[i] holds the place results[offerAt[i]]
	pending  int64 // offset after the last alert consumed (or bytes skipped)
	consumed int   // alerts consumed since the last delivery
}

// reset empties the ledger for a file whose committed cursor is at off.
func (l *ledger) reset(off int64) {
	l.results, l.ends = l.results[:0], l.ends[:0]
	l.offered, l.offerAt = l.offered[:0], l.offerAt[:0]
	l.pending, l.consumed = off, 0
}

// consume records that the alert ending at end was read (whatever became
// of it: a result, filtered, not mapped).
func (l *ledger) consume(end int64) {
	l.pending = end
	l.consumed++
}

// skip records bytes up to off that hold no alert (blank lines, garbage,
// an incomplete line at the end of a rotated file).
func (l *ledger) skip(off int64) { l.pending = max(l.pending, off) }

// add queues r, a result of the alert ending at end.
func (l *ledger) add(r bridge.Result, end int64) {
	l.results, l.ends = append(l.results, r), append(l.ends, end)
}

// addOffer queues a flood-controlled result of the alert ending at end:
// it holds its place until place fills it.
func (l *ledger) addOffer(it flood.Item, end int64) {
	l.offered, l.offerAt = append(l.offered, it), append(l.offerAt, len(l.results))
	l.add(it.Result, end)
}

// offers returns the flood-controlled results waiting for place.
func (l *ledger) offers() []flood.Item { return l.offered }

// place puts out[i], what flood control sends for offers()[i] (nothing,
// the result, or summaries), in that offer's place; an offer without an
// answer keeps its own result.
func (l *ledger) place(out [][]bridge.Result) {
	if len(l.offered) == 0 {
		return
	}
	results, ends := make([]bridge.Result, 0, len(l.results)), make([]int64, 0, len(l.ends))
	j := 0
	for i := range l.results {
		if j < len(l.offerAt) && l.offerAt[j] == i {
			send := []bridge.Result{l.results[i]} // no answer: fail open
			if j < len(out) {
				send = out[j]
			}
			for _, r := range send {
				results, ends = append(results, r), append(ends, l.ends[i])
			}
			j++
			continue
		}
		results, ends = append(results, l.results[i]), append(ends, l.ends[i])
	}
	l.results, l.ends = results, ends
	l.offered, l.offerAt = l.offered[:0], l.offerAt[:0]
}

// batch returns the results to deliver.
func (l *ledger) batch() []bridge.Result { return l.results }

// due reports whether n alerts were consumed since the last delivery.
func (l *ledger) due(n int) bool { return l.consumed >= n }

// delivered records the delivery of the batch, of which the first handled
// results were sent or queued, empties it and returns the offset the
// cursor moves to from committed: after every alert consumed when every
// result was handled; else after the last alert all of whose results were
// handled (committed when none). What was consumed after that offset is
// no longer pending: it is read again.
func (l *ledger) delivered(handled int, committed int64) int64 {
	to := l.pending
	if handled < len(l.results) {
		to = committed
		for i := handled; i > 0; i-- {
			// The alert of results[i-1] is done unless results[i] is one
			// of its results too.
			if l.ends[i-1] != l.ends[i] {
				to = l.ends[i-1]
				break
			}
		}
	}
	l.results, l.ends = l.results[:0], l.ends[:0]
	l.pending, l.consumed = to, 0
	return to
}
