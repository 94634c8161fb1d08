package health

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// Limit is one threshold. As in the plugin guidelines, where a plain
// "-w 10" is the range 0..10, a value above Max is a problem. The zero
// Limit is off.
type Limit struct {
	Max int64
	On  bool
}

// At returns the Limit that a value above n exceeds.
func At(n int64) Limit { return Limit{Max: n, On: true} }

func (l Limit) exceeded(v int64) bool { return l.On && v > l.Max }

func (l Limit) String() string {
	if !l.On {
		return "off"
	}
	return strconv.FormatInt(l.Max, 10)
}

// Pair is a warning and a critical threshold of one value.
type Pair struct{ Warn, Crit Limit }

func (p Pair) state(v int64) bridge.State {
	switch {
	case p.Crit.exceeded(v):
		return bridge.Critical
	case p.Warn.exceeded(v):
		return bridge.Warning
	}
	return bridge.OK
}

// limit returns the threshold that state s exceeded.
func (p Pair) limit(s bridge.State) Limit {
	if s == bridge.Critical {
		return p.Crit
	}
	return p.Warn
}

// Thresholds are what Evaluate judges the Facts against. Ages are in
// seconds, the lag in bytes.
type Thresholds struct {
	Depth       Pair // results waiting in the spool
	Age         Pair // seconds the oldest spooled result has waited
	Quarantined Pair // unreadable results set aside in the spool's quarantine
	Lag         Pair // bytes of alerts follow mode has not delivered yet
	Stale       Pair // seconds since follow mode last wrote its status (it rewrites it every 10 s)
	Delivery    Pair // seconds since the last successful delivery
	// RequireFollow makes a missing status file CRITICAL: follow mode is
	// meant to run. Without it, no status file means follow mode is not
	// in use, which is fine.
	RequireFollow bool
}

// DefaultThresholds are the thresholds of `ossec-nagios check` with no
// flags: a backlog of 10 results, or one 5 minutes old (flush runs every
// minute), warns; 100 results or 30 minutes is critical; any quarantined
// result warns (a result was lost and someone should look); follow mode
// 1 MiB behind warns, 10 MiB is critical; a status file not rewritten for
// 60 s warns and for 300 s is critical (follow mode is dead or stuck).
// The time since the last delivery is reported but not judged: with
// active responses only, a quiet week delivers nothing.
func DefaultThresholds() Thresholds {
	return Thresholds{
		Depth:       Pair{At(10), At(100)},
		Age:         Pair{At(300), At(1800)},
		Quarantined: Pair{Warn: At(0)},
		Lag:         Pair{At(1 << 20), At(10 << 20)},
		Stale:       Pair{At(60), At(300)},
	}
}

// Perf is one performance data item.
type Perf struct {
	Label string
	Value int64
	Known bool   // false: the value could not be determined ("U")
	UOM   string // "", "s" or "B"
	Th    Pair
}

func (p Perf) String() string {
	v := "U"
	if p.Known {
		v = strconv.FormatInt(p.Value, 10) + p.UOM
	}
	lim := func(l Limit) string {
		if !l.On {
			return ""
		}
		return strconv.FormatInt(l.Max, 10)
	}
	return p.Label + "=" + v + ";" + lim(p.Th.Warn) + ";" + lim(p.Th.Crit) + ";0;"
}

// Report is one plugin result.
type Report struct {
	State bridge.State
	Text  string   // the first line's text after "OSSEC-NAGIOS STATE - "
	Perf  []Perf   // performance data, after the first line's "|"
	Long  []string // the lines after the first: each problem, then details
}

// Unknown is the report of a check that could not run: bad flags, an
// unreadable configuration.
func Unknown(msg string) Report {
	return Report{State: bridge.Unknown, Text: clean(msg)}
}

// String formats the report as the plugin guidelines ask: one line
// "OSSEC-NAGIOS STATE - text | perfdata", then the long text, with a
// final newline. Nothing from the facts can add a "|" or a line.
func (r Report) String() string {
	var b strings.Builder
	b.WriteString("OSSEC-NAGIOS " + r.State.String() + " - " + r.Text)
	for i, p := range r.Perf {
		if i == 0 {
			b.WriteString(" |")
		}
		b.WriteString(" " + p.String())
	}
	b.WriteByte('\n')
	for _, l := range r.Long {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// rank orders the states for the overall verdict: CRITICAL, then WARNING,
// then UNKNOWN (a part that could not be read), then OK.
func rank(s bridge.State) int {
	switch s {
	case bridge.Critical:
		return 3
	case bridge.Warning:
		return 2
	case bridge.Unknown:
		return 1
	}
	return 0
}

// evaluation collects the verdict while Evaluate walks the facts.
type evaluation struct {
	state    bridge.State
	parts    []string
	problems []string
	details  []string
}

func (e *evaluation) raise(s bridge.State, problem string) {
	if s == bridge.OK {
		return
	}
	if rank(s) > rank(e.state) {
		e.state = s
	}
	e.problems = append(e.problems, s.String()+": "+clean(problem))
}

// judge raises the state a Pair gives v, with a problem naming what and
// the threshold exceeded.
func (e *evaluation) judge(p Pair, v int64, what string, unit func(int64) string) {
	s := p.state(v)
	if s != bridge.OK {
		e.raise(s, fmt.Sprintf("%s %s > %s", what, unit(v), unit(p.limit(s).Max)))
	}
}

// Evaluate judges the facts against the thresholds.
func Evaluate(f Facts, th Thresholds) Report {
	e := &evaluation{}
	var perf []Perf

	// The spool.
	depth := Perf{Label: "spool", Th: th.Depth}
	age := Perf{Label: "spool_age", UOM: "s", Th: th.Age}
	quar := Perf{Label: "quarantined", Th: th.Quarantined}
	if f.SpoolErr != nil {
		e.parts = append(e.parts, "spool unreadable")
		e.raise(bridge.Unknown, "cannot read the spool: "+f.SpoolErr.Error())
	} else {
		st := f.Spool
		depth.Value, depth.Known = int64(st.Depth), true
		age.Known = true
		quar.Value, quar.Known = int64(st.Quarantined), true
		part := "spool empty"
		if st.Depth > 0 {
			age.Value = seconds(f.Now.Sub(st.Oldest))
			part = fmt.Sprintf("spool %s (oldest %s)", plural(st.Depth, "result"), human(age.Value))
		}
		if st.Quarantined > 0 {
			part += fmt.Sprintf(", %d quarantined", st.Quarantined)
		}
		e.parts = append(e.parts, part)
		e.judge(th.Depth, depth.Value, "spool depth", count)
		e.judge(th.Age, age.Value, "oldest spooled result waiting", secs)
		e.judge(th.Quarantined, quar.Value, "quarantined results", count)
		if st.Quarantined > 0 {
			d := "quarantine: " + clean(f.SpoolDir+"/quarantine") + " holds results refused for good (the reason is in the .why file beside each) or unreadable: look at them, then remove them, or move them back into the spool to send them again"
			if st.LastReason != "" {
				d += "; latest: " + clean(st.LastReason)
			}
			e.details = append(e.details, d)
		}
	}
	e.details = append(e.details, "spool: "+clean(f.SpoolDir))
	perf = append(perf, depth, age, quar)

	// Follow mode.
	lag := Perf{Label: "lag", UOM: "B", Th: th.Lag}
	stale := Perf{Label: "follow_age", UOM: "s", Th: th.Stale}
	switch {
	case f.FollowErr != nil:
		e.parts = append(e.parts, "follow status unreadable")
		e.raise(bridge.Unknown, "cannot read follow mode's status: "+f.FollowErr.Error())
	case f.Follow == nil && th.RequireFollow:
		e.parts = append(e.parts, "follow not running")
		e.raise(bridge.Critical, "follow mode has no status file: it never ran with this configuration, or the file was removed")
	case f.Follow == nil:
		e.parts = append(e.parts, "follow not in use")
		if f.FollowIgnored != "" {
			e.details = append(e.details, "follow status "+clean(f.FollowIgnored)+" ignored: follow mode is not configured to run ([follow] enabled = yes, or check -follow); remove it if it was left by a follow -once")
		}
	default:
		st := f.Follow
		lag.Value, lag.Known = max(st.Lag, 0), true
		if f.FileSize > st.Size {
			lag.Value += f.FileSize - st.Size // written since the status was saved
		}
		stale.Value, stale.Known = seconds(f.Now.Sub(st.Updated)), true
		part := "follow lag " + size(lag.Value)
		if s := th.Stale.state(stale.Value); s != bridge.OK {
			part += ", status " + human(stale.Value) + " old"
			e.raise(s, fmt.Sprintf("follow mode has not updated its status for %s > %s: is it running? (pid %d)", secs(stale.Value), secs(th.Stale.limit(s).Max), st.PID))
		}
		e.parts = append(e.parts, part)
		e.judge(th.Lag, lag.Value, "follow lag", byteCount)
		d := fmt.Sprintf("follow: pid %d reads %s at offset %d of %d B", st.PID, st.Path, st.Offset, st.Size)
		if st.LastError != "" {
			d += ", last error: " + st.LastError
		}
		e.details = append(e.details, clean(d))
	}
	if f.StatusFile != "" {
		e.details = append(e.details, "follow status: "+clean(f.StatusFile))
	}
	perf = append(perf, lag, stale)

	// The last delivery.
	last := Perf{Label: "last_delivery", UOM: "s", Th: th.Delivery}
	if t := f.LastDelivery(); t.IsZero() {
		e.parts = append(e.parts, "no delivery recorded")
		if th.Delivery.Warn.On || th.Delivery.Crit.On {
			s := bridge.Warning
			if !th.Delivery.Warn.On {
				s = bridge.Critical
			}
			e.raise(s, "no delivery recorded")
		}
	} else {
		last.Value, last.Known = seconds(f.Now.Sub(t)), true
		e.parts = append(e.parts, "last delivery "+human(last.Value)+" ago")
		e.judge(th.Delivery, last.Value, "last delivery", secs)
	}
	if f.StampErr != nil {
		if errors.Is(f.StampErr, safefile.ErrNotRegular) {
			e.raise(bridge.Warning, "the delivery stamp was replaced by a link or special file (someone tampered with the spool): "+f.StampErr.Error())
		} else {
			e.details = append(e.details, clean("delivery stamp unreadable: "+f.StampErr.Error()))
		}
	}

	// A delivery that failed in a way only a person can fix, with no
	// delivery since.
	switch {
	case f.FailureErr != nil:
		e.raise(bridge.Unknown, "cannot read the failure record: "+f.FailureErr.Error())
	case f.Failure != nil && !f.Failure.Time.Before(f.LastDelivery()):
		ago := seconds(f.Now.Sub(f.Failure.Time))
		e.parts = append([]string{"DELIVERY FAILING (" + human(ago) + " ago)"}, e.parts...)
		e.raise(bridge.Critical, "delivery failed "+human(ago)+" ago and none succeeded since: "+f.Failure.Reason)
	}
	perf = append(perf, last)

	return Report{
		State: e.state,
		Text:  strings.Join(e.parts, ", "),
		Perf:  perf,
		Long:  append(e.problems, e.details...),
	}
}

// seconds is d in whole seconds, never negative (clocks step).
func seconds(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}

// human writes seconds as "340 s", "2.5 h" or "3 d".
func human(s int64) string {
	switch {
	case s < 3600:
		return strconv.FormatInt(s, 10) + " s"
	case s < 48*3600:
		return strconv.FormatFloat(float64(s)/3600, 'f', 1, 64) + " h"
	}
	return strconv.FormatInt(s/86400, 10) + " d"
}

// count, secs and byteCount write exact values, for the problem lines.
func count(n int64) string     { return strconv.FormatInt(n, 10) }
func secs(n int64) string      { return strconv.FormatInt(n, 10) + " s" }
func byteCount(n int64) string { return strconv.FormatInt(n, 10) + " B" }

// size writes n bytes as "512 B", "1.5 KiB", "10.0 MiB" or "2.1 GiB".
func size(n int64) string {
	const k = 1024
	switch {
	case n < k:
		return strconv.FormatInt(n, 10) + " B"
	case n < k*k:
		return strconv.FormatFloat(float64(n)/k, 'f', 1, 64) + " KiB"
	case n < k*k*k:
		return strconv.FormatFloat(float64(n)/(k*k), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(n)/(k*k*k), 'f', 1, 64) + " GiB"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// clean makes text from the file system (paths, error messages, follow
// mode's last error) safe for a plugin line: no "|" that would start
// performance data, no line break.
func clean(s string) string { return bridge.SanitizeOutput(s, 0, false) }
