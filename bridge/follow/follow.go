// Package follow owns follow mode: tailing OSSEC's alerts.log or Wazuh's
// alerts.json from a durable cursor, through daily rotation, Wazuh's size
// splits and truncation, and turning each alert into a result delivered in
// batches through a bridge.Sender, with failed results kept in a
// bridge.Queue. It also writes the small status file that the self-check
// (bridge/health) reads, and an optional heartbeat result.
//
// It does not parse alerts (bridge/alert does), map them (the mapping is a
// function value in Options), speak a transport, or decide flood control
// windows (bridge/flood).
//
// # Delivery guarantees
//
// The cursor names the file by device and inode (plus a fingerprint of its
// first 512 bytes, so that a reused inode is not mistaken for it) and the
// offset of the first alert not yet delivered. It is saved durably after
// every batch, once each result of the batch was sent or queued:
//
//   - a restart never skips an alert, including alerts written while
//     follow mode was down and the file was rotated meanwhile: the rotated
//     file is found under <dir>/<YYYY>/<Mon>/ossec-alerts-* or as
//     <path>.<N> by its identity, or its .gz copy by its fingerprint, and
//     finished first;
//   - a finished rotated file is followed by the next newer one of the
//     rotation chain (dated, numbered, .gz; see rotatedChain), not by the
//     current file: rotations faster than follow mode reads skip no file;
//   - after a clean shutdown (ctx cancelled, as on SIGTERM) nothing repeats:
//     the batch in flight is finished (within ShutdownTimeout, then queued)
//     and the cursor saved after it;
//   - after a crash (SIGKILL) at most the batch in flight repeats:
//     BatchSize alerts' results, plus flood summaries.
//
// With flood control, the results of a batch are offered to the flood
// state file (one write per batch) before the batch is delivered; what it
// holds stays there, across shutdowns and crashes, until its window closes
// and Follow (or `ossec-nagios flush`, or the next follow run) delivers the
// summary. After a crash the batch in flight may be counted twice in a
// summary.
//
// A last alert at the end of the file is not delivered until it is
// complete: in alerts.json a full line; in alerts.log the next header, or
// the file not growing for Quiet with the alert ending in a newline, or
// the file being rotated away.
//
// A damaged cursor file stops Follow with an error wrapping ErrBadCursor
// (see there). With no cursor file, follow starts at the end of the
// current file (FromStart: at its beginning), or at the beginning of the
// file when it does not exist yet, and saves a cursor at once.
package follow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/bridge/flood"
)

// Format is the format of the followed file.
type Format int

// The formats follow mode reads.
const (
	FormatAuto Format = iota // by the file name: *.json is JSON, anything else alerts.log
	FormatLog                // OSSEC/Wazuh alerts.log
	FormatJSON               // Wazuh (or OSSEC 2.9+) alerts.json
)

// RuleRange is an inclusive range of rule ids.
type RuleRange struct{ From, To int }

// Filter selects the alerts that become results. The zero Filter passes
// every alert.
type Filter struct {
	MinLevel int         // alerts below this rule level are skipped
	Rules    []RuleRange // if any, only alerts of these rules pass
	Groups   []string    // if any, only alerts in at least one of these groups pass (bridge.AnyGroup: case-insensitive)
}

// Match reports whether a passes the filter.
func (f Filter) Match(a alert.Alert) bool {
	if a.Rule.Level < f.MinLevel {
		return false
	}
	if len(f.Rules) > 0 && !slices.ContainsFunc(f.Rules, func(r RuleRange) bool {
		return a.Rule.ID >= r.From && a.Rule.ID <= r.To
	}) {
		return false
	}
	if len(f.Groups) > 0 && !bridge.AnyGroup(f.Groups, a.Rule.Groups) {
		return false
	}
	return true
}

// Flood is flood control as follow mode uses it; *flood.StateFile
// implements it. OfferAll returns, for each item, what to send at its
// place; Due hands the summaries that are due to emit and forgets them
// when emit succeeded. Both return when the next window holding results
// closes (zero: none).
type Flood interface {
	OfferAll(ctx context.Context, items []flood.Item) ([][]bridge.Result, time.Time, error)
	Due(ctx context.Context, emit func([]bridge.Result) error) (time.Time, error)
}

// Heartbeat configures the result follow mode sends every Interval, so
// that Nagios freshness checking notices a dead bridge.
type Heartbeat struct {
	Interval time.Duration // zero: no heartbeat
	Host     string
	Service  string
}

// Options configure Follow. Path, CursorFile, Map and Sender are required.
type Options struct {
	Path       string // alerts.log or alerts.json (the link OSSEC/Wazuh keep current)
	Format     Format
	CursorFile string
	StatusFile string // optional: for bridge/health
	FromStart  bool   // with no cursor, start at the beginning of the current file, not its end
	// Once makes Follow return as soon as it has read to the end of the
	// current file (and finished any rotated one before it): a last
	// alerts.log alert ending in a newline counts as complete without
	// waiting for Quiet. For cron, catch-up runs and benchmarks.
	Once bool

	Map    func(alert.Alert) (bridge.Result, error)
	Filter Filter
	// Sendable, if set, is the state decision (bridge.Mapping.Sendable):
	// a mapped result it refuses is not sent, and logged at debug level
	// with the reason.
	Sendable func(bridge.Result) (bool, string)

	Sender bridge.Sender
	Queue  bridge.Queue // optional: where results that cannot be sent wait
	// DrainPace spaces the results drained from Queue (bridge.Delivery).
	DrainPace time.Duration

	// Flood, if set, is offered every result for which FloodWindow (nil:
	// every result, with the state file's default window) reports true;
	// the duration is the per-service window (zero: the default).
	Flood       Flood
	FloodWindow func(bridge.Result) (time.Duration, bool)

	Heartbeat Heartbeat

	BatchSize       int           // alerts per delivered batch and cursor save (default 100)
	Poll            time.Duration // how often an idle file is looked at (default 200ms)
	Quiet           time.Duration // see the package doc (default 2s)
	RetryInterval   time.Duration // wait after a failed delivery or read (default 5s)
	DrainInterval   time.Duration // how often the queue is drained while idle (default 30s)
	StatusInterval  time.Duration // how often the status file is rewritten while idle (default 10s)
	ShutdownTimeout time.Duration // how long deliveries may go on after ctx ends (default 5s)

	Log logrus.FieldLogger // nil: no logging
	Now func() time.Time   // nil: time.Now
}

func (o *Options) setDefaults() error {
	switch {
	case o.Path == "":
		return errors.New("follow: no alerts file given")
	case o.CursorFile == "":
		return errors.New("follow: no cursor file given")
	case o.Map == nil:
		return errors.New("follow: no mapping given")
	case o.Sender == nil:
		return errors.New("follow: no sender given")
	case o.Heartbeat.Interval < 0:
		return fmt.Errorf("follow: heartbeat interval %v is negative", o.Heartbeat.Interval)
	case o.Heartbeat.Interval > 0 && o.Heartbeat.Host == "":
		return errors.New("follow: heartbeat without a host")
	}
	if o.Format == FormatAuto {
		o.Format = FormatLog
		if strings.HasSuffix(o.Path, ".json") {
			o.Format = FormatJSON
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 100
	}
	def(&o.Poll, 200*time.Millisecond)
	def(&o.Quiet, 2*time.Second)
	def(&o.RetryInterval, 5*time.Second)
	def(&o.DrainInterval, 30*time.Second)
	def(&o.StatusInterval, 10*time.Second)
	def(&o.ShutdownTimeout, 5*time.Second)
	if o.Log == nil {
		l := logrus.New()
		l.Out = io.Discard
		o.Log = l
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// deliverError is a batch that could be neither sent nor queued; the
// alerts after the cursor are read again.
type deliverError struct{ err error }

func (e deliverError) Error() string { return "deliver: " + e.err.Error() }
func (e deliverError) Unwrap() error { return e.err }

// errFatal marks errors that stop Follow instead of being retried.
type errFatal struct{ err error }

func (e errFatal) Error() string { return e.err.Error() }
func (e errFatal) Unwrap() error { return e.err }

type follower struct {
	o     Options
	log   logrus.FieldLogger
	deliv bridge.Delivery
	ext   string

	t          *tail
	led        ledger // the batch and how far the cursor of t may move
	lastDeliv  time.Time
	lastDrain  time.Time
	nextHB     time.Time
	lastStatus time.Time
	dirty      bool
	st         Status
	mapErrs    int64
	notSent    int64     // results the state decision held back
	floodNext  time.Time // when flood control's Due is next needed
	after      *fileRef  // the rotated file finished last while no file is open (see advance)
}

// Follow tails the alerts file until ctx ends, then finishes the batch in
// flight, flushes flood control, saves the cursor and the status and
// returns nil. It returns early only for errors that retrying cannot fix:
// bad options, a damaged cursor file (ErrBadCursor), a cursor that cannot
// be read. Delivery and read errors are logged and retried, except with
// Options.Once, where the first one ends the run and is returned (the
// cursor stays after the last result handled).
func Follow(ctx context.Context, o Options) error {
	if err := o.setDefaults(); err != nil {
		return err
	}
	f := &follower{o: o, log: o.Log.WithField("file", o.Path), deliv: bridge.Delivery{Sender: o.Sender, Queue: o.Queue, DrainPace: o.DrainPace}}
	f.ext = ".log"
	if o.Format == FormatJSON {
		f.ext = ".json"
	}
	f.st = Status{PID: os.Getpid(), Path: o.Path}
	if o.StatusFile != "" {
		if old, err := ReadStatus(o.StatusFile); err == nil {
			f.st.LastDelivery = old.LastDelivery
		}
	}

	// Deliveries go on for ShutdownTimeout after ctx ends, so that the
	// batch in flight and the flood summaries are sent, not queued.
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	// Once Follow returned, the timer's cancel is a no-op.
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(o.ShutdownTimeout, cancel) })
	defer stop()

	if err := f.start(); err != nil {
		return err
	}
	f.nextHB = o.Now()
	f.lastDrain = o.Now()
	f.floodNext = o.Now() // summaries held by an earlier run or process
	for ctx.Err() == nil {
		progressed, err := f.step(ctx, dctx)
		if err != nil {
			var fe errFatal
			if errors.As(err, &fe) || o.Once {
				f.finish(dctx)
				return err
			}
			f.log.WithError(err).Warn("follow: retrying")
			f.st.LastError = err.Error()
			f.dirty = true
			f.periodic(ctx, dctx)
			sleep(ctx, o.RetryInterval)
			continue
		}
		f.periodic(ctx, dctx)
		if !progressed {
			if o.Once {
				break
			}
			sleep(ctx, f.idleWait())
		}
	}
	f.finish(dctx)
	return nil
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// idleWait is how long to sleep when there is nothing to read: the poll
// interval, or less when a flood window or the heartbeat is due sooner.
func (f *follower) idleWait() time.Duration {
	now := f.o.Now()
	d := f.o.Poll
	if f.o.Flood != nil && !f.floodNext.IsZero() {
		d = min(d, f.floodNext.Sub(now))
	}
	if f.o.Heartbeat.Interval > 0 {
		d = min(d, f.nextHB.Sub(now))
	}
	return max(d, time.Millisecond)
}

// start positions the first tail from the cursor (see the package doc).
func (f *follower) start() error {
	now := f.o.Now()
	c, ok, err := LoadCursor(f.o.CursorFile)
	if err != nil {
		return err
	}
	cur, err := openTail(f.o.Path, now)
	if err != nil && ok {
		// The current file is unreadable; the cursor's may still be found.
		f.log.WithError(err).Warn("follow: cannot open the alerts file")
	} else if err != nil {
		return fmt.Errorf("follow: %w", err)
	}
	if !ok {
		if cur == nil {
			f.log.Info("follow: no cursor and no alerts file yet: waiting for it")
			return nil
		}
		if !f.o.FromStart {
			cur.off = cur.lastSize
		}
		f.t = cur
		f.led.reset(cur.off)
		f.log.WithField("offset", cur.off).Info("follow: no cursor: starting")
		f.save()
		return nil
	}
	if cur != nil && cur.id == c.ID && headMatchesAt(cur.f, c.Head) {
		cur.off = c.Offset
		if c.Offset > cur.lastSize {
			f.log.WithFields(logrus.Fields{"offset": c.Offset, "size": cur.lastSize}).
				Warn("follow: alerts file shorter than the cursor (truncated): starting at its beginning")
			cur.off = 0
		}
		f.t = cur
		f.led.reset(cur.off)
		return nil
	}
	if rt := findRotated(c, f.o.Path, f.ext, now); rt != nil {
		if cur != nil {
			rt.rotated = true
			cur.close()
		}
		f.log.WithFields(logrus.Fields{"rotated": rt.path, "offset": rt.off}).
			Info("follow: finishing the file the cursor points into")
		f.t = rt
		f.led.reset(rt.off)
		return nil
	}
	if cur != nil {
		cur.close()
	}
	f.log.WithFields(logrus.Fields{"cursor_path": c.Path, "cursor_file": c.ID.String(), "offset": c.Offset}).
		Warn("follow: the file the cursor points into is gone: alerts written to it after the cursor are lost; going on with the files written since")
	f.startAfterLost(c)
	return nil
}

// step does one round of work and reports whether it made progress
// (read, delivered or switched files), in which case the caller goes on
// without sleeping.
func (f *follower) step(ctx, dctx context.Context) (bool, error) {
	now := f.o.Now()
	if f.t == nil && f.after != nil {
		f.advanceFrom(*f.after)
		return f.t != nil, nil
	}
	if f.t == nil {
		t, err := openTail(f.o.Path, now)
		if err != nil || t == nil {
			return false, err
		}
		f.log.WithField("path", t.path).Info("follow: following a new file")
		f.t = t
		f.led.reset(0)
		f.save()
		return true, nil
	}
	t := f.t
	if t.gzPath != "" {
		err := f.read(ctx, dctx, t, -1, true)
		var de deliverError
		if errors.As(err, &de) {
			return false, err
		}
		if err != nil {
			f.log.WithError(err).WithField("path", t.gzPath).Error("follow: cannot finish the compressed rotated file: alerts in it after the cursor are lost")
			f.advance(t)
			return true, nil
		}
		if ctx.Err() == nil {
			f.log.WithField("path", t.gzPath).Info("follow: finished the compressed rotated file")
			f.advance(t)
		}
		return true, nil
	}
	fi, err := t.f.Stat()
	if err != nil {
		return false, fmt.Errorf("stat %s: %w", t.path, err)
	}
	size := fi.Size()
	if size < t.off {
		f.log.WithFields(logrus.Fields{"offset": t.off, "size": size}).
			Warn("follow: alerts file truncated: reading it from its beginning")
		t.off, t.heldSize, t.head = 0, -1, Head{}
		f.led.reset(0)
		f.save()
	}
	if size != t.lastSize {
		t.lastSize, t.grewAt = size, now
	}
	quiet := f.o.Once || now.Sub(t.grewAt) >= f.o.Quiet
	progressed := false
	if size > t.off && (t.heldSize != size || quiet || t.rotated) {
		before := t.off
		if err := f.read(ctx, dctx, t, size, t.rotated); err != nil {
			return false, err
		}
		progressed = t.off != before
		if ctx.Err() != nil {
			return progressed, nil
		}
	}
	if t.off < size && t.heldSize != size {
		return progressed, nil
	}
	// Caught up with this file.
	if t.rotated {
		f.log.WithFields(logrus.Fields{"path": t.path, "offset": t.off}).Info("follow: finished the rotated file")
		f.advance(t)
		return true, nil
	}
	nfi, err := os.Stat(f.o.Path)
	if err != nil {
		return progressed, nil // gone for now: keep the open file, look again later
	}
	if id, err := statID(nfi); err == nil && id != t.id {
		f.log.WithField("path", t.path).Info("follow: alerts file rotated: finishing the old one")
		t.rotated = true
		return true, nil
	}
	return progressed, nil
}

// read consumes the alerts of t from t.off up to size (-1: to the end of a
// compressed file), delivering full batches and, at the end, the rest. With
// final, a last alert without an end is complete (the file is rotated).
func (f *follower) read(ctx, dctx context.Context, t *tail, size int64, final bool) error {
	open := func(off int64) (io.Reader, func(), error) {
		if t.gzPath != "" {
			return gzReaderAt(t.gzPath, off)
		}
		return io.NewSectionReader(t.f, off, size-off), func() {}, nil
	}
	quiet := final || f.o.Once || f.o.Now().Sub(t.grewAt) >= f.o.Quiet
	f.led.reset(t.off)
	var err error
	if f.o.Format == FormatJSON {
		err = f.readJSON(ctx, dctx, t, open, size, final)
	} else {
		err = f.readLog(ctx, dctx, t, open, size, final, quiet)
	}
	if err != nil {
		return err
	}
	return f.flush(dctx)
}

func (f *follower) readLog(ctx, dctx context.Context, t *tail, open func(int64) (io.Reader, func(), error), size int64, final, quiet bool) error {
	r, done, err := open(t.off)
	if err != nil {
		return err
	}
	defer done()
	sc := alert.NewScannerAt(r, t.off)
	held, found := false, false
	for ctx.Err() == nil && sc.Scan() {
		found = true
		end := sc.Offset() + sc.Len()
		if !final && end >= size {
			a := sc.Alert()
			if !quiet || !(a.Truncated || strings.HasSuffix(a.Raw, "\n")) {
				held = true
				break
			}
		}
		if a := sc.Alert(); a.Truncated {
			f.log.WithFields(logrus.Fields{"offset": sc.Offset(), "bytes": sc.Len(), "limit": alert.DefaultMaxAlertBytes, "alert": a.ID}).
				Warn("follow: alerts.log alert longer than the limit: cut; its result holds what the alert's head holds")
		}
		if err := f.consume(ctx, dctx, sc.Alert(), end); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	t.heldSize = -1
	switch {
	case held:
		t.heldSize = size
	case !found && ctx.Err() == nil && size >= 0 && sc.Skipped() > 0:
		// Only bytes that are not an alert: the start of a header being
		// written, or garbage. Skip them once the file is quiet.
		if quiet {
			f.log.WithFields(logrus.Fields{"offset": t.off, "bytes": sc.Skipped()}).Warn("follow: skipping bytes that are not an alert")
			f.led.skip(t.off + sc.Skipped())
		} else {
			t.heldSize = size
		}
	}
	return nil
}

func (f *follower) readJSON(ctx, dctx context.Context, t *tail, open func(int64) (io.Reader, func(), error), size int64, final bool) error {
	off := t.off
	for {
		r, done, err := open(off)
		if err != nil {
			return err
		}
		sc := alert.NewJSONScanner(r, off)
		for ctx.Err() == nil && sc.Scan() {
			if a := sc.Alert(); a.Truncated {
				f.log.WithFields(logrus.Fields{"offset": sc.Offset(), "bytes": sc.Pos() - sc.Offset(), "limit": alert.DefaultMaxJSONLine, "alert": a.ID}).
					Warn("follow: alerts.json line longer than the limit: cut; its result holds what the line's head holds")
			}
			if err := f.consume(ctx, dctx, sc.Alert(), sc.Pos()); err != nil {
				done()
				return err
			}
		}
		done()
		if err := sc.Err(); err == nil {
			f.led.skip(sc.Pos()) // blank lines
		} else {
			if !errors.Is(err, alert.ErrBadJSON) || sc.Pos() <= off {
				return err
			}
			f.log.WithError(err).Warn("follow: skipping a line that is not a JSON alert")
			f.led.skip(sc.Pos())
			off = sc.Pos()
			continue
		}
		t.heldSize = -1
		if ctx.Err() == nil && size >= 0 && sc.Pos() < size {
			if final {
				f.log.WithFields(logrus.Fields{"offset": sc.Pos(), "bytes": size - sc.Pos()}).
					Warn("follow: rotated file ends with an incomplete line: skipped")
				f.led.skip(size)
			} else {
				t.heldSize = size
			}
		}
		return nil
	}
}

// consume turns one alert into results for the batch and delivers the
// batch when it is full. After a delivered batch it runs what is due
// (periodic), so that a long catch-up keeps the status file fresh and the
// heartbeat and flood summaries going.
func (f *follower) consume(ctx, dctx context.Context, a alert.Alert, end int64) error {
	f.st.Alerts++
	if f.o.Filter.Match(a) {
		r, err := f.o.Map(a)
		if err != nil {
			f.mapErrs++
			f.log.WithError(err).WithField("alert", a.ID).Warn("follow: alert not mapped")
		} else if ok, why := f.sendable(r); !ok {
			f.notSent++
			f.log.WithFields(logrus.Fields{"alert": a.ID, "host": r.Host, "service": r.Service, "state": r.State.String()}).Debug("follow: not sent: " + why)
		} else {
			f.add(r, a, end)
		}
	}
	f.led.consume(end)
	if f.led.due(f.o.BatchSize) {
		if err := f.flush(dctx); err != nil {
			return err
		}
		f.periodic(ctx, dctx)
	}
	return nil
}

func (f *follower) sendable(r bridge.Result) (bool, string) {
	if f.o.Sendable == nil {
		return true, ""
	}
	return f.o.Sendable(r)
}

func (f *follower) add(r bridge.Result, a alert.Alert, end int64) {
	window, on := time.Duration(0), f.o.Flood != nil
	if on && f.o.FloodWindow != nil {
		window, on = f.o.FloodWindow(r)
	}
	if !on {
		f.led.add(r, end)
		return
	}
	f.led.addOffer(flood.Item{Result: r, Level: a.Rule.Level, Window: window, Time: a.Time}, end)
}

// offerFlood offers the batch's flood-controlled results to the state file
// in one write and puts what it says to send now in their places.
func (f *follower) offerFlood(ctx context.Context) {
	items := f.led.offers()
	if len(items) == 0 {
		return
	}
	out, next, err := f.o.Flood.OfferAll(ctx, items)
	if err != nil {
		// OfferAll failed open: every result is sent.
		f.log.WithError(err).Warn("follow: flood state")
	}
	if !next.IsZero() && (f.floodNext.IsZero() || next.Before(f.floodNext)) {
		f.floodNext = next
	}
	f.led.place(out)
}

// flush delivers the batch and commits the cursor after it. When results
// could be neither sent nor queued, the cursor is committed after the
// last alert whose results were all handled and an error returned: the
// caller retries from there.
func (f *follower) flush(dctx context.Context) error {
	f.offerFlood(dctx)
	batch := f.led.batch()
	handled := len(batch)
	var err error
	if len(batch) > 0 {
		var out bridge.Outcome
		out, err = f.deliv.Deliver(dctx, batch...)
		f.account(out)
		if err != nil {
			handled = out.Sent + out.Spooled + out.Quarantined
		}
	}
	if f.t == nil {
		f.led.reset(0)
	} else if to := f.led.delivered(handled, f.t.off); to != f.t.off {
		f.commit(to)
	}
	if err != nil {
		return deliverError{err}
	}
	return nil
}

func (f *follower) account(out bridge.Outcome) {
	now := f.o.Now()
	f.lastDeliv = now
	if n := out.Sent + out.Drained; n > 0 {
		f.st.Delivered += int64(n)
		f.st.LastDelivery = now
	}
	f.st.Spooled += int64(out.Spooled)
	if out.Quarantined > 0 {
		f.log.WithField("quarantined", out.Quarantined).Warn("follow: results refused for good were quarantined")
	}
	if out.Err != nil {
		f.log.WithError(out.Err).WithField("spooled", out.Spooled).Warn("follow: delivery failed")
		f.st.LastError = out.Err.Error()
	} else if out.Sent+out.Drained > 0 {
		f.st.LastError = ""
	}
	f.dirty = true
}

// commit moves the cursor of the current file to off and saves it.
func (f *follower) commit(off int64) {
	if f.t == nil {
		return
	}
	f.t.off = off
	f.save()
}

func (f *follower) save() {
	t := f.t
	if t == nil {
		return
	}
	t.refreshHead(t.lastSize)
	c := Cursor{Path: t.path, ID: t.id, Head: t.head, Offset: t.off, Saved: f.o.Now()}
	if err := SaveCursor(f.o.CursorFile, c); err != nil {
		// Delivery goes on: the results are out, only a restart would
		// repeat them. The status carries the error to the self-check.
		f.log.WithError(err).Error("follow: cursor not saved")
		f.st.LastError = err.Error()
	}
	f.dirty = true
}

// periodic runs what is due: flood summaries, draining the queue while
// idle, the heartbeat, the status file.
func (f *follower) periodic(ctx, dctx context.Context) {
	now := f.o.Now()
	if f.o.Flood != nil && !f.floodNext.IsZero() && !now.Before(f.floodNext) {
		f.floodDue(dctx)
	}
	if ctx.Err() == nil {
		f.drainIfIdle(dctx, now)
		f.heartbeatIfDue(dctx, now)
	}
	f.statusIfDue(now)
}

// drainIfIdle delivers what waits in the queue when nothing was
// delivered for DrainInterval (a delivery drains the queue first anyway).
func (f *follower) drainIfIdle(dctx context.Context, now time.Time) {
	if f.o.Queue == nil || now.Sub(f.lastDeliv) < f.o.DrainInterval || now.Sub(f.lastDrain) < f.o.DrainInterval {
		return
	}
	f.lastDrain = now
	out, err := f.deliv.Deliver(dctx)
	if out.Drained > 0 || out.Err != nil || err != nil {
		f.account(out)
	}
}

// heartbeatIfDue sends the heartbeat result every Heartbeat.Interval.
func (f *follower) heartbeatIfDue(dctx context.Context, now time.Time) {
	hb := f.o.Heartbeat
	if hb.Interval <= 0 || now.Before(f.nextHB) {
		return
	}
	f.nextHB = now.Add(hb.Interval)
	lag := f.lag()
	hctx, cancel := context.WithTimeout(dctx, hb.Interval)
	defer cancel()
	// Through a Delivery without a queue: with a Confirmer the
	// heartbeat counts only once confirmed, and a stale heartbeat is
	// never queued.
	hbr := bridge.Result{Host: hb.Host, Service: hb.Service, State: bridge.OK, Output: "ossec-nagios follow alive, lag " + strconv.FormatInt(lag, 10) + " bytes"}
	if _, err := (&bridge.Delivery{Sender: f.o.Sender}).Deliver(hctx, hbr); err != nil {
		f.log.WithError(err).Warn("follow: heartbeat not sent")
		return
	}
	f.st.LastDelivery = f.o.Now()
	f.dirty = true
}

// statusIfDue rewrites the status file every StatusInterval, and within a
// second of a change.
func (f *follower) statusIfDue(now time.Time) {
	if f.o.StatusFile != "" && (now.Sub(f.lastStatus) >= f.o.StatusInterval || (f.dirty && now.Sub(f.lastStatus) >= time.Second)) {
		f.writeStatus()
	}
}

// floodDue delivers the flood summaries that are due, sent or queued
// before the state file forgets them, and notes when more are due.
func (f *follower) floodDue(dctx context.Context) {
	next, err := f.o.Flood.Due(dctx, func(rs []bridge.Result) error {
		out, err := f.deliv.Deliver(dctx, rs...)
		f.account(out)
		return err
	})
	if err != nil {
		f.log.WithError(err).Warn("follow: flood summaries not delivered (kept in the flood state, retried)")
		next = f.o.Now().Add(f.o.RetryInterval)
	}
	f.floodNext = next
}

// lag is the bytes not yet delivered: the rest of the current file, plus
// the rotated files after it and the new file while a rotated one is
// finished.
func (f *follower) lag() int64 {
	var lag int64
	t := f.t
	if t != nil && t.f != nil {
		if fi, err := t.f.Stat(); err == nil && fi.Size() > t.off {
			lag = fi.Size() - t.off
		}
	}
	if t == nil || t.rotated {
		if fi, err := os.Stat(f.o.Path); err == nil {
			lag += fi.Size()
		}
	}
	if t != nil && t.rotated {
		lag += chainLag(t, f.o.Path, f.ext, f.o.Now())
	}
	return lag
}

func (f *follower) writeStatus() {
	now := f.o.Now()
	f.lastStatus, f.dirty = now, false
	s := f.st
	s.Updated = now
	s.Lag = f.lag()
	if t := f.t; t != nil {
		s.Path, s.Offset = t.path, t.off
		if t.f != nil {
			if fi, err := t.f.Stat(); err == nil {
				s.Size = fi.Size()
			}
		}
	} else {
		s.Path, s.Offset = f.o.Path, 0
		if fi, err := os.Stat(f.o.Path); err == nil {
			s.Size = fi.Size()
		}
	}
	if err := WriteStatus(f.o.StatusFile, s); err != nil {
		f.log.WithError(err).Warn("follow: status not written")
	}
}

// finish runs at the end: the rest of the batch and the flood summaries
// that are due are delivered (queued once dctx ends), the cursor and
// status saved, the file closed. What flood control still holds stays in
// its state file for the next run or `ossec-nagios flush`.
func (f *follower) finish(dctx context.Context) {
	if err := f.flush(dctx); err != nil {
		f.log.WithError(err).Error("follow: results not delivered at shutdown (alerts are read again at the next start)")
	}
	if f.o.Flood != nil && !f.floodNext.IsZero() && !f.o.Now().Before(f.floodNext) {
		f.floodDue(dctx)
	}
	if f.o.StatusFile != "" {
		f.writeStatus()
	}
	if f.t != nil {
		f.t.close()
	}
	f.log.WithFields(logrus.Fields{"alerts": f.st.Alerts, "delivered": f.st.Delivered, "spooled": f.st.Spooled, "not_sent": f.notSent}).Info("follow: stopped")
}
