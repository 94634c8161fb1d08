package flood

import (
	"fmt"
	"sync"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// The window logic in memory, without the state file: the scenario tests
// run on it and on StateFile.

// Limiter is flood control in memory. It is safe for concurrent use.
type Limiter struct {
	mu   sync.Mutex
	opts Options
	t    table
}

// NewLimiter returns a Limiter with no window open.
func NewLimiter(opts Options) (*Limiter, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	return &Limiter{opts: opts, t: table{}}, nil
}

// Offer takes one result at time now and returns what to send now, in
// order: the summaries of windows that closed by now (of any host/service),
// then the item's own result if it opens a window. An item within an open
// window is aggregated and not returned.
func (l *Limiter) Offer(it Item, now time.Time) []bridge.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t.offer(it, now, l.opts)
}

// Flush returns the summaries of the windows closed by now. Call it when
// Next says, from a timer.
func (l *Limiter) Flush(now time.Time) []bridge.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t.flush(now, l.opts, false)
}

// FlushAll returns a summary for every window holding aggregated results,
// closed or not, and forgets all windows: for shutdown, so that nothing
// aggregated is lost.
func (l *Limiter) FlushAll() []bridge.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t.flush(time.Time{}, l.opts, true)
}

// Next returns when the earliest window holding aggregated results closes:
// the time for the caller's timer to call Flush. It reports false when no
// summary is pending.
func (l *Limiter) Next() (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.t.next()
}

// Len returns the number of (host, service) pairs with a window open.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.t)
}
