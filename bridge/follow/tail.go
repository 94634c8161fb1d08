package follow

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// tail is the file follow mode reads: open by file descriptor, so that a
// file rotated away (renamed, unlinked, re-linked) is still finished.
type tail struct {
	f      *os.File // nil for a compressed rotated file
	gzPath string   // the .gz holding the rest of a rotated file
	path   string   // where the file was found
	id     FileID
	head   Head
	off    int64 // committed: first byte not yet delivered

	// rotated is set once the file is no longer the one at Options.Path
	// (or is a compressed copy): nothing more will be written to it, so a
	// last alert at its end is complete.
	rotated bool

	lastSize int64     // size at the last look
	grewAt   time.Time // when the size last changed
	heldSize int64     // size at which only an incomplete alert was left, -1 if none
}

func (t *tail) close() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

func statID(fi os.FileInfo) (FileID, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileID{}, errors.New("no device and inode available for " + fi.Name())
	}
	return FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, nil //nolint:unconvert // Dev is not uint64 everywhere
}

// openTail opens path as a tail at offset 0; a missing file returns
// (nil, nil).
func openTail(path string, now time.Time) (*tail, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	id, err := statID(fi)
	if err != nil {
		f.Close()
		return nil, err
	}
	t := &tail{f: f, path: path, id: id, lastSize: fi.Size(), grewAt: now, heldSize: -1}
	t.refreshHead(fi.Size())
	return t, nil
}

// refreshHead extends the fingerprint of a plain file's beginning while
// it is shorter than headBytes and the file has grown.
func (t *tail) refreshHead(size int64) {
	if t.f == nil || t.head.Len >= headBytes || size <= int64(t.head.Len) {
		return
	}
	n := min(size, headBytes)
	b := make([]byte, n)
	if _, err := t.f.ReadAt(b, 0); err != nil {
		return
	}
	t.head = headOf(b)
}

// headMatches reports whether r begins with the bytes h fingerprints.
func headMatches(r io.Reader, h Head) bool {
	if h.Len == 0 {
		return true
	}
	b := make([]byte, h.Len)
	if _, err := io.ReadFull(r, b); err != nil {
		return false
	}
	return headOf(b) == h
}

func headMatchesAt(f *os.File, h Head) bool {
	return headMatches(io.NewSectionReader(f, 0, int64(h.Len)), h)
}

// rotatedCandidates lists where the file the cursor names may be after
// rotation: the cursor's own path (and its .gz), then the rotation chain
// of current (rotatedChain) from the cursor's save time less a day.
func rotatedCandidates(c Cursor, current, ext string, now time.Time) []string {
	var out []string
	if c.Path != "" && c.Path != current {
		out = append(out, c.Path, c.Path+".gz")
	}
	for _, e := range rotatedChain(current, ext, c.Saved.Add(-24*time.Hour), now) {
		out = append(out, e.path)
	}
	return out
}

// chainEntry is one rotated file of the followed one.
type chainEntry struct {
	path string
	gz   bool      // a gzip copy (its plain file is gone)
	id   FileID    // plain files only
	mod  time.Time // modification time
}

// rotatedChain lists the rotated files of current, oldest first:
//
//   - OSSEC's and Wazuh's dated files (FORMATS §1.4),
//     <dir>/<YYYY>/<Mon>/ossec-alerts-<DD>[-<NNN>]<ext>[.gz], for the
//     months from `from` to now (at most 13): by day, and within a day the
//     file without a split number before -001, -002, ...;
//   - then logrotate's numbered files, current.<N>[.gz], the highest N
//     (the oldest) first.
//
// A plain file and its .gz copy (while monitord or logrotate compresses)
// are one entry, the plain one. Entries that are not regular files are
// left out. A dated file may be current itself under another name (a hard
// link): the caller tells it by its identity.
func rotatedChain(current, ext string, from, now time.Time) []chainEntry {
	// A directory listing is not atomic: a file renamed meanwhile (a
	// logrotate shift) may be missed. Listed until two listings agree.
	prev := listChain(current, ext, from, now)
	for range 3 {
		next := listChain(current, ext, from, now)
		if slices.EqualFunc(prev, next, func(a, b chainEntry) bool { return a.path == b.path && a.id == b.id }) {
			break
		}
		prev = next
	}
	return prev
}

func listChain(current, ext string, from, now time.Time) []chainEntry {
	type keyed struct {
		name string
		key  [2]int
	}
	var out []chainEntry
	add := func(dir string, names []keyed) {
		sort.SliceStable(names, func(i, j int) bool {
			a, b := names[i].key, names[j].key
			return a[0] < b[0] || a[0] == b[0] && a[1] < b[1]
		})
		for i, n := range names {
			gz := strings.HasSuffix(n.name, ".gz")
			if gz && ((i > 0 && names[i-1].key == n.key) || (i+1 < len(names) && names[i+1].key == n.key && !strings.HasSuffix(names[i+1].name, ".gz"))) {
				continue // the plain file is still there
			}
			p := filepath.Join(dir, n.name)
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			e := chainEntry{path: p, gz: gz, mod: fi.ModTime()}
			if !gz {
				if e.id, err = statID(fi); err != nil {
					continue
				}
			}
			out = append(out, e)
		}
	}

	dir := filepath.Dir(current)
	if from.After(now) || now.Sub(from) > 400*24*time.Hour {
		from = now.Add(-31 * 24 * time.Hour)
	}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.Local); !m.After(now); m = m.AddDate(0, 1, 0) {
		md := filepath.Join(dir, fmt.Sprintf("%04d", m.Year()), m.Month().String()[:3])
		var names []keyed
		for _, n := range readDirNames(md) {
			if day, split, ok := parseDatedName(n, ext); ok {
				names = append(names, keyed{n, [2]int{day, split}})
			}
		}
		add(md, names)
	}

	base := filepath.Base(current)
	var names []keyed
	for _, n := range readDirNames(dir) {
		if num, ok := parseNumberedName(n, base); ok {
			names = append(names, keyed{n, [2]int{-num, 0}})
		}
	}
	add(dir, names)
	return out
}

func readDirNames(dir string) []string {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(es))
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// parseDatedName parses ossec-alerts-<DD>[-<NNN>]<ext>[.gz] (two digits
// for the day, at least three for the split); split is 0 for the day's
// first file.
func parseDatedName(name, ext string) (day, split int, ok bool) {
	rest, ok := strings.CutPrefix(name, "ossec-alerts-")
	if !ok {
		return 0, 0, false
	}
	rest = strings.TrimSuffix(rest, ".gz")
	if rest, ok = strings.CutSuffix(rest, ext); !ok {
		return 0, 0, false
	}
	d, s, hasSplit := strings.Cut(rest, "-")
	if day, ok = smallNumber(d, 2, 2); !ok || day < 1 || day > 31 {
		return 0, 0, false
	}
	if hasSplit {
		if split, ok = smallNumber(s, 3, 6); !ok || split < 1 {
			return 0, 0, false
		}
	}
	return day, split, true
}

// parseNumberedName parses <base>.<N>[.gz], N >= 1.
func parseNumberedName(name, base string) (int, bool) {
	rest, ok := strings.CutPrefix(name, base+".")
	if !ok {
		return 0, false
	}
	n, ok := smallNumber(strings.TrimSuffix(rest, ".gz"), 1, 6)
	return n, ok && n >= 1
}

// smallNumber parses minDigits to maxDigits decimal digits, zero-padded
// to minDigits at most (as printf's %0<min>d prints them).
func smallNumber(s string, minDigits, maxDigits int) (int, bool) {
	if len(s) < minDigits || len(s) > maxDigits || (len(s) > minDigits && s[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// findRotated looks for the file the cursor was saved in, after it was
// rotated away from current while follow mode was not running: a plain
// file by device, inode and head, or its gzip copy (monitord compresses
// rotated files and deletes the plain one) by its head. It returns nil
// when the file is gone.
func findRotated(c Cursor, current, ext string, now time.Time) *tail {
	for _, p := range rotatedCandidates(c, current, ext, now) {
		if strings.HasSuffix(p, ".gz") {
			if c.Head.Len == 0 || !gzHeadMatches(p, c.Head) {
				continue
			}
			return &tail{gzPath: p, path: p, id: c.ID, head: c.Head, off: c.Offset, rotated: true, heldSize: -1}
		}
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if id, err := statID(fi); err != nil || id != c.ID {
			continue
		}
		t, err := openTail(p, now)
		if err != nil || t == nil {
			continue
		}
		if !headMatchesAt(t.f, c.Head) {
			t.close()
			continue
		}
		t.off = c.Offset
		return t
	}
	return nil
}

func gzHeadMatches(path string, h Head) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return false
	}
	defer zr.Close()
	return headMatches(zr, h)
}

// gzReaderAt opens a gzip file and returns a reader positioned at off of
// its decompressed content, and a closer.
func gzReaderAt(path string, off int64) (io.Reader, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	closer := func() { zr.Close(); f.Close() }
	if n, err := io.CopyN(io.Discard, zr, off); err != nil {
		closer()
		if errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%s holds %d bytes, fewer than the cursor's %d", path, n, off)
		}
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return zr, closer, nil
}

// fileRef identifies a finished file in the rotation chain.
type fileRef struct {
	id     FileID // matched against plain entries when byID
	byID   bool   // the file is still open, so its inode cannot be reused
	gzPath string // a compressed file: matched by path
	head   Head   // matched against compressed entries
	mod    time.Time
}

func (t *tail) ref() fileRef {
	r := fileRef{id: t.id, gzPath: t.gzPath, head: t.head}
	if t.f != nil {
		r.byID = true
		if fi, err := t.f.Stat(); err == nil {
			r.mod = fi.ModTime()
			t.refreshHead(fi.Size())
			r.head = t.head
		}
	} else if fi, err := os.Stat(t.gzPath); err == nil {
		r.mod = fi.ModTime()
	}
	return r
}

// newerThan returns the entries of chain written after the file ref
// names: those after it in the chain; when it is no longer in the chain
// (deleted by the rotation's count or age limit), those modified after
// it, in chain order: a rotated file is not written after the next one
// starts, so these hold alerts that were never read.
func newerThan(chain []chainEntry, ref fileRef) (newer []chainEntry, found bool) {
	i := slices.IndexFunc(chain, func(e chainEntry) bool {
		return (ref.byID && !e.gz && e.id == ref.id) || (ref.gzPath != "" && e.path == ref.gzPath)
	})
	if i < 0 && ref.head.Len > 0 {
		i = slices.IndexFunc(chain, func(e chainEntry) bool { return e.gz && gzHeadMatches(e.path, ref.head) })
	}
	if i >= 0 {
		return chain[i+1:], true
	}
	for _, e := range chain {
		if !e.mod.Before(ref.mod) { // equal: written in the same clock tick
			newer = append(newer, e)
		}
	}
	return newer, false
}

// successor returns the file to read after the one ref names, which is
// finished: the oldest rotated file newer than it (rotated set, offset
// 0), else the file at current. found is false when the finished file
// was no longer in the rotation chain.
//
// The current file is opened before the chain is listed: a rotation
// racing with the listing then leaves it in the chain under its new name,
// where its identity tells it apart from the newer files, which wait
// their turn. While there is no current file (between the unlink and the
// link of OSSEC's re-link, or before the writer creates it after a
// rename) it returns nil: today's dated file could not be told from a
// rotated one.
func successor(ref fileRef, current, ext string, now time.Time) (next *tail, found bool) {
	for range 3 {
		cur, _ := openTail(current, now) // an unreadable current file is reported when step opens it
		if cur == nil {
			return nil, true
		}
		from := ref.mod
		if from.IsZero() {
			from = now
		}
		newer, inChain := newerThan(rotatedChain(current, ext, from.Add(-24*time.Hour), now), ref)
		if len(newer) == 0 || (!newer[0].gz && newer[0].id == cur.id) {
			return cur, inChain
		}
		t, err := openEntry(newer[0], now)
		cur.close()
		if err == nil && t != nil {
			return t, inChain
		}
		// Renamed or removed since the listing: list again.
	}
	cur, _ := openTail(current, now)
	return cur, true
}

// openEntry opens a rotated file of the chain at offset 0; nil when it is
// no longer what the listing saw.
func openEntry(e chainEntry, now time.Time) (*tail, error) {
	if e.gz {
		// A damaged copy is still taken: reading it reports the damage.
		h, _ := gzHead(e.path)
		return &tail{gzPath: e.path, path: e.path, head: h, rotated: true, heldSize: -1}, nil
	}
	t, err := openTail(e.path, now)
	if err != nil || t == nil {
		return nil, err
	}
	if t.id != e.id {
		t.close()
		return nil, nil
	}
	t.rotated = true
	return t, nil
}

// gzHead fingerprints the first headBytes of a gzip file's content.
func gzHead(path string) (Head, error) {
	f, err := os.Open(path)
	if err != nil {
		return Head{}, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return Head{}, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	b, err := io.ReadAll(io.LimitReader(zr, headBytes))
	if err != nil {
		return Head{}, fmt.Errorf("%s: %w", path, err)
	}
	return headOf(b), nil
}

// advance moves on from done, a finished rotated file, to the next file
// of the rotation chain, or to the current file (see successor), and
// saves the cursor at its beginning. So two rotations between two looks
// (alerts.json -> .1 -> .2 while a new alerts.json -> .1) lose no file.
func (f *follower) advance(done *tail) {
	ref := done.ref()
	done.close()
	f.t = nil
	if !f.advanceFrom(ref) {
		f.log.WithField("path", done.path).Warn("follow: the finished file is no longer among the rotated files: going on with those modified after it")
	}
}

// advanceFrom opens the file after the one ref names and reports whether
// that one was found in the rotation chain. While there is no file yet,
// ref is kept for step to try again: files rotated meanwhile are not
// skipped either.
func (f *follower) advanceFrom(ref fileRef) (found bool) {
	next, found := successor(ref, f.o.Path, f.ext, f.o.Now())
	f.t, f.after = next, nil
	if next == nil {
		f.after = &ref
		return found
	}
	if next.rotated {
		f.log.WithField("path", next.path).Info("follow: reading the next rotated file")
	} else {
		f.log.WithField("path", next.path).Info("follow: following a new file")
	}
	f.led.reset(next.off)
	f.save()
	return found
}

// startAfterLost positions follow mode when the file the cursor names is
// gone: at the beginning of the oldest rotated file modified after the
// cursor was saved (it was not read yet), else of the current file.
func (f *follower) startAfterLost(c Cursor) {
	// File times come from the kernel's coarse clock, behind the one the
	// cursor's time was read from: a margin, so that a file written just
	// after the save is not taken for an older one (which repeats alerts
	// at worst).
	f.advanceFrom(fileRef{head: c.Head, mod: c.Saved.Add(-2 * time.Second)})
}

// chainLag is the size of the rotated files newer than t, a rotated file
// being finished, that are still to be read before the current file (as
// stored: a .gz counts compressed). Zero when t is no longer found in the
// chain by its identity or path.
func chainLag(t *tail, current, ext string, now time.Time) int64 {
	ref := fileRef{id: t.id, byID: t.f != nil, gzPath: t.gzPath, mod: now}
	if t.f != nil {
		if fi, err := t.f.Stat(); err == nil {
			ref.mod = fi.ModTime()
		}
	}
	var curID FileID
	if fi, err := os.Stat(current); err == nil {
		curID, _ = statID(fi)
	}
	newer, found := newerThan(rotatedChain(current, ext, ref.mod.Add(-24*time.Hour), now), ref)
	if !found {
		return 0
	}
	var n int64
	for _, e := range newer {
		if e.gz || e.id != curID {
			if fi, err := os.Stat(e.path); err == nil {
				n += fi.Size()
			}
		}
	}
	return n
}
