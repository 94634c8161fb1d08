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
	"syscall"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
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

const stateHeader = "ossec-nagios flood state v1\n"

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
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("flood: state file directory: %w", err)
	}
	return &StateFile{path: path, opts: opts}, nil
}

// Path returns the state file's name.
func (f *StateFile) Path() string { return f.path }

// Offer records one result and returns what to send now, in order: the
// summaries of windows closed by now (of any host/service), then the
// item's own result if it opens a window. The caller must deliver
// everything returned — it is no longer recorded anywhere else — and log a
// non-nil error. Offer fails open: when the state cannot be locked, read or
// written (ctx bounds the wait for the lock), it returns the item's own
// result to send with the error; when the file was corrupt it starts afresh
// and returns what to send with an error wrapping ErrCorruptState.
func (f *StateFile) Offer(ctx context.Context, it Item) ([]bridge.Result, error) {
	out, committed, err := f.update(ctx, func(t table, now time.Time) []bridge.Result {
		return t.offer(it, now, f.opts)
	})
	if !committed {
		return []bridge.Result{it.Result}, err
	}
	return out, err
}

// Flush returns the summaries of the windows closed by now, for the caller
// to deliver: `ossec-nagios flush` runs it from cron, so that a summary
// goes out even when no later alert comes to emit it. On error nothing
// changed and nothing is returned, unless the error wraps ErrCorruptState.
func (f *StateFile) Flush(ctx context.Context) ([]bridge.Result, error) {
	out, _, err := f.update(ctx, func(t table, now time.Time) []bridge.Result {
		return t.flush(now, f.opts, false)
	})
	return out, err
}

// update runs fn on the state under the lock and saves the state. It
// reports whether the new state was saved; a corrupt state file is
// replaced and reported in the error with the state saved.
func (f *StateFile) update(ctx context.Context, fn func(table, time.Time) []bridge.Result) ([]bridge.Result, bool, error) {
	unlock, err := lockFile(ctx, f.path+".lock")
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	t, loadErr := f.load()
	if loadErr != nil && !errors.Is(loadErr, ErrCorruptState) {
		return nil, false, loadErr
	}
	out := fn(t, f.opts.Now())
	if err := f.save(t); err != nil {
		return nil, false, errors.Join(loadErr, err)
	}
	return out, true, loadErr
}

func (f *StateFile) load() (table, error) {
	fh, err := os.Open(f.path)
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

func (f *StateFile) save(t table) (err error) {
	dir, base := filepath.Split(f.path)
	if dir == "" {
		dir = "."
	}
	// Under the lock nobody else writes: any temporary file is a leftover.
	if old, _ := filepath.Glob(filepath.Join(dir, "."+base+".tmp-*")); len(old) > 0 {
		for _, o := range old {
			os.Remove(o)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("flood: write state: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("flood: write state: %w", err)
		}
	}()
	if err = tmp.Chmod(0o640); err != nil {
		return err
	}
	if _, err = tmp.Write(encodeState(t)); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), f.path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// The state file is text: the header line, then one line per window:
//
//	w <start ns> <end ns> <count> <worst state> <worst level> <last state> "host" "service" "last output" "last alert id"
//
// with the strings in Go double-quoted syntax, so that any byte survives.
func encodeState(t table) []byte {
	var b strings.Builder
	b.WriteString(stateHeader)
	for _, k := range t.keys() {
		w := t[k]
		b.WriteString("w ")
		for _, n := range []int64{w.Start.UnixNano(), w.End.UnixNano(), int64(w.Count), int64(w.Worst), int64(w.WorstLevel), int64(w.Last.State)} {
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

// decodeState parses a state file. Every error wraps ErrCorruptState; it
// never panics.
func decodeState(b []byte) (table, error) {
	if len(b) > MaxStateSize {
		return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrCorruptState, len(b), MaxStateSize)
	}
	s := string(b)
	if !strings.HasPrefix(s, stateHeader) {
		return nil, fmt.Errorf("%w: bad header", ErrCorruptState)
	}
	s = s[len(stateHeader):]
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
		k, w, err := decodeWindow(line)
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

func decodeWindow(line string) (key, *window, error) {
	p, ok := strings.CutPrefix(line, "w ")
	if !ok {
		return key{}, nil, errors.New(`does not start with "w "`)
	}
	var nums [6]int64
	for i := range nums {
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
			return key{}, nil, fmt.Errorf("field %d: not a quoted string", i+7)
		}
		q, err := strconv.QuotedPrefix(p)
		if err != nil {
			return key{}, nil, fmt.Errorf("field %d: %v", i+7, err)
		}
		if strs[i], err = strconv.Unquote(q); err != nil {
			return key{}, nil, fmt.Errorf("field %d: %v", i+7, err)
		}
		p = p[len(q):]
		if i < len(strs)-1 {
			if p, ok = strings.CutPrefix(p, " "); !ok {
				return key{}, nil, fmt.Errorf("field %d missing", i+8)
			}
		}
	}
	if p != "" {
		return key{}, nil, errors.New("trailing data")
	}
	start, end, count, worst, level, last := nums[0], nums[1], nums[2], nums[3], nums[4], nums[5]
	switch {
	case end <= start:
		return key{}, nil, fmt.Errorf("window ends (%d) before it starts (%d)", end, start)
	case count < 0 || count > math.MaxInt32:
		return key{}, nil, fmt.Errorf("count %d out of range", count)
	case worst < int64(bridge.OK) || worst > int64(bridge.Unknown):
		return key{}, nil, fmt.Errorf("worst state %d out of range", worst)
	case last < int64(bridge.OK) || last > int64(bridge.Unknown):
		return key{}, nil, fmt.Errorf("last state %d out of range", last)
	case level < math.MinInt32 || level > math.MaxInt32:
		return key{}, nil, fmt.Errorf("level %d out of range", level)
	case strs[0] == "":
		return key{}, nil, errors.New("empty host")
	}
	k := key{strs[0], strs[1]}
	return k, &window{
		Start:      time.Unix(0, start),
		End:        time.Unix(0, end),
		Count:      int(count),
		Worst:      bridge.State(worst),
		WorstLevel: int(level),
		Last:       bridge.Result{Host: k.host, Service: k.service, State: bridge.State(last), Output: strs[2], AlertID: strs[3]},
	}, nil
}

// lockFile takes an exclusive flock on path, polling so that ctx can end
// the wait. The returned function releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("flood: lock: %w", err)
	}
	delay := time.Millisecond
	for {
		err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { fh.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			fh.Close()
			return nil, fmt.Errorf("flood: lock %s: %w", path, err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			fh.Close()
			return nil, fmt.Errorf("flood: lock %s: %w", path, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 20*time.Millisecond)
	}
}
