// Package flood keeps a flood of alerts for one Nagios host/service from
// paging people dozens of times ("one incident, one page"; Alertmanager's
// group_wait / group_interval is the model). Per (host, service):
//
//   - the first result goes out at once and opens a window;
//
//   - a result within the window whose state is worse than any the window
//     sent (WARNING, then UNKNOWN, then CRITICAL) is news: it goes out at
//     once and is not counted;
//
//   - every other result within the window is held: counted, with the
//     worst state and level, the time of the first and last held alert
//     and the last one's output;
//
//   - when the window closes with held results, one summary goes out:
//
//     flood: 199 more alerts from 2026-12-06 20:01:02 to 20:02:01 UTC (window 5m), worst level 10: last: <output>
//
//     with the worst state of the window (held or sent at once, so that a
//     summary never lowers what Nagios shows), within the caller's maximum
//     output length, and the next window opens at once, so a sustained
//     flood yields one summary per window; a window that closes with
//     nothing held is forgotten, and the next result is sent at once again.
//
// It owns the window logic and the state file format, not the decision
// whether a service is flood controlled or its window (the
// configuration's) nor delivery. Its front end is StateFile, a small file
// shared by concurrent processes under flock(2): the active response,
// follow mode, `ossec-nagios flush` and the background flusher. What is
// held is in the file before an operation returns, so a crash loses
// nothing held. A short-lived process cannot wait for a window to close:
// the summary of a closed window is emitted by the first operation that
// sees it closed (any offer checks every window) or by StateFile.Due,
// which flush (cron), follow mode and the background flusher run. Due
// hands summaries over under the lock and forgets them only once the
// caller made them durable; a summary an offer returns is the caller's to
// send or spool, in order before the offered result (a process killed
// between the two loses it).
package flood

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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
	// Time is when the alert happened, for the summary's first and last
	// times; zero means when it was offered.
	Time time.Time
}

// Options configure flood control.
type Options struct {
	// Window is how long after a result is sent the later results for the
	// same (host, service) are held, for an Item without its own Window.
	// It must be positive.
	Window time.Duration
	// MaxOutput bounds a summary's output in bytes (the transport's
	// limit); it is cut at a UTF-8 boundary. Zero means no limit.
	MaxOutput int
	// Now is StateFile's clock, read under the lock; nil means time.Now.
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
	// Sent is the worst state Nagios was given in this window: by the
	// result that opened it, a rise sent at once, or the summary that
	// closed the window before it.
	Sent       bridge.State
	Count      int // results held, not sent, in this window
	Worst      bridge.State
	WorstLevel int
	// First and LastAt are the alert times of the first and the last
	// held result.
	First, LastAt time.Time
	Last          bridge.Result // the last held result
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

// worse returns the worse of two states.
func worse(a, b bridge.State) bridge.State {
	if severity(b) > severity(a) {
		return b
	}
	return a
}

// nagiosState maps a state out of range to UNKNOWN.
func nagiosState(s bridge.State) bridge.State {
	if s < bridge.OK || s > bridge.Unknown {
		return bridge.Unknown
	}
	return s
}

// closed reports whether w is over at now. A clock that stepped back before
// the window's start by more than its length also closes it, so that a
// window cannot stay open for as long as the clock was wrong.
func (w *window) closed(now time.Time) bool {
	return !now.Before(w.End) || now.Before(w.Start.Add(-w.End.Sub(w.Start)))
}

func (w *window) add(it Item, now time.Time, maxOutput int) {
	r := it.Result
	r.State = nagiosState(r.State)
	at := it.Time
	if at.IsZero() {
		at = now
	}
	if w.Count == 0 || severity(r.State) > severity(w.Worst) {
		w.Worst = r.State
	}
	if w.Count == 0 || it.Level > w.WorstLevel {
		w.WorstLevel = it.Level
	}
	if w.Count == 0 || at.Before(w.First) {
		w.First = at
	}
	if w.Count == 0 || at.After(w.LastAt) {
		w.LastAt = at
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
	state := nagiosState(it.Result.State)
	if w := t[k]; w != nil {
		if severity(state) > severity(w.Sent) {
			// A rise in severity is news: sent at once, not counted.
			w.Sent = state
			return append(out, it.Result)
		}
		w.add(it, now, o.MaxOutput)
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
	t[k] = &window{Start: now, End: now.Add(d), Sent: state}
	return append(out, it.Result)
}

// flush returns the summaries of the windows closed at now (of every window
// with held results when all is set), oldest window first, and forgets
// the windows that are over.
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
			sum := summary(k, w, o.MaxOutput)
			out = append(out, sum)
			if all {
				delete(t, k)
				break
			}
			// The flood may go on: hold into the next window, which
			// starts from what the summary told Nagios.
			d := w.End.Sub(w.Start)
			*w = window{Start: w.End, End: w.End.Add(d), Sent: sum.State}
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

// summaryText returns "flood: 199 more alerts from 2026-12-06 20:01:02
// to 20:02:01 UTC (window 5m), worst level 10: last: <output>", the times
// in the local time zone.
func summaryText(w *window, maxOutput int) string {
	var b strings.Builder
	b.WriteString("flood: ")
	b.WriteString(strconv.Itoa(w.Count))
	first, last := w.First.Local(), w.LastAt.Local()
	const day, clock = "2006-01-02 ", "15:04:05"
	if w.Count == 1 {
		b.WriteString(" more alert at " + first.Format(day+clock+" MST"))
	} else {
		b.WriteString(" more alerts from " + first.Format(day+clock) + " to ")
		if last.Format(day) == first.Format(day) {
			b.WriteString(last.Format(clock + " MST"))
		} else {
			b.WriteString(last.Format(day + clock + " MST"))
		}
	}
	b.WriteString(" (window " + Duration(w.End.Sub(w.Start)) + "), worst level " + strconv.Itoa(w.WorstLevel) + ": last: " + w.Last.Output)
	s := b.String()
	if maxOutput > 0 {
		s = truncate(s, maxOutput)
	}
	return s
}

// Duration formats d the way the INI writes it: 5m, 90s, 1h, 1h30m.
func Duration(d time.Duration) string {
	if d <= 0 || d%time.Second != 0 {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatInt(int64(d/time.Second), 10) + "s")
	}
	return b.String()
}

func summary(k key, w *window, maxOutput int) bridge.Result {
	return bridge.Result{
		Host:    k.host,
		Service: k.service,
		State:   worse(w.Worst, w.Sent),
		Output:  summaryText(w, maxOutput),
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

// ErrOptions is wrapped by the errors of OpenStateFile for
// invalid options.
var ErrOptions = errors.New("flood: invalid options")
