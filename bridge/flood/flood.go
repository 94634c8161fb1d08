// Package flood keeps a flood of alerts for one Nagios host/service from
// paging people dozens of times: per (host, service), within a window the
// first result goes out at once, later ones are aggregated, and when the
// window closes one summary goes out:
//
//	37 alerts in 300 s, worst level 12: last: <output of the last one>
//
// counting the aggregated results (not the one sent at once), with the worst
// state among them (OK < WARNING < UNKNOWN < CRITICAL) and within the
// caller's maximum output length. A window that
// closes with aggregated results is followed at once by another one, so a
// sustained flood yields one summary per window; a window that closes empty
// is forgotten, and the next result is sent at once again.
//
// It owns the window logic and the state file format, not the decision
// whether a service is flood controlled (the configuration's) nor delivery.
// Two front ends share the logic:
//
//   - Limiter, in memory, for follow mode: Offer each result, call Flush
//     when Next says a window closes (a timer), FlushAll at shutdown.
//   - StateFile, a small file shared by concurrent active-response
//     processes under flock(2). Each process offers its result and learns
//     what to send. A short-lived process cannot wait for a window to
//     close, so the summary of a closed window is emitted by the first
//     process that sees it closed (any offer checks every window) or by
//     StateFile.Flush, which `ossec-nagios flush` runs from cron: with that
//     cron entry no aggregated alert waits longer than a window plus the
//     cron period, and none is forgotten.
package flood

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// Item is a result offered to flood control, with the alert's rule level
// (for "worst level" in the summary), which a bridge.Result does not carry.
type Item struct {
	Result bridge.Result
	Level  int
	// Window, if positive, overrides Options.Window for this item's
	// (host, service) when it opens a window: per-service configuration.
	Window time.Duration
}

// Options configure flood control.
type Options struct {
	// Window is how long after a result is sent the later results for the
	// same (host, service) are aggregated. It must be positive.
	Window time.Duration
	// MaxOutput bounds a summary's output in bytes (the transport's
	// limit); it is cut at a UTF-8 boundary. Zero means no limit.
	MaxOutput int
	// Now is StateFile's clock, read under the lock; nil means time.Now.
	// The Limiter takes the time as an argument instead.
	Now func() time.Time
}

func (o Options) validate() error {
	if o.Window <= 0 {
		return fmt.Errorf("flood: window %v must be positive", o.Window)
	}
	if o.MaxOutput < 0 {
		return fmt.Errorf("flood: max output %d must not be negative", o.MaxOutput)
	}
	return nil
}

// Bounds on the flood state, in memory and in a state file.
const (
	// MaxWindows is the most (host, service) pairs with a window open;
	// results for further pairs are sent at once, without flood control.
	MaxWindows = 10000
	// maxKeyBytes is the longest host plus service under flood control;
	// longer ones (Nagios has none) are sent at once.
	maxKeyBytes = 1024
	// maxStoredOutput and maxStoredID bound the last aggregated result's
	// output and alert id kept for the summary: 4096 bytes is the largest
	// NSCA packet's output.
	maxStoredOutput = 4096
	maxStoredID     = 256
)

type key struct{ host, service string }

// window is the state of one (host, service).
type window struct {
	Start, End time.Time
	Count      int // results aggregated, not sent, in this window
	Worst      bridge.State
	WorstLevel int
	Last       bridge.Result // the last aggregated result
}

// severity orders states for "worst state wins": CRITICAL is worse than
// UNKNOWN, which is worse than WARNING.
func severity(s bridge.State) int {
	switch s {
	case bridge.OK:
		return 0
	case bridge.Warning:
		return 1
	case bridge.Unknown:
		return 2
	case bridge.Critical:
		return 3
	}
	return 2 // out of range: as bad as UNKNOWN
}

// closed reports whether w is over at now. A clock that stepped back before
// the window's start by more than its length also closes it, so that a
// window cannot stay open for as long as the clock was wrong.
func (w *window) closed(now time.Time) bool {
	return !now.Before(w.End) || now.Before(w.Start.Add(-w.End.Sub(w.Start)))
}

func (w *window) add(it Item, maxOutput int) {
	r := it.Result
	if r.State < bridge.OK || r.State > bridge.Unknown {
		r.State = bridge.Unknown // not a Nagios state: count it as one
	}
	if w.Count == 0 || severity(r.State) > severity(w.Worst) {
		w.Worst = r.State
	}
	if w.Count == 0 || it.Level > w.WorstLevel {
		w.WorstLevel = it.Level
	}
	limit := maxStoredOutput
	if maxOutput > 0 && maxOutput < limit {
		limit = maxOutput
	}
	r.Output = truncate(r.Output, limit)
	r.AlertID = truncate(r.AlertID, maxStoredID)
	w.Last = r
	w.Count++
}

// table is the flood state of every (host, service); not safe for
// concurrent use.
type table map[key]*window

func (t table) offer(it Item, now time.Time, o Options) []bridge.Result {
	out := t.flush(now, o, false)
	k := key{it.Result.Host, it.Result.Service}
	if w := t[k]; w != nil {
		w.add(it, o.MaxOutput)
		return out
	}
	if k.host == "" || len(k.host)+len(k.service) > maxKeyBytes || len(t) >= MaxWindows {
		// Not a key flood control can keep: send it, record nothing.
		return append(out, it.Result)
	}
	d := o.Window
	if it.Window > 0 {
		d = it.Window
	}
	t[k] = &window{Start: now, End: now.Add(d)}
	return append(out, it.Result)
}

// flush returns the summaries of the windows closed at now (of every window
// with aggregated results when all is set), oldest window first, and
// forgets the windows that are over.
func (t table) flush(now time.Time, o Options, all bool) []bridge.Result {
	var due []key
	for k, w := range t {
		if all || w.closed(now) {
			due = append(due, k)
		}
	}
	if len(due) == 0 {
		return nil
	}
	t.sortKeys(due)
	var out []bridge.Result
	for _, k := range due {
		w := t[k]
		for all || w.closed(now) {
			if w.Count == 0 {
				delete(t, k)
				break
			}
			out = append(out, summary(k, w, o.MaxOutput))
			if all {
				delete(t, k)
				break
			}
			// The flood may go on: aggregate into the next window.
			d := w.End.Sub(w.Start)
			*w = window{Start: w.End, End: w.End.Add(d)}
		}
	}
	return out
}

// keys returns every key, in sortKeys order.
func (t table) keys() []key {
	ks := make([]key, 0, len(t))
	for k := range t {
		ks = append(ks, k)
	}
	t.sortKeys(ks)
	return ks
}

// sortKeys orders keys by window end, then host and service, so that
// summaries come out in a stable order.
func (t table) sortKeys(ks []key) {
	slices.SortFunc(ks, func(a, b key) int {
		if c := t[a].End.Compare(t[b].End); c != 0 {
			return c
		}
		if c := strings.Compare(a.host, b.host); c != 0 {
			return c
		}
		return strings.Compare(a.service, b.service)
	})
}

// next returns the earliest end of a window holding aggregated results.
func (t table) next() (time.Time, bool) {
	var at time.Time
	found := false
	for _, w := range t {
		if w.Count > 0 && (!found || w.End.Before(at)) {
			at, found = w.End, true
		}
	}
	return at, found
}

// summaryText returns "37 alerts in 300 s, worst level 12: last: ...".
func summaryText(count int, window time.Duration, worstLevel int, lastOutput string, maxOutput int) string {
	noun := "alerts"
	if count == 1 {
		noun = "alert"
	}
	s := strconv.Itoa(count) + " " + noun + " in " + strconv.FormatFloat(window.Seconds(), 'f', -1, 64) +
		" s, worst level " + strconv.Itoa(worstLevel) + ": last: " + lastOutput
	if maxOutput > 0 {
		s = truncate(s, maxOutput)
	}
	return s
}

func summary(k key, w *window, maxOutput int) bridge.Result {
	return bridge.Result{
		Host:    k.host,
		Service: k.service,
		State:   w.Worst,
		Output:  summaryText(w.Count, w.End.Sub(w.Start), w.WorstLevel, w.Last.Output, maxOutput),
		AlertID: w.Last.AlertID,
	}
}

// truncate cuts s to at most limit bytes without splitting a UTF-8
// sequence.
func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	// A run of continuation bytes (invalid UTF-8) has no start to back up
	// to within reach: cut at the limit rather than drop everything.
	if cut == 0 || limit-cut >= utf8.UTFMax {
		cut = limit
	}
	return s[:cut]
}

// Limiter is flood control in memory, for follow mode. It is safe for
// concurrent use.
type Limiter struct {
	mu   sync.Mutex
	opts Options
	t    table
}

// ErrOptions is wrapped by the errors of NewLimiter and OpenStateFile for
// invalid options.
var ErrOptions = errors.New("flood: invalid options")

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
