package alert

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ErrNotResolved reports that no alert matching a query was found. The
// Resolution still carries a "not resolved" Alert built from the query.
var ErrNotResolved = errors.New("alert not resolved")

// NotResolvedError says why an alert id could not be resolved. It matches
// ErrNotResolved with errors.Is, and unwraps to the underlying cause (an
// open error, ErrBadID), when there is one.
type NotResolvedError struct {
	ID     string
	Reason string
	Err    error
}

func (e *NotResolvedError) Error() string {
	msg := fmt.Sprintf("resolve alert %s: %s", e.ID, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrNotResolved) true.
func (e *NotResolvedError) Is(target error) bool { return target == ErrNotResolved }

// Unwrap returns the cause.
func (e *NotResolvedError) Unwrap() error { return e.Err }

// Query is what a caller knows of the alert to resolve. Only ID is
// required; RuleID and SrcIP, when set, must match the alert found.
type Query struct {
	ID       string
	RuleID   int    // 0: unknown
	SrcIP    string // "": unknown
	User     string
	Location string
}

// Fallback returns the "not resolved" alert: what the query knows, with
// Resolved false, so that the caller can report UNKNOWN instead of nothing.
func (q Query) Fallback() Alert {
	a := Alert{ID: q.ID, SrcIP: q.SrcIP, User: q.User}
	a.Rule.ID = q.RuleID
	if q.Location != "" {
		a.applyWhere(ParseLocation(q.Location))
	}
	if id, err := ParseID(q.ID); err == nil {
		a.Time = id.Time()
	}
	return a
}

func (q Query) matches(a Alert) bool {
	if q.RuleID != 0 && a.Rule.ID != q.RuleID {
		return false
	}
	if q.SrcIP != "" && strings.TrimPrefix(a.SrcIP, "::ffff:") != q.SrcIP {
		return false
	}
	return true
}

// Method says how an alert was found.
type Method string

// The ways an id resolves.
const (
	MethodNone     Method = ""         // not resolved
	MethodOffset   Method = "offset"   // the header was at byte <n> (step 1)
	MethodForward  Method = "forward"  // the id was stale: found after it by rule/srcip (step 2)
	MethodBackward Method = "backward" // <n> is not an offset: found by scanning back from the end (step 3)
)

// Resolution is the outcome of Resolve.
type Resolution struct {
	Alert  Alert
	File   string // the file the alert was found in
	Offset int64  // its header's offset in File
	Method Method
}

// Defaults for a Resolver's zero fields.
const (
	DefaultPoll         = 2 * time.Second
	DefaultPollInterval = 50 * time.Millisecond
	DefaultSlack        = 10 * time.Minute
)

// Resolver finds the alert an id "<epoch>.<n>" names, in alerts.log and the
// dated files beside it:
//
//  1. seek to <n> in alerts.log and accept the header there only if it
//     carries exactly this id;
//  2. check it against the query's rule id and srcip; when they differ (the
//     stale ids Wazuh 3.7-4.1 hand to an active response) search forward
//     for the matching alert, polling up to Poll for a late writer;
//  3. when the header is not at <n> (OSSEC 4.2+ counter ids, a rotated
//     file), scan backwards from the end for the exact header, stopping at
//     alerts older than the epoch minus Slack;
//  4. when alerts.log belongs to a later day, or the id is not in it, try
//     logs/alerts/YYYY/Mon/ossec-alerts-DD.log, its .log.gz, and Wazuh's
//     -NNN split files, for the epoch's date in Location;
//  5. else return the query's Fallback with a *NotResolvedError.
//
// The cost of steps 1-3 is independent of the size of alerts.log.
type Resolver struct {
	// Log is the path of alerts.log; the dated files are looked for in its
	// directory.
	Log string
	// Location is the manager's time zone, for the dated file names
	// (time.Local when nil).
	Location *time.Location
	// Poll is the total time to wait for a late writer in alerts.log
	// (DefaultPoll when zero, no wait when negative).
	Poll time.Duration
	// PollInterval is the pause between looks (DefaultPollInterval when zero).
	PollInterval time.Duration
	// Slack is how far before the id's epoch the backward scan goes
	// (DefaultSlack when zero).
	Slack time.Duration
	// MaxAlertBytes bounds the bytes kept per alert (see Scanner).
	MaxAlertBytes int
}

func (r *Resolver) poll() time.Duration {
	switch {
	case r.Poll < 0:
		return 0
	case r.Poll == 0:
		return DefaultPoll
	}
	return r.Poll
}

func (r *Resolver) interval() time.Duration {
	if r.PollInterval > 0 {
		return r.PollInterval
	}
	return DefaultPollInterval
}

func (r *Resolver) slack() int64 {
	if r.Slack > 0 {
		return int64(r.Slack / time.Second)
	}
	return int64(DefaultSlack / time.Second)
}

func (r *Resolver) loc() *time.Location {
	if r.Location != nil {
		return r.Location
	}
	return time.Local
}

// DatedPath returns the dated file alerts were written to at epoch:
// <dir>/YYYY/Mon/ossec-alerts-DD.log, dir being alerts.log's directory.
func DatedPath(dir string, t time.Time) string {
	return filepath.Join(dir, t.Format("2006"), t.Format("Jan"), "ossec-alerts-"+t.Format("02")+".log")
}

// Resolve finds the alert q.ID names. When it cannot, it returns a
// Resolution whose Alert is q.Fallback() and an error matching
// ErrNotResolved that says why.
func (r *Resolver) Resolve(ctx context.Context, q Query) (Resolution, error) {
	fail := func(reason string, err error) (Resolution, error) {
		return Resolution{Alert: q.Fallback()}, &NotResolvedError{ID: q.ID, Reason: reason, Err: err}
	}
	id, err := ParseID(q.ID)
	if err != nil {
		return fail("bad id", err)
	}
	var reasons []string
	var firstErr error
	var seen []os.FileInfo
	tried := func(fi os.FileInfo) bool {
		for _, s := range seen {
			if os.SameFile(s, fi) {
				return true
			}
		}
		seen = append(seen, fi)
		return false
	}

	// alerts.log, unless it holds a later day only.
	if fi, err := os.Stat(r.Log); err != nil {
		firstErr = err
		reasons = append(reasons, "cannot open alerts.log")
	} else {
		tried(fi)
		res, why, err := r.tryPlain(ctx, r.Log, id, q, true)
		if err != nil {
			return fail("reading alerts.log", err)
		}
		if res.Method != MethodNone {
			return res, nil
		}
		reasons = append(reasons, why)
	}

	// The dated files for the epoch's day.
	dated := DatedPath(filepath.Dir(r.Log), time.Unix(id.Epoch, 0).In(r.loc()))
	for _, p := range datedCandidates(dated) {
		fi, err := os.Stat(p)
		if err != nil || tried(fi) {
			continue
		}
		var res Resolution
		var why string
		if strings.HasSuffix(p, ".gz") {
			res, why, err = r.tryGzip(ctx, p, id, q)
		} else {
			res, why, err = r.tryPlain(ctx, p, id, q, false)
		}
		if err != nil {
			return fail("reading "+filepath.Base(p), err)
		}
		if res.Method != MethodNone {
			return res, nil
		}
		reasons = append(reasons, why)
	}
	if len(seen) == 0 {
		return fail("no alerts file (alerts.log or "+filepath.Base(dated)+")", firstErr)
	}
	return fail(strings.Join(reasons, "; "), nil)
}

// datedCandidates lists the day's file, its .gz, then the -NNN splits.
func datedCandidates(dated string) []string {
	out := []string{dated, dated + ".gz"}
	base := strings.TrimSuffix(dated, ".log")
	var splits []string
	for _, pat := range []string{base + "-[0-9][0-9][0-9].log", base + "-[0-9][0-9][0-9].log.gz"} {
		m, _ := filepath.Glob(pat)
		splits = append(splits, m...)
	}
	sort.Strings(splits)
	return append(out, splits...)
}

// tryPlain runs steps 1-3 on an uncompressed file. A "not here" outcome
// returns MethodNone and the reason; err is for I/O errors only.
func (r *Resolver) tryPlain(ctx context.Context, path string, id ID, q Query, current bool) (Resolution, string, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return Resolution{}, "", err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Resolution{}, "", err
	}
	size := fi.Size()

	// A file whose first alert is well after the epoch cannot hold it.
	if first, ok := firstHeader(f); ok && first.Epoch > id.Epoch+r.slack() {
		return Resolution{}, name + " starts after the id's time", nil
	}

	found := func(a Alert, off int64, m Method) (Resolution, string, error) {
		return Resolution{Alert: a, File: path, Offset: off, Method: m}, "", nil
	}

	// Step 1: the header at <n>.
	off := int64(-1)
	if ok, err := headerAt(f, id, id.N); err != nil {
		return Resolution{}, "", err
	} else if ok {
		off = id.N
	} else {
		// Step 3: scan back from the end.
		off, err = r.scanBack(ctx, f, size, id)
		if err != nil {
			return Resolution{}, "", err
		}
	}
	if off < 0 && current && r.poll() > 0 {
		// OSSEC 4.2+: the alert may not be written yet.
		a, aoff, ok, err := r.forward(ctx, f, size, func(a Alert) bool { return a.ID == q.ID }, true)
		if err != nil {
			return Resolution{}, "", err
		}
		if ok {
			off = aoff
			if q.matches(a) {
				return found(a, aoff, MethodBackward)
			}
		}
	}
	if off < 0 {
		return Resolution{}, noAlert(q, name), nil
	}
	a, n, err := r.alertAt(f, off)
	if err != nil {
		return Resolution{}, "", err
	}
	if q.matches(a) {
		m := MethodOffset
		if off != id.N {
			m = MethodBackward
		}
		return found(a, off, m)
	}
	// Step 2: a stale id; the alert is later, and maybe not written yet.
	if q.RuleID == 0 && q.SrcIP == "" {
		return Resolution{}, "", nil // cannot happen: an empty query matches
	}
	pred := func(b Alert) bool {
		bid, err := ParseID(b.ID)
		return err == nil && bid.Epoch >= id.Epoch && q.matches(b)
	}
	b, boff, ok, err := r.forward(ctx, f, off+n, pred, current && r.poll() > 0)
	if err != nil {
		return Resolution{}, "", err
	}
	if ok {
		return found(b, boff, MethodForward)
	}
	return Resolution{}, noLaterMatch(q, name, a), nil
}

// noAlert is the reason when the alert id is not in the file name.
func noAlert(q Query, name string) string { return "no alert " + q.ID + " in " + name }

// noLaterMatch is the reason when the id names an alert a of another rule
// (a stale id) and no later alert matches the query.
func noLaterMatch(q Query, name string, a Alert) string {
	srcip := ""
	if q.SrcIP != "" {
		srcip = " srcip " + q.SrcIP
	}
	return fmt.Sprintf("alert %s in %s is rule %d, and no later alert matches rule %d%s", q.ID, name, a.Rule.ID, q.RuleID, srcip)
}

// headerAt reports whether the line at off is exactly id's header.
func headerAt(f io.ReaderAt, id ID, off int64) (bool, error) {
	want := headerPrefix + id.String() + ":"
	buf := make([]byte, len(want)+1)
	start := off
	if off > 0 {
		start = off - 1
	}
	n, err := f.ReadAt(buf[:len(want)+int(off-start)], start)
	if err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read at offset %d: %w", start, err)
	}
	b := buf[:n]
	if off > 0 {
		if len(b) == 0 || b[0] != '\n' {
			return false, nil
		}
		b = b[1:]
	}
	return string(b) == want, nil
}

func firstHeader(f io.ReaderAt) (ID, bool) {
	buf := make([]byte, 64)
	n, _ := f.ReadAt(buf, 0)
	id, _, ok := parseHeader(buf[:n])
	return id, ok
}

// alertAt parses the alert whose header is at off; it returns its length.
func (r *Resolver) alertAt(f *os.File, off int64) (Alert, int64, error) {
	sc := NewScannerAt(io.NewSectionReader(f, off, 1<<62), off)
	sc.MaxAlertBytes = r.MaxAlertBytes
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return Alert{}, 0, err
		}
		return Alert{}, 0, fmt.Errorf("no alert at offset %d", off)
	}
	return sc.Alert(), sc.Len(), nil
}

const backChunk = 64 << 10

// scanBack looks for id's header from the end of the file backwards and
// returns its offset, or -1. It stops at a header older than the epoch
// minus the slack.
func (r *Resolver) scanBack(ctx context.Context, f io.ReaderAt, size int64, id ID) (int64, error) {
	want := []byte(headerPrefix + id.String() + ":")
	stop := id.Epoch - r.slack()
	buf := make([]byte, backChunk+128)
	var carry []byte // the first bytes of the chunk after this one
	end := size
	for end > 0 {
		if err := ctx.Err(); err != nil {
			return -1, err
		}
		start := max(end-backChunk, 0)
		n := int(end - start)
		if _, err := f.ReadAt(buf[:n], start); err != nil && !errors.Is(err, io.EOF) {
			return -1, fmt.Errorf("read at offset %d: %w", start, err)
		}
		chunk := append(buf[:n], carry...)
		// Headers whose line starts inside [start, end), last first.
		hi := len(chunk)
		for {
			p := bytes.LastIndex(chunk[:hi], []byte("\n"+headerPrefix))
			lineAt := p + 1
			if p < 0 {
				if start == 0 && bytes.HasPrefix(chunk, []byte(headerPrefix)) {
					lineAt = 0
				} else {
					break
				}
			}
			if lineAt <= n {
				line := chunk[lineAt:]
				if bytes.HasPrefix(line, want) {
					return start + int64(lineAt), nil
				}
				if h, _, ok := parseHeader(line); ok && h.Epoch < stop {
					return -1, nil
				}
			}
			if p < 0 {
				break
			}
			hi = p
		}
		carry = append(carry[:0], buf[:min(n, 128)]...)
		end = start
	}
	return -1, nil
}

// forward scans from off for the first complete alert pred accepts. With
// poll, it waits for the file to grow until the Resolver's budget is spent;
// an alert at the end of the file is complete once the next header follows
// it or it ends with a blank line.
func (r *Resolver) forward(ctx context.Context, f *os.File, off int64, pred func(Alert) bool, poll bool) (Alert, int64, bool, error) {
	deadline := time.Now().Add(r.poll())
	pos := off
	for {
		fi, err := f.Stat()
		if err != nil {
			return Alert{}, 0, false, err
		}
		size := fi.Size()
		last := !poll || !time.Now().Before(deadline)
		sc := NewScannerAt(io.NewSectionReader(f, pos, size-pos), pos)
		sc.MaxAlertBytes = r.MaxAlertBytes
		for sc.Scan() {
			a := sc.Alert()
			end := sc.Offset() + sc.Len()
			complete := end < size || strings.HasSuffix(a.Raw, "\n\n")
			if !complete && !last {
				break
			}
			if pred(a) {
				return a, sc.Offset(), true, nil
			}
			pos = end
		}
		if err := sc.Err(); err != nil {
			return Alert{}, 0, false, err
		}
		if last {
			return Alert{}, 0, false, nil
		}
		wait := min(r.interval(), time.Until(deadline))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return Alert{}, 0, false, ctx.Err()
		case <-t.C:
		}
	}
}

// tryGzip resolves in a compressed dated file: skip to <n> and check the
// header there, else scan the whole file once.
func (r *Resolver) tryGzip(ctx context.Context, path string, id ID, q Query) (Resolution, string, error) {
	name := filepath.Base(path)
	open := func() (*os.File, *gzip.Reader, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		z, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		return f, z, nil
	}
	f, z, err := open()
	if err != nil {
		return Resolution{}, "", err
	}
	var sc *Scanner
	if _, err := io.CopyN(io.Discard, z, id.N); err == nil {
		want := headerPrefix + id.String() + ":"
		br := bufio.NewReader(z)
		if head, _ := br.Peek(len(want)); string(head) == want {
			sc = NewScannerAt(br, id.N)
		}
	}
	if sc == nil {
		f.Close()
		if f, z, err = open(); err != nil {
			return Resolution{}, "", err
		}
		sc = NewScanner(z)
	}
	defer f.Close()
	sc.MaxAlertBytes = r.MaxAlertBytes
	anchored := false
	var anchor Alert
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return Resolution{}, "", err
		}
		a := sc.Alert()
		aid, _ := ParseID(a.ID)
		if !anchored {
			if a.ID == q.ID {
				anchored, anchor = true, a
				if q.matches(a) {
					m := MethodOffset
					if sc.Offset() != id.N {
						m = MethodBackward
					}
					return Resolution{Alert: a, File: path, Offset: sc.Offset(), Method: m}, "", nil
				}
				continue
			}
			if aid.Epoch > id.Epoch+r.slack() {
				break
			}
			continue
		}
		if aid.Epoch >= id.Epoch && q.matches(a) {
			return Resolution{Alert: a, File: path, Offset: sc.Offset(), Method: MethodForward}, "", nil
		}
		if aid.Epoch > id.Epoch+r.slack() {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return Resolution{}, "", err
	}
	if anchored {
		return Resolution{}, noLaterMatch(q, name, anchor), nil
	}
	return Resolution{}, noAlert(q, name), nil
}
