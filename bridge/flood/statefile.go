package flood

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

// ErrCorruptState is wrapped by the error that reports a state file that
// could not be decoded. The file is moved aside to "<path>.corrupt" and
// flood control starts afresh: the results aggregated in it are lost, and
// the error says so.
var ErrCorruptState = errors.New("flood: corrupt state file")

// MaxStateSize bounds a state file, so that a corrupt one cannot make a
// process allocate without limit. The bounds on what a window holds
// (MaxWindows, maxKeyBytes, maxStoredOutput, maxStoredID) keep every state
// this package writes well within it.
const MaxStateSize = 256 << 20

// The state file's first line. v1 files (written before windows knew what
// they had sent and when their alerts happened) are still read.
const (
	stateHeader   = "ossec-nagios flood state v2\n"
	stateHeaderV1 = "ossec-nagios flood state v1\n"
)

// StateFile is flood control through a file shared by concurrent
// processes: each operation takes an exclusive flock(2) on "<path>.lock",
// reads the state, applies the window logic at the clock read under the
// lock, and replaces the file atomically (temporary file, fsync, rename,
// fsync of the directory). See the package documentation for who emits the
// summary of a closed window.
type StateFile struct {
	path string
	opts Options
}

// OpenStateFile returns flood control through the state file at path,
// creating its directory (mode 0750) if needed; the file itself is created
// by the first Offer.
func OpenStateFile(path string, opts Options) (*StateFile, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty state file name", ErrOptions)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := safefile.EnsureDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("flood: state file directory: %w", err)
	}
	return &StateFile{path: path, opts: opts}, nil
}

// Path returns the state file's name.
func (f *StateFile) Path() string { return f.path }

// Offer records one result and returns what to send now, in order: the
// summaries of windows closed by now (of any host/service), then the
// item's own result if it is sent at once (it opens a window or is a rise
// in severity). The caller must deliver everything returned — it is no
// longer recorded anywhere else — and log a non-nil error. What is held
// is in the file when Offer returns. Offer fails open: when the state
// cannot be locked, read or written (ctx bounds the wait for the lock), it
// returns the item's own result to send with the error; when the file was
// corrupt it starts afresh and returns what to send with an error wrapping
// ErrCorruptState.
func (f *StateFile) Offer(ctx context.Context, it Item) ([]bridge.Result, error) {
	out, _, err := f.OfferAll(ctx, []Item{it})
	return out[0], err
}

// OfferAll is Offer for several items under one lock and one write (follow
// mode offers a batch at a time): out[i] is what to send at item i's
// place, in order. next is when the earliest window holding results
// closes (zero: none), the time to call Due. On failure every item's own
// result is returned, as by Offer.
func (f *StateFile) OfferAll(ctx context.Context, items []Item) (out [][]bridge.Result, next time.Time, err error) {
	out = make([][]bridge.Result, len(items))
	committed, err := f.update(ctx, func(t table, now time.Time) error {
		for i, it := range items {
			out[i] = t.offer(it, now, f.opts)
		}
		next, _ = t.next()
		return nil
	})
	if !committed {
		for i, it := range items {
			out[i] = []bridge.Result{it.Result}
		}
		return out, time.Time{}, err
	}
	return out, next, err
}

// Due hands the summaries of the windows closed by now to emit, under the
// lock, and forgets them only when emit returns nil, so that a summary is
// never lost: emit should make them durable (put them in the spool) or
// deliver them; if the process dies after emit and before the state is
// saved, they are emitted again (at least once, never lost). emit is not
// called when nothing is due. next is when the earliest window holding
// results closes (zero: none): `ossec-nagios flush` runs Due from cron,
// follow mode and the background flusher when next comes. On error nothing
// changed, unless the error wraps ErrCorruptState.
func (f *StateFile) Due(ctx context.Context, emit func([]bridge.Result) error) (next time.Time, err error) {
	_, err = f.update(ctx, func(t table, now time.Time) error {
		if out := t.flush(now, f.opts, false); len(out) > 0 {
			if err := emit(out); err != nil {
				return fmt.Errorf("flood: emit %d summaries: %w", len(out), err)
			}
		}
		next, _ = t.next()
		return nil
	})
	return next, err
}

// Next returns when the earliest window holding results closes (zero:
// none), reading the state under the lock and changing nothing.
func (f *StateFile) Next(ctx context.Context) (time.Time, error) {
	unlock, err := lockFile(ctx, f.path+".lock")
	if err != nil {
		return time.Time{}, err
	}
	defer unlock()
	t, err := f.load()
	if err != nil {
		return time.Time{}, err
	}
	next, _ := t.next()
	return next, nil
}

// update runs fn on the state under the lock and saves the state unless
// fn fails. It reports whether the new state was saved; a corrupt state
// file is replaced and reported in the error with the state saved.
func (f *StateFile) update(ctx context.Context, fn func(table, time.Time) error) (bool, error) {
	unlock, err := lockFile(ctx, f.path+".lock")
	if err != nil {
		return false, err
	}
	defer unlock()
	t, loadErr := f.load()
	if loadErr != nil && !errors.Is(loadErr, ErrCorruptState) {
		return false, loadErr
	}
	if err := fn(t, f.opts.Now()); err != nil {
		return false, errors.Join(loadErr, err)
	}
	if err := f.save(t); err != nil {
		return false, errors.Join(loadErr, err)
	}
	return true, loadErr
}

func (f *StateFile) load() (table, error) {
	fh, err := safefile.OpenFile(f.path, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return table{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("flood: read state: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(fh, MaxStateSize+1))
	fh.Close()
	if err != nil {
		return nil, fmt.Errorf("flood: read state: %w", err)
	}
	t, err := decodeState(b)
	if err == nil {
		return t, nil
	}
	aside := f.path + ".corrupt"
	if rerr := os.Rename(f.path, aside); rerr != nil {
		return table{}, fmt.Errorf("%w; could not move it aside: %v; aggregated alerts in it are lost", err, rerr)
	}
	return table{}, fmt.Errorf("%w; moved to %s; aggregated alerts in it are lost", err, aside)
}

func (f *StateFile) save(t table) error {
	// Under the lock nobody else writes: a temporary file is a leftover.
	safefile.RemoveTemps(f.path)
	if err := safefile.WriteFile(f.path, encodeState(t)); err != nil {
		return fmt.Errorf("flood: write state: %w", err)
	}
	return nil
}

// The state file is text: the header line, then one line per window:
//
//	w <start> <end> <count> <worst state> <worst level> <last state> <sent state> <first> <last at> "host" "service" "last output" "last alert id"
//
// with the times in Unix nanoseconds and the strings in Go double-quoted
// syntax, so that any byte survives. A v1 line lacks the sent state and
// the two alert times.
func encodeState(t table) []byte {
	var b strings.Builder
	b.WriteString(stateHeader)
	for _, k := range t.keys() {
		w := t[k]
		b.WriteString("w ")
		for _, n := range []int64{w.Start.UnixNano(), w.End.UnixNano(), int64(w.Count), int64(w.Worst), int64(w.WorstLevel), int64(w.Last.State),
			int64(w.Sent), unixNano(w.First), unixNano(w.LastAt)} {
			b.WriteString(strconv.FormatInt(n, 10))
			b.WriteByte(' ')
		}
		for i, s := range []string{k.host, k.service, w.Last.Output, w.Last.AlertID} {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.Quote(s))
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// unixNano is t in Unix nanoseconds, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// decodeState parses a state file. Every error wraps ErrCorruptState; it
// never panics.
func decodeState(b []byte) (table, error) {
	if len(b) > MaxStateSize {
		return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrCorruptState, len(b), MaxStateSize)
	}
	s := string(b)
	nums := 9
	switch {
	case strings.HasPrefix(s, stateHeader):
		s = s[len(stateHeader):]
	case strings.HasPrefix(s, stateHeaderV1):
		s, nums = s[len(stateHeaderV1):], 6
	default:
		return nil, fmt.Errorf("%w: bad header", ErrCorruptState)
	}
	if s != "" && !strings.HasSuffix(s, "\n") {
		return nil, fmt.Errorf("%w: truncated last line", ErrCorruptState)
	}
	t := table{}
	for n := 2; s != ""; n++ {
		line, rest, _ := strings.Cut(s, "\n")
		s = rest
		if len(t) >= MaxWindows {
			return nil, fmt.Errorf("%w: more than %d windows", ErrCorruptState, MaxWindows)
		}
		k, w, err := decodeWindow(line, nums)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", ErrCorruptState, n, err)
		}
		if t[k] != nil {
			return nil, fmt.Errorf("%w: line %d: %q/%q repeated", ErrCorruptState, n, k.host, k.service)
		}
		t[k] = w
	}
	return t, nil
}

// decodeWindow parses one line with nn numbers: 9 (v2) or 6 (v1).
func decodeWindow(line string, nn int) (key, *window, error) {
	p, ok := strings.CutPrefix(line, "w ")
	if !ok {
		return key{}, nil, errors.New(`does not start with "w "`)
	}
	var nums [9]int64
	for i := range nn {
		field, rest, ok := strings.Cut(p, " ")
		if !ok {
			return key{}, nil, fmt.Errorf("field %d missing", i+1)
		}
		n, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return key{}, nil, fmt.Errorf("field %d: %v", i+1, err)
		}
		nums[i], p = n, rest
	}
	var strs [4]string
	for i := range strs {
		if !strings.HasPrefix(p, `"`) {
			return key{}, nil, fmt.Errorf("field %d: not a quoted string", i+nn+1)
		}
		q, err := strconv.QuotedPrefix(p)
		if err != nil {
			return key{}, nil, fmt.Errorf("field %d: %v", i+nn+1, err)
		}
		if strs[i], err = strconv.Unquote(q); err != nil {
			return key{}, nil, fmt.Errorf("field %d: %v", i+nn+1, err)
		}
		p = p[len(q):]
		if i < len(strs)-1 {
			if p, ok = strings.CutPrefix(p, " "); !ok {
				return key{}, nil, fmt.Errorf("field %d missing", i+nn+2)
			}
		}
	}
	if p != "" {
		return key{}, nil, errors.New("trailing data")
	}
	start, end, count, worst, level, last := nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]
	sent, first, lastAt := nums[6], nums[7], nums[8]
	if nn == 6 {
		// v1: what the window sent is unknown; OK makes the next
		// WARNING a rise, sent at once: one page too many, never one
		// too few.
		sent, first, lastAt = int64(bridge.OK), start, start
	}
	state := func(n int64) bool { return n >= int64(bridge.OK) && n <= int64(bridge.Unknown) }
	switch {
	case end <= start:
		return key{}, nil, fmt.Errorf("window ends (%d) before it starts (%d)", end, start)
	case count < 0 || count > math.MaxInt32:
		return key{}, nil, fmt.Errorf("count %d out of range", count)
	case !state(worst):
		return key{}, nil, fmt.Errorf("worst state %d out of range", worst)
	case !state(last):
		return key{}, nil, fmt.Errorf("last state %d out of range", last)
	case !state(sent):
		return key{}, nil, fmt.Errorf("sent state %d out of range", sent)
	case level < math.MinInt32 || level > math.MaxInt32:
		return key{}, nil, fmt.Errorf("level %d out of range", level)
	case strs[0] == "":
		return key{}, nil, errors.New("empty host")
	}
	k := key{strs[0], strs[1]}
	return k, &window{
		Start:      time.Unix(0, start),
		End:        time.Unix(0, end),
		Sent:       bridge.State(sent),
		Count:      int(count),
		Worst:      bridge.State(worst),
		WorstLevel: int(level),
		First:      fromUnixNano(first),
		LastAt:     fromUnixNano(lastAt),
		Last:       bridge.Result{Host: k.host, Service: k.service, State: bridge.State(last), Output: strs[2], AlertID: strs[3]},
	}, nil
}

// lockFile takes the state file's lock, waiting as long as ctx allows.
// The returned function releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	unlock, err := safefile.Lock(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("flood: %w", err)
	}
	return unlock, nil
}
