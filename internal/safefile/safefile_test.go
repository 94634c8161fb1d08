package safefile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestMkdirShared(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	base := t.TempDir()
	if os.Geteuid() == 0 {
		// The tree's group is inherited by what is made in it.
		if err := os.Chown(base, 0, 4711); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(base, "var", "spool")
	if err := MkdirShared(dir); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(base, "var"), dir} {
		fi, err := os.Lstat(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode() & (fs.ModePerm | fs.ModeSetgid); got != DirMode {
			t.Errorf("%s: mode %v, want %v", d, got, DirMode)
		}
		if os.Geteuid() == 0 {
			if gid := fi.Sys().(*syscall.Stat_t).Gid; gid != 4711 {
				t.Errorf("%s: group %d, want the tree's 4711", d, gid)
			}
		}
	}
	// An existing parent keeps its mode; the directory asked for is widened.
	if err := os.Chmod(base, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := MkdirShared(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(base); fi.Mode().Perm() != 0o700 {
		t.Errorf("the existing parent was changed to %v", fi.Mode())
	}
	if fi, _ := os.Stat(dir); fi.Mode()&(fs.ModePerm|fs.ModeSetgid) != DirMode {
		t.Errorf("the directory stayed %v", fi.Mode())
	}
	// A link where the directory should be is refused.
	link := filepath.Join(base, "link")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	if err := MkdirShared(link); err == nil {
		t.Error("MkdirShared accepted a symbolic link")
	}
}

func TestOpenFileRefusesLinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "target")
	link := filepath.Join(dir, "lock")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFile(link, os.O_RDWR|os.O_CREATE); !errors.Is(err, ErrNotRegular) {
		t.Errorf("OpenFile through a link: %v, want ErrNotRegular", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the link's target was created")
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(fifo, 100); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadFile of a FIFO: %v, want ErrNotRegular", err)
	}
	if _, err := Lock(context.Background(), fifo); err == nil {
		t.Error("Lock on a FIFO")
	}
}

func TestWriteFileReplacesLink(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "last-failure")
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("the link's target was written: %q", b)
	}
	b, err := ReadFile(p, 100)
	if err != nil || string(b) != "new\n" {
		t.Errorf("ReadFile = %q, %v", b, err)
	}
	if fi, _ := os.Lstat(p); fi.Mode() != FileMode {
		t.Errorf("mode %v, want %v", fi.Mode(), FileMode)
	}
	if _, err := ReadFile(p, 2); err == nil {
		t.Error("ReadFile over its limit")
	}
}

func TestLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	unlock, err := Lock(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if _, err := Lock(ctx, p); !errors.Is(err, ErrLocked) {
		t.Errorf("second Lock: %v, want ErrLocked", err)
	}
	unlock()
	unlock2, err := Lock(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
	if fi, _ := os.Stat(p); fi.Mode().Perm() != FileMode {
		t.Errorf("lock mode %v", fi.Mode())
	}
}

// TestEnsureDirLeavesExistingAlone: the directory of a state file the
// operator placed (e.g. the OSSEC tree itself, 0750) keeps its mode; a
// missing one is created group-shared.
func TestEnsureDirLeavesExistingAlone(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode()&(fs.ModePerm|fs.ModeSetgid) != 0o750 {
		t.Fatalf("existing directory: %v, %v; want its mode 0750 kept", fi.Mode(), err)
	}
	sub := filepath.Join(dir, "a", "b")
	if err := EnsureDir(sub); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(sub); err != nil || fi.Mode()&(fs.ModePerm|fs.ModeSetgid) != DirMode&(fs.ModePerm|fs.ModeSetgid) {
		t.Fatalf("new directory: %v, %v; want %v", fi.Mode(), err, DirMode)
	}
}
