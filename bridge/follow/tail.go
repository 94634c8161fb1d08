package follow

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// rotatedCandidates lists where OSSEC and Wazuh put a rotated alerts file
// (FORMATS §1.4): <dir>/<YYYY>/<Mon>/ossec-alerts-<DD>[-<NNN>]<ext>[.gz],
// for the months from the cursor's save time (less a day) to now, at most
// 13 months; the cursor's own path first.
func rotatedCandidates(c Cursor, current, ext string, now time.Time) []string {
	var out []string
	if c.Path != "" && c.Path != current {
		out = append(out, c.Path, c.Path+".gz")
	}
	dir := filepath.Dir(current)
	from := c.Saved.Add(-24 * time.Hour)
	if from.After(now) || now.Sub(from) > 400*24*time.Hour {
		from = now.Add(-31 * 24 * time.Hour)
	}
	seen := map[string]bool{}
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.Local); !m.After(now); m = m.AddDate(0, 1, 0) {
		md := filepath.Join(dir, fmt.Sprintf("%04d", m.Year()), m.Month().String()[:3])
		if seen[md] {
			continue
		}
		seen[md] = true
		names, _ := filepath.Glob(filepath.Join(md, "ossec-alerts-*"))
		sort.Strings(names)
		for _, n := range names {
			if strings.HasSuffix(n, ext) || strings.HasSuffix(n, ext+".gz") {
				out = append(out, n)
			}
		}
	}
	return out
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
