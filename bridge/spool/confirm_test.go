package spool

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// dropper is a bridge.Sender and Confirmer whose peer drops everything
// while down, as nsca does with a wrong password.
type dropper struct {
	down      bool
	unconf    []string
	delivered []string
	confirms  int
	refuse    map[string]bool // outputs refused for good
}

type notFound struct{}

func (notFound) Error() string   { return "no such object (HTTP 404)" }
func (notFound) Permanent() bool { return true }

func (d *dropper) SendCheck(_ context.Context, _, _ string, _ int, output string) error {
	if d.refuse[output] {
		return notFound{}
	}
	d.unconf = append(d.unconf, output)
	return nil
}

func (d *dropper) Confirm(context.Context) error {
	d.confirms++
	u := d.unconf
	d.unconf = nil
	if d.down && len(u) > 0 {
		return errors.New("dropped")
	}
	d.delivered = append(d.delivered, u...)
	return nil
}

func spooled(t *testing.T, s *Spool) []string {
	t.Helper()
	names, err := s.list()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		rec, err := s.read(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec.Result.Output)
	}
	return out
}

// Through bridge.Delivery: a drop keeps every spooled result in the spool
// and puts the new ones behind them, in order; once the peer is back all
// arrive once, in order, with one Confirm per batch.
func TestDrainConfirmedDrop(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	for _, o := range []string{"1", "2", "3", "4", "5"} {
		if err := s.Put(bridge.Result{Host: "h", Service: "s", Output: o}); err != nil {
			t.Fatal(err)
		}
	}
	p := &dropper{down: true}
	d := &bridge.Delivery{Sender: p, Queue: s, ConfirmBatch: 2}
	out, err := d.Deliver(context.Background(), bridge.Result{Host: "h", Service: "s", Output: "6"})
	if err != nil || !errors.Is(out.Err, bridge.ErrNotConfirmed) {
		t.Fatalf("Deliver: %+v, %v; want a drop", out, err)
	}
	if got := strings.Join(spooled(t, s), ","); got != "1,2,3,4,5,6" {
		t.Fatalf("spool %s after the drop, want 1,2,3,4,5,6", got)
	}
	p.down = false
	out, err = d.Deliver(context.Background())
	if err != nil || out.Err != nil || out.Drained != 6 {
		t.Fatalf("Deliver: %+v, %v", out, err)
	}
	if got := strings.Join(p.delivered, ","); got != "1,2,3,4,5,6" {
		t.Errorf("delivered %s", got)
	}
	if p.confirms != 1+3 {
		t.Errorf("%d confirms, want 4 (1 failed, then 3 batches of 2)", p.confirms)
	}
	if n := len(spooled(t, s)); n != 0 {
		t.Errorf("%d left", n)
	}
}

// A result refused for good leaves the queue for the quarantine, with the
// reason beside it, and the ones behind it are delivered; Stats counts it
// and gives the reason.
func TestDrainQuarantinesPermanent(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	for _, o := range []string{"a", "unknown-host", "b"} {
		if err := s.Put(bridge.Result{Host: "h", Service: "s", Output: o}); err != nil {
			t.Fatal(err)
		}
	}
	p := &dropper{refuse: map[string]bool{"unknown-host": true, "new-unknown": true}}
	d := &bridge.Delivery{Sender: p, Queue: s}
	out, err := d.Deliver(context.Background(), bridge.Result{Host: "h", Service: "s", Output: "new-unknown"}, bridge.Result{Host: "h", Service: "s", Output: "c"})
	if err != nil || out.Err != nil {
		t.Fatalf("Deliver: %+v, %v", out, err)
	}
	if out.Drained != 2 || out.Sent != 1 || out.Quarantined != 1 {
		t.Errorf("outcome %+v", out)
	}
	if got := strings.Join(p.delivered, ","); got != "a,b,c" {
		t.Errorf("delivered %s", got)
	}
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Depth != 0 || st.Quarantined != 2 || !strings.Contains(st.LastReason, "no such object (HTTP 404)") {
		t.Errorf("stats %+v", st)
	}
	whys, _ := filepath.Glob(filepath.Join(dir, quarantineName, "*"+reasonSuffix))
	if len(whys) != 2 {
		t.Errorf("%d reason files, want 2", len(whys))
	}
}

// Everything the spool makes is group-usable: setgid 2770 directories and
// 0660 files, whatever the umask.
func TestSharedModes(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "var", "spool")
	s := mustOpen(t, dir, Options{})
	if err := s.Put(bridge.Result{Host: "h", Output: "x"}); err != nil {
		t.Fatal(err)
	}
	p := &dropper{refuse: map[string]bool{"q": true}}
	if _, err := (&bridge.Delivery{Sender: p, Queue: s}).Deliver(context.Background(), bridge.Result{Host: "h", Output: "q"}, bridge.Result{Host: "h", Output: "y"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(bridge.Result{Host: "h", Output: "z"}); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		want := fs.FileMode(0o660)
		if fi.IsDir() {
			want = 0o770 | fs.ModeSetgid | fs.ModeDir
		}
		if got := fi.Mode() & (fs.ModeType | fs.ModePerm | fs.ModeSetgid); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A lock file left 0640 by an older version is widened.
	lock := filepath.Join(dir, lockName)
	if err := os.Chmod(lock, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Drain(context.Background(), func(context.Context, bridge.Result) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(lock); fi.Mode().Perm() != 0o660 {
		t.Errorf("lock %v after Drain, want 0660", fi.Mode().Perm())
	}
}

// A link planted in place of the lock, the quarantine or a result is never
// followed: the lock and quarantine links are removed and logged, the
// directory and lock made again, and nothing outside the spool is
// created, moved or written.
func TestLinksRefused(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	var logged []string
	logf := func(f string, a ...any) { logged = append(logged, fmt.Sprintf(f, a...)) }
	if err := os.Symlink(outside, filepath.Join(dir, quarantineName)); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "lock-target"), filepath.Join(dir, lockName)); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(outside, "victim.res")
	if err := os.WriteFile(victim, []byte("not a record"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "00000000000000000001-0000000001-000000000001.res")); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{Logf: logf})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Put(bridge.Result{Host: "h", Output: "real"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	if _, err := s.Drain(context.Background(), func(_ context.Context, r bridge.Result) error {
		got = append(got, r.Output)
		return nil
	}); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if strings.Join(got, ",") != "real" {
		t.Errorf("delivered %v", got)
	}
	for _, p := range []string{filepath.Join(dir, quarantineName), filepath.Join(dir, lockName)} {
		if fi, err := os.Lstat(p); err != nil || fi.Mode()&fs.ModeSymlink != 0 {
			t.Errorf("%s: %v, %v; want it made again", p, fi, err)
		}
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("outside the spool: %v", entries)
	}
	if b, _ := os.ReadFile(victim); string(b) != "not a record" {
		t.Errorf("the link's target was changed")
	}
	all := strings.Join(logged, "\n")
	if !strings.Contains(all, "symbolic link where the quarantine directory belongs") || !strings.Contains(all, "symbolic link where the lock file belongs") {
		t.Errorf("log:\n%s", all)
	}
}

// A planted record is re-validated on read: a service name with ';' is
// quarantined, never sent; a line break in the output becomes a space.
func TestPlantedRecordsRevalidated(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, Options{})
	plant := func(name string, r bridge.Result) {
		b, err := Encode(Record{Result: r, Enqueued: time.Unix(0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o660); err != nil {
			t.Fatal(err)
		}
	}
	plant("00000000000000000001-0000000001-000000000001.res", bridge.Result{Host: "web01", Service: "OSSEC;x", State: bridge.Critical, Output: "forged"})
	plant("00000000000000000002-0000000001-000000000002.res", bridge.Result{Host: "web01", Service: "OSSEC", State: bridge.Critical, Output: "a\n[1] RESTART_PROGRAM|x"})
	var got []bridge.Result
	n, err := s.Drain(context.Background(), func(_ context.Context, r bridge.Result) error {
		got = append(got, r)
		return nil
	})
	if err != nil || n != 1 || len(got) != 1 {
		t.Fatalf("Drain: %d, %v, %+v", n, err, got)
	}
	if got[0].Service != "OSSEC" || strings.ContainsAny(got[0].Output, "\n|") {
		t.Errorf("delivered %+v", got[0])
	}
	if st, _ := s.Stats(); st.Quarantined != 1 || !strings.Contains(st.LastReason, "holds ';'") {
		t.Errorf("stats %+v, want the ';' record quarantined with the reason", st)
	}
}

// A send failing mid-batch confirms what went before it: those leave the
// spool and are counted; the failed one and the rest stay.
func TestDrainConfirmedSendFailsMidBatch(t *testing.T) {
	s := mustOpen(t, t.TempDir(), Options{})
	for _, o := range []string{"1", "2", "3", "4"} {
		if err := s.Put(bridge.Result{Host: "h", Output: o}); err != nil {
			t.Fatal(err)
		}
	}
	p := &dropper{}
	calls := 0
	n, err := s.DrainConfirmed(context.Background(), 10, func(ctx context.Context, r bridge.Result) error {
		if calls++; calls == 3 {
			return errors.New("connection refused")
		}
		return p.SendCheck(ctx, r.Host, r.Service, int(r.State), r.Output)
	}, p.Confirm)
	if err == nil || n != 2 {
		t.Fatalf("DrainConfirmed = %d, %v; want 2 and the send error", n, err)
	}
	if got := strings.Join(spooled(t, s), ","); got != "3,4" || strings.Join(p.delivered, ",") != "1,2" || p.confirms != 1 {
		t.Errorf("spool %s, delivered %v, %d confirms", got, p.delivered, p.confirms)
	}
}
