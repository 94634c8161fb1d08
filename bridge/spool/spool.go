// Package spool keeps the passive check results that could not be delivered,
// durably on disk, and delivers them later in the order they were put.
//
// It owns the spool directory and nothing else: the record format, file
// naming, locking, limits and quarantine. It knows no transport; Drain hands
// each result to a callback, which bridge.Delivery wires to a bridge.Sender.
// A *Spool satisfies bridge.Queue.
//
// # Layout and concurrency
//
// Each result is one file, "<enqueued unix ns, 20 digits>-<pid>-<seq>.res",
// so that names sort in enqueue order across processes and, within one
// process, strictly in Put order. Put writes a temporary ".tmp-*" file,
// fsyncs it, renames it into place and fsyncs the directory: many
// short-lived active-response processes and a long-running follow process
// may Put into one directory at once, without any lock, and a result whose
// Put returned nil survives a crash or power loss.
//
// Drain takes an exclusive flock(2) on the file "lock" in the directory. A
// second drainer, in this or another process, waits for the first to finish
// (as long as its context and Options.LockWait allow, then it fails with
// ErrBusy) and so never
// delivers a result twice: a file is removed only after its delivery
// succeeded, and only by the holder of the lock. Waiting rather than
// skipping keeps order: a caller that drains before sending its own result
// (bridge.Delivery) cannot overtake results spooled before it.
//
// DrainConfirmed (bridge.ConfirmQueue) is Drain for a transport that
// proves delivery after the fact: results handed to deliver stay in the
// directory until the confirmation that follows their batch, so a drop
// (NSCA: wrong password) leaves every one of them in place, in order.
//
// A file that cannot be decoded (or read, for lack of permission), a
// record whose host or service name the mapping would have refused, and a
// result the transport refused for good (bridge.IsPermanent) are moved to
// the "quarantine" subdirectory with a "<name>.why" file beside them (time
// and reason), reported through Options.Logf and counted by Stats; they
// never block the results behind them. Records read back are otherwise
// sanitised again (Revalidate): the directory is shared with a group.
// Temporary files left by a crashed Put are never delivered; Drain removes
// those older than Options.TempMaxAge.
//
// Directories are setgid 02770 and files 0660 (internal/safefile), so
// root's active responses and members of the directory's group share the
// spool; no file is opened through a symbolic link.
//
// # Limits
//
// Put never refuses a result because of the limits: the newest result is the
// one that tells Nagios the current state. Drain, which every invocation runs
// before sending, enforces them under the lock before delivering: results
// older than Options.MaxAge (if set) and, beyond Options.MaxResults, the
// oldest ones are deleted, and their number is reported through
// Options.Logf.
package spool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// DefaultMaxResults is the depth beyond which Drain drops the oldest results
// when Options.MaxResults is zero.
const DefaultMaxResults = 100000

// DefaultTempMaxAge is how old a leftover temporary file must be before
// Drain removes it, when Options.TempMaxAge is zero. A Put takes
// milliseconds, so an older temporary file is from a crashed process.
const DefaultTempMaxAge = 10 * time.Minute

const (
	lockName       = "lock"
	quarantineName = "quarantine"
	reasonSuffix   = ".why" // beside a quarantined result: when and why
	tempPrefix     = safefile.TempPrefix
	suffix         = ".res"
	maxPasses      = 8 // directory listings per Drain, so that a steady stream of Puts cannot hold it forever
)

// ErrBusy is returned (wrapped with the context's error) when Drain's
// context ended, or Options.LockWait passed, while another drainer held the
// lock.
var ErrBusy = errors.New("spool: locked by another drainer")

// Options tune a Spool. The zero value is usable.
type Options struct {
	// MaxResults bounds the depth: Drain deletes the oldest results beyond
	// it, and reports how many. Zero means DefaultMaxResults; negative
	// means no limit.
	MaxResults int
	// MaxAge, if positive, makes Drain delete results enqueued longer ago,
	// and report how many. Zero means results never expire.
	MaxAge time.Duration
	// TempMaxAge is the age after which Drain removes a leftover temporary
	// file. Zero means DefaultTempMaxAge.
	TempMaxAge time.Duration
	// LockWait, if positive, bounds how long Drain waits for another
	// drainer to finish before it gives up with ErrBusy; zero means as long
	// as its context allows. An active-response process may prefer a short
	// wait: bridge.Delivery then spools its result behind the others, and
	// order is kept either way.
	LockWait time.Duration
	// Logf receives one line per quarantined file, per batch of results
	// dropped by the limits and per leftover removed. Nil discards them.
	Logf func(format string, args ...any)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Multiline keeps line breaks (one LF) in the output of records read
	// back; false turns them into spaces, as [output] long_output = no
	// does when mapping. See Revalidate.
	Multiline bool
}

// Spool is a spool directory. Its methods are safe for concurrent use, by
// goroutines and by processes sharing the directory.
type Spool struct {
	dir  string
	opts Options

	mu   sync.Mutex
	last int64 // unix ns of the previous name
}

// Stats describes a spool at one moment, for the self-check plugin.
type Stats struct {
	Depth       int       // results waiting
	Oldest      time.Time // enqueue time of the oldest waiting result; zero when Depth is 0
	Quarantined int       // results in the quarantine subdirectory
	// LastReason is the reason given for the newest quarantined result
	// ("<time> <reason>"), when it could be read.
	LastReason string
}

// Open prepares dir (creating it and its quarantine subdirectory if
// needed, setgid and group-shared: see internal/safefile) and returns a
// Spool on it. Every file the spool writes is 0660 in the directory's
// group, so that root's active responses, a non-root integration and the
// self-check run as nagios in that group all use one spool. A dir or
// quarantine that is a symbolic link is refused.
func Open(dir string, opts Options) (*Spool, error) {
	if dir == "" {
		return nil, errors.New("spool: open: empty directory name")
	}
	if err := safefile.MkdirShared(dir); err != nil {
		return nil, fmt.Errorf("spool: open: %w", err)
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	q := filepath.Join(dir, quarantineName)
	if fi, err := os.Lstat(q); err == nil && !fi.IsDir() {
		// Planted (a link would move corrupt records elsewhere): the
		// entry is removed, never followed, and the directory made.
		if err := os.Remove(q); err == nil {
			opts.Logf("spool: removed %s: a %s where the quarantine directory belongs", q, kind(fi))
		}
	}
	if err := safefile.MkdirShared(q); err != nil {
		return nil, fmt.Errorf("spool: open: %w", err)
	}
	if opts.MaxResults == 0 {
		opts.MaxResults = DefaultMaxResults
	}
	if opts.TempMaxAge <= 0 {
		opts.TempMaxAge = DefaultTempMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	return &Spool{dir: dir, opts: opts}, nil
}

// Dir returns the spool directory.
func (s *Spool) Dir() string { return s.dir }

var _ bridge.Queue = (*Spool)(nil)

// nameSeq tells apart the names of one process, however many Spools it
// opened.
var nameSeq atomic.Uint64

// nextName returns the name and enqueue time of the next result: names of
// one Spool strictly increase, even if the clock steps back.
func (s *Spool) nextName() (string, time.Time) {
	ns := s.opts.Now().UnixNano()
	s.mu.Lock()
	if ns <= s.last {
		ns = s.last + 1
	}
	s.last = ns
	s.mu.Unlock()
	return fmt.Sprintf("%020d-%010d-%012d%s", ns, os.Getpid(), nameSeq.Add(1), suffix), time.Unix(0, ns).UTC()
}

// nameTime returns the enqueue time encoded in a result file name.
func nameTime(name string) (time.Time, bool) {
	if len(name) < 20 || !strings.HasSuffix(name, suffix) {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(name[:20], 10, 64)
	if err != nil || ns < 0 {
		return time.Time{}, false
	}
	return time.Unix(0, ns).UTC(), true
}

// Put writes r durably to the spool. When Put returns nil the result is on
// disk (file and directory entry fsynced) and a later Drain delivers it.
func (s *Spool) Put(r bridge.Result) error {
	name, enq := s.nextName()
	b, err := Encode(Record{Result: r, Enqueued: enq})
	if err != nil {
		return err
	}
	if err := s.writeDurably(s.dir, name, b); err != nil {
		return fmt.Errorf("spool: put result for %s: %w", target(r), err)
	}
	return nil
}

func target(r bridge.Result) string {
	if r.Service == "" {
		return r.Host
	}
	return r.Host + "/" + r.Service
}

// writeDurably writes dir/name through safefile (temporary file named
// tempPrefix..., fsync, rename, directory fsync), so that a listing never
// sees half a record.
func (s *Spool) writeDurably(dir, name string, b []byte) error {
	return safefile.WriteFile(filepath.Join(dir, name), b)
}

func syncDir(dir string) error { return safefile.SyncDir(dir) }

// Drain delivers the spooled results oldest first through deliver and
// removes each one after deliver returned nil. It stops at the first
// failure, keeping that result and all later ones, and returns how many it
// delivered with the error. A result deliver refuses for good
// (bridge.IsPermanent) is quarantined with the reason and Drain goes on.
// See the package documentation for locking, limits and corrupt files.
func (s *Spool) Drain(ctx context.Context, deliver func(context.Context, bridge.Result) error) (int, error) {
	return s.drain(ctx, 1, func(ctx context.Context, rec Record) error {
		return deliver(ctx, rec.Result)
	}, nil)
}

// DrainConfirmed is Drain for a transport that confirms delivery after the
// fact (bridge.ConfirmQueue): it calls confirm after every batch of up to
// batch results handed to deliver, at the end, and before it stops on a
// failed deliver, and removes the results of a batch only when confirm
// returned nil. When confirm fails, the batch stays in the spool, in
// order, and DrainConfirmed returns the error.
func (s *Spool) DrainConfirmed(ctx context.Context, batch int, deliver func(context.Context, bridge.Result) error, confirm func(context.Context) error) (int, error) {
	return s.drain(ctx, batch, func(ctx context.Context, rec Record) error {
		return deliver(ctx, rec.Result)
	}, confirm)
}

var _ bridge.ConfirmQueue = (*Spool)(nil)

// DrainRecords is Drain for callers that want the enqueue time too.
func (s *Spool) DrainRecords(ctx context.Context, deliver func(context.Context, Record) error) (n int, err error) {
	return s.drain(ctx, 1, deliver, nil)
}

func (s *Spool) drain(ctx context.Context, batch int, deliver func(context.Context, Record) error, confirm func(context.Context) error) (n int, err error) {
	if batch < 1 {
		batch = 1
	}
	lockCtx := ctx
	if s.opts.LockWait > 0 {
		var cancel context.CancelFunc
		lockCtx, cancel = context.WithTimeout(ctx, s.opts.LockWait)
		defer cancel()
	}
	unlock, err := s.lockDir(lockCtx, filepath.Join(s.dir, lockName))
	if err != nil {
		return 0, err
	}
	defer unlock()
	removed := false
	defer func() {
		if removed {
			if serr := syncDir(s.dir); serr != nil && err == nil {
				err = fmt.Errorf("spool: drain: %w", serr)
			}
		}
	}()
	// pending are delivered results not yet confirmed: they are removed
	// only after confirm returned nil.
	var pending []string
	settle := func() error {
		if len(pending) == 0 {
			return nil
		}
		if confirm != nil {
			if err := confirm(ctx); err != nil {
				k := len(pending)
				pending = pending[:0]
				return fmt.Errorf("spool: %d delivered result(s) kept: %w", k, err)
			}
		}
		for i, name := range pending {
			// Delivered: from here on a failure to remove would deliver it
			// again next time, so stop rather than risk a run of repeats.
			if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				pending = pending[:0]
				n += i + 1
				return fmt.Errorf("spool: remove delivered result: %w", err)
			}
			removed = true
		}
		n += len(pending)
		pending = pending[:0]
		return nil
	}
	s.removeLeftovers()
	for pass := 0; pass < maxPasses; pass++ {
		names, deferred, err := s.listSettled()
		if err != nil {
			return n, fmt.Errorf("spool: drain: %w", err)
		}
		names, dropped := s.enforceLimits(names)
		removed = removed || dropped
		if len(names) == 0 {
			if deferred {
				continue // the next listing starts after them
			}
			serr := settle() // before n is read: it counts what settle removes
			return n, serr
		}
		for _, name := range names {
			if err := ctx.Err(); err != nil {
				err = fmt.Errorf("spool: drain: %w", err)
				if serr := settle(); serr != nil {
					err = fmt.Errorf("%w; %w", err, serr)
				}
				return n, err // n read after settle
			}
			rec, err := s.read(name)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				continue // removed by hand meanwhile
			case errors.Is(err, ErrCorrupt), errors.Is(err, fs.ErrPermission):
				// Unreadable to this drainer is as unusable as corrupt:
				// set it aside rather than block every result behind it.
				s.quarantine(name, err)
				continue
			case err != nil:
				serr := settle()
				return n, errors.Join(fmt.Errorf("spool: drain: %w", err), serr)
			}
			if err := deliver(ctx, rec); err != nil {
				if bridge.IsPermanent(err) {
					s.quarantine(name, err)
					continue
				}
				serr := settle()
				return n, errors.Join(fmt.Errorf("spool: deliver result for %s: %w", target(rec.Result), err), serr)
			}
			pending = append(pending, name)
			if len(pending) >= batch {
				if err := settle(); err != nil {
					return n, err
				}
			}
		}
		if err := settle(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// listSkew bounds how far after a listing's start a name's time may be
// and still be deferred by listSettled: a name further ahead comes from a
// clock that was off, and waiting for it would only hold it back.
const listSkew = 10 * time.Second

// listSettled is list without the results whose names are younger than
// the listing (deferred reports that there were some). A directory
// listing made while files are renamed into the directory may show a
// later one and miss an earlier one (ext4 lists in hash order); a result
// named before the listing started had its predecessors from the same
// producer renamed into place before that (a producer names a result
// after its previous Put returned), so they are listed too, and
// delivering only such results keeps each producer's order.
func (s *Spool) listSettled() (names []string, deferred bool, err error) {
	start := time.Now()
	all, err := s.list()
	if err != nil {
		return nil, false, err
	}
	names = all[:0]
	for _, name := range all {
		if t, ok := nameTime(name); ok && t.After(start) && t.Before(start.Add(listSkew)) {
			deferred = true
			continue
		}
		names = append(names, name)
	}
	return names, deferred, nil
}

// list returns the result file names, oldest first.
func (s *Spool) list() ([]string, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, suffix) && !strings.HasPrefix(name, ".") && e.Type().IsRegular() {
			names = append(names, name)
		}
	}
	slices.Sort(names) // fixed-width names: lexical order is enqueue order
	return names, nil
}

// enforceLimits deletes what MaxAge and MaxResults exclude and returns the
// names left, and whether it removed anything.
func (s *Spool) enforceLimits(names []string) ([]string, bool) {
	expired := 0
	if s.opts.MaxAge > 0 {
		cutoff := s.opts.Now().Add(-s.opts.MaxAge)
		for expired < len(names) {
			t, ok := nameTime(names[expired])
			if !ok || !t.Before(cutoff) {
				break
			}
			expired++
		}
	}
	excess := 0
	if limit := s.opts.MaxResults; limit > 0 && len(names)-expired > limit {
		excess = len(names) - expired - limit
	}
	drop := expired + excess
	if drop == 0 {
		return names, false
	}
	failed := 0
	for _, name := range names[:drop] {
		if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			failed++
		}
	}
	if expired > 0 {
		s.opts.Logf("spool: dropped %d result(s) older than %s (max age)", expired, s.opts.MaxAge)
	}
	if excess > 0 {
		s.opts.Logf("spool: dropped the %d oldest result(s) beyond %d (max results)", excess, s.opts.MaxResults)
	}
	if failed > 0 {
		s.opts.Logf("spool: could not remove %d dropped result(s)", failed)
	}
	return names[drop:], true
}

func (s *Spool) read(name string) (Record, error) {
	if _, ok := nameTime(name); !ok {
		return Record{}, fmt.Errorf("%w: unexpected file name", ErrCorrupt)
	}
	f, err := safefile.OpenFile(filepath.Join(s.dir, name), os.O_RDONLY)
	if errors.Is(err, safefile.ErrNotRegular) {
		return Record{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if err != nil {
		return Record{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(MaxRecordSize)+1))
	if err != nil {
		return Record{}, fmt.Errorf("read %s: %w", name, err)
	}
	rec, err := Decode(b)
	if err != nil {
		return rec, err
	}
	return Revalidate(rec, s.opts.Multiline)
}

// Revalidate treats a decoded record as untrusted, as a member of the
// spool's group could have written it: a host or service name the
// mapping would have refused (bridge.ValidateHost, ValidateService: ';',
// control characters, over-long) makes it corrupt (Drain quarantines it),
// and the output and alert id are sanitised again (bridge.SanitizeOutput).
func Revalidate(rec Record, multiline bool) (Record, error) {
	r := &rec.Result
	if err := bridge.ValidateHost(r.Host); err != nil {
		return Record{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if r.Service != "" {
		if err := bridge.ValidateService(r.Service); err != nil {
			return Record{}, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	r.Output = bridge.SanitizeOutput(r.Output, 0, multiline)
	r.AlertID = bridge.SanitizeOutput(bridge.TruncateUTF8(r.AlertID, 128), 0, false)
	return rec, nil
}

func (s *Spool) quarantine(name string, cause error) {
	s.writeReason(name, cause)
	dst := filepath.Join(s.dir, quarantineName, name)
	if err := os.Rename(filepath.Join(s.dir, name), dst); err != nil {
		os.Remove(filepath.Join(s.dir, quarantineName, name+reasonSuffix))
		s.opts.Logf("spool: %s is unusable (%v) and could not be quarantined: %v", name, cause, err)
		return
	}
	s.opts.Logf("spool: quarantined %s: %v", filepath.Join(quarantineName, name), cause)
}

// Quarantine puts r straight into the quarantine with the reason: the
// transport refused it for good (bridge.Quarantiner).
func (s *Spool) Quarantine(r bridge.Result, reason error) error {
	name, enq := s.nextName()
	b, err := Encode(Record{Result: r, Enqueued: enq})
	if err != nil {
		return err
	}
	s.writeReason(name, reason)
	if err := s.writeDurably(filepath.Join(s.dir, quarantineName), name, b); err != nil {
		os.Remove(filepath.Join(s.dir, quarantineName, name+reasonSuffix))
		return fmt.Errorf("spool: quarantine result for %s: %w", target(r), err)
	}
	s.opts.Logf("spool: quarantined the result for %s as %s: %v", target(r), filepath.Join(quarantineName, name), reason)
	return nil
}

var _ bridge.Quarantiner = (*Spool)(nil)

// writeReason writes the reason a result was quarantined beside it, one
// line: "<RFC 3339 time> <reason>". Best effort: the record matters more.
func (s *Spool) writeReason(name string, cause error) {
	line := s.opts.Now().UTC().Format(time.RFC3339) + " " + oneLine(cause.Error()) + "\n"
	_ = s.writeDurably(filepath.Join(s.dir, quarantineName), name+reasonSuffix, []byte(line))
}

// oneLine flattens text for a one-line file.
func oneLine(t string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, t)
}

// removeLeftovers removes temporary files of Puts that crashed.
func (s *Spool) removeLeftovers() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	cutoff := s.opts.Now().Add(-s.opts.TempMaxAge)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			continue // maybe a Put in progress
		}
		if err := os.Remove(filepath.Join(s.dir, e.Name())); err == nil {
			s.opts.Logf("spool: removed %s left by an interrupted write", e.Name())
		}
	}
}

// Stats counts the waiting and quarantined results. It takes no lock and
// reads no record, so the self-check plugin can run it as any user that may
// list the directory.
func (s *Spool) Stats() (Stats, error) {
	var st Stats
	names, err := s.list()
	if err != nil {
		return st, fmt.Errorf("spool: stats: %w", err)
	}
	st.Depth = len(names)
	for _, name := range names {
		if t, ok := nameTime(name); ok {
			st.Oldest = t
			break
		}
	}
	q, err := os.ReadDir(filepath.Join(s.dir, quarantineName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return st, fmt.Errorf("spool: stats: %w", err)
	}
	newest := ""
	for _, e := range q {
		if name := e.Name(); !strings.HasSuffix(name, reasonSuffix) && !strings.HasPrefix(name, tempPrefix) {
			st.Quarantined++
			newest = max(newest, name)
		}
	}
	if newest != "" {
		if b, err := readSmall(filepath.Join(s.dir, quarantineName, newest+reasonSuffix), 1024); err == nil {
			st.LastReason = strings.TrimSpace(oneLine(string(b)))
		}
	}
	return st, nil
}

// kind names what a planted file is, for the log.
func kind(fi fs.FileInfo) string {
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m.IsDir():
		return "directory"
	case m.IsRegular():
		return "regular file"
	}
	return "special file"
}

// lockDir takes an exclusive flock on path, polling so that ctx can end the
// wait. The returned function releases it.
func (s *Spool) lockDir(ctx context.Context, path string) (func(), error) {
	unlock, err := safefile.Lock(ctx, path)
	if errors.Is(err, safefile.ErrNotRegular) {
		// A link or special file planted as the lock: removed (never
		// followed) and the lock made again.
		if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() && os.Remove(path) == nil {
			s.opts.Logf("spool: removed %s: a %s where the lock file belongs", path, kind(fi))
			unlock, err = safefile.Lock(ctx, path)
		}
	}
	if errors.Is(err, safefile.ErrLocked) {
		return nil, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("spool: lock: %w", err)
	}
	return unlock, nil
}

// readSmall reads a small regular file, never through a link.
func readSmall(path string, max int64) ([]byte, error) { return safefile.ReadFile(path, max) }
