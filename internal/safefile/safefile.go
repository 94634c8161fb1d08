// Package safefile is the one place that creates, writes, reads and locks
// the bridge's state files (the spool, its stamps and lock, follow mode's
// cursor), with the same rules everywhere:
//
//   - Shared by a group: the active response runs as root, the self-check
//     as nagios in the group of the OSSEC tree, integrations as ossec.
//     Directories are made setgid 02770 in the group of the directory they
//     are made in, files 0660, whatever the umask. Modes of files and
//     directories this process owns are widened to that when found
//     narrower (a file made by an older version, 0640).
//   - No symbolic link is followed and no special file used: every open is
//     O_NOFOLLOW and checks for a regular file, directories are checked
//     with Lstat, so a member of the group cannot make a root process
//     write through a planted link.
//   - Durable writes: temporary file, fsync, rename, directory fsync.
package safefile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// TempPrefix starts the name of every temporary file the package writes
// (and RemoveTemps removes): a directory listing skips such names.
const TempPrefix = ".tmp-"

// Modes of what the package creates.
const (
	DirMode  fs.FileMode = 0o770 | fs.ModeSetgid
	FileMode fs.FileMode = 0o660
)

// ErrNotRegular is wrapped when a path names a symbolic link, a device, a
// FIFO or a directory where a regular file was expected (or anything but a
// directory where one was expected).
var ErrNotRegular = errors.New("not a regular file (a symbolic link or special file is never followed)")

// MkdirShared creates dir and any missing parents as setgid group-shared
// directories in the group of the nearest existing ancestor, and widens
// the mode of dir when this process owns it. It refuses a dir that is not
// a directory (a symbolic link included).
func MkdirShared(dir string) error { return mkdir(dir, true) }

// EnsureDir creates dir and any missing parents like MkdirShared but
// leaves an existing dir (or a link to one) as it is: for the directory
// of a state file whose place the operator chose, which may be shared
// with others.
func EnsureDir(dir string) error { return mkdir(dir, false) }

// mkdir is MkdirShared; only the directory asked for (top) is widened,
// never an existing parent such as the OSSEC tree.
func mkdir(dir string, top bool) error {
	fi, err := os.Lstat(dir)
	switch {
	case err == nil:
		if !fi.IsDir() {
			if !top && fi.Mode()&fs.ModeSymlink != 0 {
				if sfi, err := os.Stat(dir); err == nil && sfi.IsDir() {
					return nil // a parent may be a link (/var -> /srv/var)
				}
			}
			return fmt.Errorf("%s: %w", dir, errNotDir)
		}
		if top {
			widen(dir, fi, DirMode)
		}
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdir(parent, false); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err = os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: %w", dir, errNotDir)
	}
	if pfi, err := os.Stat(parent); err == nil {
		if pst, ok := pfi.Sys().(*syscall.Stat_t); ok {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Gid != pst.Gid {
				_ = os.Lchown(dir, -1, int(pst.Gid))
			}
		}
	}
	return os.Chmod(dir, DirMode)
}

var errNotDir = errors.New("not a directory (a symbolic link is never followed)")

// widen adds the bits of want missing from a file or directory this
// process owns. Best effort: a file owned by another user keeps its mode.
func widen(path string, fi fs.FileInfo, want fs.FileMode) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Geteuid() {
		return
	}
	have := fi.Mode() & (fs.ModePerm | fs.ModeSetgid)
	if have&want == want {
		return
	}
	_ = os.Chmod(path, have|want)
}

// OpenFile opens a regular file with O_NOFOLLOW (flag may hold O_CREATE,
// which creates it with FileMode) and refuses anything else. A file this
// process owns is widened to FileMode.
func OpenFile(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == os.Geteuid() && fi.Mode().Perm()&FileMode != FileMode {
		_ = f.Chmod(fi.Mode().Perm() | FileMode)
	}
	return f, nil
}

// ReadFile reads a regular file of at most max bytes (more is an error).
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := OpenFile(path, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, max)
	}
	return b, nil
}

// WriteFile replaces path durably with b: a temporary file in the same
// directory (FileMode), fsync, rename, directory fsync. A symbolic link
// at path is replaced, never followed.
func WriteFile(path string, b []byte) error { return write(path, b, FileMode, true) }

// WriteFileMode is WriteFile with another mode than FileMode, for files
// that are not the bridge's own state (generated configuration that
// others read).
func WriteFileMode(path string, b []byte, mode fs.FileMode) error { return write(path, b, mode, true) }

// RemoveTemps removes the temporary files that writers of path left when
// they died between creating and renaming them. Call it only while
// holding the lock under which path is written: then every temporary
// file is a leftover.
func RemoveTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	old, _ := filepath.Glob(filepath.Join(dir, TempPrefix+"*-"+globEscape(base)+"-*"))
	for _, o := range old {
		os.Remove(o)
	}
}

// globEscape quotes the pattern characters of a file name.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Replace is WriteFile without the fsyncs: atomic (a reader sees the old
// or the new content) but not durable, for files rewritten often whose
// loss in a crash costs nothing (follow mode's status).
func Replace(path string, b []byte) error { return write(path, b, FileMode, false) }

func write(path string, b []byte, mode fs.FileMode, durable bool) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, TempPrefix+strconv.Itoa(os.Getpid())+"-"+base+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(mode); err != nil {
		return err
	}
	if _, err = f.Write(b); err != nil {
		return err
	}
	if durable {
		if err = f.Sync(); err != nil {
			return err
		}
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if !durable {
		return nil
	}
	return SyncDir(dir)
}

// SyncDir fsyncs a directory, so that a rename or remove in it survives a
// crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// ErrLocked is returned (wrapped with the context's error) when Lock's
// context ended while another process held the lock.
var ErrLocked = errors.New("locked by another process")

// Lock takes an exclusive flock(2) on path (created with FileMode, never
// through a link), waiting, with a short poll, as long as ctx allows. The
// returned function releases it.
func Lock(ctx context.Context, path string) (unlock func(), err error) {
	f, err := OpenFile(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	delay := time.Millisecond
	for {
		ok, err := flock(f, path)
		if err != nil {
			f.Close()
			return nil, err
		}
		if ok {
			return func() { f.Close() }, nil // closing releases the lock
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("%w: %w", ErrLocked, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// TryLock takes the lock of Lock without waiting. ok is false (and f nil)
// when another process holds it. The lock is held until f is closed; a
// holder may write into f (its pid, for messages).
func TryLock(path string) (f *os.File, ok bool, err error) {
	f, err = OpenFile(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, false, err
	}
	if ok, err = flock(f, path); err != nil || !ok {
		f.Close()
		return nil, false, err
	}
	return f, true, nil
}

// flock tries an exclusive flock(2) once: ok false when it is held
// elsewhere.
func flock(f *os.File, path string) (ok bool, err error) {
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, syscall.EWOULDBLOCK) || errors.Is(err, syscall.EINTR):
		return false, nil
	}
	return false, fmt.Errorf("lock %s: %w", path, err)
}
