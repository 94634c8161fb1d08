package health

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/follow"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
)

func TestStamp(t *testing.T) {
	dir := t.TempDir()
	p := StampPath(dir)
	if got, err := ReadStamp(p); err != nil || !got.IsZero() {
		t.Fatalf("ReadStamp with no stamp: %v, %v; want zero, nil", got, err)
	}
	clock := time.Unix(1_700_000_000, 0)
	s := &Stamp{Path: p, Now: func() time.Time { return clock }}
	if err := s.Record(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 {
		t.Errorf("stamp mode %v, want 0660: the spool's group shares it", fi.Mode())
	}
	check := func(want time.Time) {
		t.Helper()
		got, err := ReadStamp(p)
		if err != nil || !got.Equal(want) {
			t.Errorf("ReadStamp = %v, %v; want %v", got, err, want)
		}
	}
	check(clock)
	// Within a second: not touched again.
	clock = clock.Add(500 * time.Millisecond)
	if err := s.Record(); err != nil {
		t.Fatal(err)
	}
	check(clock.Add(-500 * time.Millisecond))
	clock = clock.Add(time.Second)
	if err := s.Record(); err != nil {
		t.Fatal(err)
	}
	check(clock)
	// A clock stepped back is recorded at once.
	clock = clock.Add(-time.Hour)
	if err := s.Record(); err != nil {
		t.Fatal(err)
	}
	check(clock)
	// Another process's Stamp (a fresh value) updates the same file.
	other := &Stamp{Path: p, Now: func() time.Time { return clock.Add(2 * time.Hour) }}
	if err := other.Record(); err != nil {
		t.Fatal(err)
	}
	check(clock.Add(2 * time.Hour))

	if err := (&Stamp{Path: filepath.Join(dir, "no", "such", "dir")}).Record(); err == nil {
		t.Error("Record into a missing directory: no error")
	}
}

func TestStampConcurrent(t *testing.T) {
	p := StampPath(t.TempDir())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &Stamp{Path: p}
			for range 50 {
				if err := s.Record(); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, err := ReadStamp(p); err != nil || time.Since(got) > time.Minute {
		t.Errorf("ReadStamp = %v, %v", got, err)
	}
}

func TestGather(t *testing.T) {
	root := t.TempDir()
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	dir := filepath.Join(root, "spool")
	cursor := filepath.Join(root, "follow.cursor")
	src := Sources{SpoolDir: dir, StatusFile: StatusPath(cursor), Now: func() time.Time { return clock }}

	// Nothing yet: no spool directory (and Gather does not create one),
	// no status file.
	f := Gather(src)
	if f.SpoolErr != nil || f.Spool.Depth != 0 || f.Follow != nil || f.FollowErr != nil || !f.LastDelivery().IsZero() {
		t.Fatalf("empty: %+v", f)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Gather created the spool directory: %v", err)
	}
	if r := Evaluate(f, DefaultThresholds()); r.State != bridge.OK {
		t.Errorf("empty: %s", r)
	}

	// Three spooled results, the oldest 340 s ago; a delivery stamp; a
	// follow status 3 s old whose file grew by 100 bytes since.
	enq := clock.Add(-340 * time.Second)
	sp, err := spool.Open(dir, spool.Options{Now: func() time.Time { enq = enq.Add(time.Second); return enq }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := sp.Put(bridge.Result{Host: "web01", Service: "OSSEC", State: bridge.Warning, Output: "r" + string(rune('0'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := (&Stamp{Path: StampPath(dir), Now: func() time.Time { return clock.Add(-12 * time.Second) }}).Record(); err != nil {
		t.Fatal(err)
	}
	alerts := filepath.Join(root, "alerts.json")
	if err := os.WriteFile(alerts, make([]byte, 1100), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := follow.WriteStatus(src.StatusFile, follow.Status{
		PID: 77, Updated: clock.Add(-3 * time.Second), LastDelivery: clock.Add(-30 * time.Second),
		Path: alerts, Offset: 1000, Size: 1000, Lag: 0,
	}); err != nil {
		t.Fatal(err)
	}
	f = Gather(src)
	if f.SpoolErr != nil || f.Spool.Depth != 3 || !f.Spool.Oldest.Equal(clock.Add(-339*time.Second)) {
		t.Errorf("spool facts: %+v, %v", f.Spool, f.SpoolErr)
	}
	if f.Follow == nil || f.Follow.PID != 77 || f.FileSize != 1100 {
		t.Errorf("follow facts: %+v, size %d, %v", f.Follow, f.FileSize, f.FollowErr)
	}
	if !f.LastDelivery().Equal(clock.Add(-12 * time.Second)) {
		t.Errorf("last delivery %v", f.LastDelivery())
	}
	r := Evaluate(f, DefaultThresholds())
	want := "OSSEC-NAGIOS WARNING - spool 3 results (oldest 339 s), follow lag 100 B, last delivery 12 s ago | " +
		"spool=3;10;100;0; spool_age=339s;300;1800;0; quarantined=0;0;;0; lag=100B;1048576;10485760;0; follow_age=3s;60;300;0; last_delivery=12s;;;0;"
	if got := r.String(); got[:len(want)] != want {
		t.Errorf("got\n%s\nwant first line\n%s", got, want)
	}

	// A damaged status file is UNKNOWN, not "follow not in use".
	if err := os.WriteFile(src.StatusFile, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	f = Gather(src)
	if f.FollowErr == nil || f.Follow != nil {
		t.Errorf("damaged status: %+v", f)
	}
	if r := Evaluate(f, Thresholds{}); r.State != bridge.Unknown {
		t.Errorf("damaged status: %s", r)
	}
}

func TestGatherUnreadableSpool(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any directory")
	}
	dir := filepath.Join(t.TempDir(), "spool")
	if _, err := spool.Open(dir, spool.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o750) })
	f := Gather(Sources{SpoolDir: dir})
	if f.SpoolErr == nil {
		t.Fatalf("no error: %+v", f)
	}
	if r := Evaluate(f, DefaultThresholds()); r.State != bridge.Unknown {
		t.Errorf("%s", r)
	}
}

// A delivery removes the failure record, even within the second in which
// the stamp is not touched again; ReadFailure reads what RecordFailure
// wrote.
func TestFailureRecord(t *testing.T) {
	dir := t.TempDir()
	clock := time.Unix(1_700_000_000, 0)
	s := &Stamp{Path: StampPath(dir), Now: func() time.Time { return clock }}
	if err := s.Record(); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFailure(dir); f != nil || err != nil {
		t.Fatalf("ReadFailure with none: %+v, %v", f, err)
	}
	if err := RecordFailure(dir, clock.Add(100*time.Millisecond), "dropped\n| x=1"); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFailure(dir)
	if err != nil || f == nil || !f.Time.Equal(clock.Add(100*time.Millisecond)) || f.Reason != "dropped │ x=1" {
		t.Fatalf("ReadFailure = %+v, %v", f, err)
	}
	clock = clock.Add(500 * time.Millisecond)
	if err := s.Record(); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFailure(dir); f != nil || err != nil {
		t.Errorf("failure record %+v, %v after a delivery", f, err)
	}
}

// A link planted as the delivery stamp or the failure record is replaced,
// never followed, and a stamp that is a link is reported.
func TestStampLinks(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(outside, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Unix(1_600_000_000, 0)
	if err := os.Chtimes(outside, old, old); err != nil {
		t.Fatal(err)
	}
	p := StampPath(dir)
	if err := os.Symlink(outside, p); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadStamp(p); err == nil {
		t.Error("ReadStamp accepted a link")
	}
	if err := os.Symlink(outside, filepath.Join(dir, FailureName)); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFailure(dir); err == nil {
		t.Errorf("ReadFailure followed a link: %+v", f)
	}
	if err := RecordFailure(dir, time.Now(), "x"); err != nil {
		t.Fatal(err)
	}
	s := &Stamp{Path: p}
	if err := s.Record(); err != nil {
		t.Fatal(err)
	}
	if ts, err := ReadStamp(p); err != nil || time.Since(ts) > time.Minute {
		t.Errorf("ReadStamp = %v, %v", ts, err)
	}
	fi, _ := os.Stat(outside)
	if b, _ := os.ReadFile(outside); string(b) != "keep" || !fi.ModTime().Equal(old) {
		t.Errorf("the link's target was written or touched: %q %v", b, fi.ModTime())
	}
}
