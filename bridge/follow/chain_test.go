package follow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gateSender holds its first call until open is closed: follow mode is
// then busy with the first file while the test rotates.
type gateSender struct {
	fakeSender
	entered chan struct{}
	open    chan struct{}
	once    bool
}

func newGateSender() *gateSender {
	return &gateSender{entered: make(chan struct{}), open: make(chan struct{})}
}

func (s *gateSender) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	s.mu.Lock()
	first := !s.once
	s.once = true
	s.mu.Unlock()
	if first {
		close(s.entered)
		<-s.open
	}
	return s.fakeSender.SendCheck(ctx, host, service, state, output)
}

func mustRename(t testing.TB, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// The reproduction of the hardening report: write 20, mv alerts.json
// alerts.json.1, write 20, mv .1 .2; mv alerts.json .1, write 20, all
// while follow mode is still busy with the first file. Alerts 20-39 (the
// middle file) used to be lost: follow mode went from the first file
// straight to the current one.
func TestTwoQuickRotationsLoseNoFile(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			appendAlerts(t, e.path, f, 0, 20)
			s := newGateSender()
			start(t, e.opts(s))
			select {
			case <-s.entered:
			case <-time.After(20 * time.Second):
				t.Fatal("no delivery 20 s after start")
			}
			mustRename(t, e.path, e.path+".1")
			appendAlerts(t, e.path, f, 20, 40)
			mustRename(t, e.path+".1", e.path+".2")
			mustRename(t, e.path, e.path+".1")
			appendAlerts(t, e.path, f, 40, 60)
			close(s.open)
			waitFor(t, "every alert", func() bool { return len(s.ids()) >= 60 })
			time.Sleep(50 * time.Millisecond) // nothing more may come
			wantExactlyOnce(t, s.ids(), 0, 60)
		})
	}
}

// The same with OSSEC's dated files (a day switch and a Wazuh size split
// while follow mode is busy), with the finished day already compressed
// by monitord.
func TestTwoQuickDatedRotationsLoseNoFile(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			ext := filepath.Ext(f.file)
			day1 := datedPath(e.dir, ext, 24, 0)
			rotate(t, e.path, day1)
			appendAlerts(t, e.path, f, 0, 20)
			s := newGateSender()
			start(t, e.opts(s))
			select {
			case <-s.entered:
			case <-time.After(20 * time.Second):
				t.Fatal("no delivery 20 s after start")
			}
			rotate(t, e.path, datedPath(e.dir, ext, 25, 0))
			appendAlerts(t, e.path, f, 20, 40)
			rotate(t, e.path, datedPath(e.dir, ext, 25, 1))
			appendAlerts(t, e.path, f, 40, 60)
			gzipFile(t, day1) // follow mode reads day 1 from its open descriptor
			close(s.open)
			waitFor(t, "every alert", func() bool { return len(s.ids()) >= 60 })
			time.Sleep(50 * time.Millisecond)
			wantExactlyOnce(t, s.ids(), 0, 60)
		})
	}
}

// Rotations while follow mode is down: the cursor's file is found in the
// chain (plain, or compressed), finished, and the files after it are read
// in order before the current one.
func TestRotatedChainWhileDown(t *testing.T) {
	numbered := func(gz ...string) func(t *testing.T, e *env) {
		return func(t *testing.T, e *env) {
			appendAlerts(t, e.path, e.f, 20, 25) // after the cursor, in the cursor's file
			mustRename(t, e.path, e.path+".1")
			appendAlerts(t, e.path, e.f, 25, 40)
			mustRename(t, e.path+".1", e.path+".2")
			mustRename(t, e.path, e.path+".1")
			appendAlerts(t, e.path, e.f, 40, 60)
			for _, n := range gz {
				gzipFile(t, e.path+n)
			}
		}
	}
	dated := func(gzDays ...int) func(t *testing.T, e *env) {
		return func(t *testing.T, e *env) {
			ext := filepath.Ext(e.f.file)
			appendAlerts(t, e.path, e.f, 20, 25)
			rotate(t, e.path, datedPath(e.dir, ext, 25, 0))
			appendAlerts(t, e.path, e.f, 25, 30)
			rotate(t, e.path, datedPath(e.dir, ext, 25, 1))
			appendAlerts(t, e.path, e.f, 30, 40)
			rotate(t, e.path, datedPath(e.dir, ext, 25, 2))
			appendAlerts(t, e.path, e.f, 40, 60)
			for _, d := range gzDays {
				switch d {
				case 24:
					gzipFile(t, datedPath(e.dir, ext, 24, 0))
				case 25:
					gzipFile(t, datedPath(e.dir, ext, 25, 0))
					gzipFile(t, datedPath(e.dir, ext, 25, 1))
				}
			}
		}
	}
	for _, f := range formats {
		for _, tc := range []struct {
			name  string
			dated bool
			while func(t *testing.T, e *env)
		}{
			{"numbered", false, numbered()},
			{"numbered, compressed", false, numbered(".2", ".1")},
			{"numbered, delaycompress", false, numbered(".2")},
			{"dated with splits", true, dated()},
			{"dated, compressed", true, dated(24, 25)},
			{"dated, the cursor's day compressed", true, dated(24)},
		} {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, f)
				if tc.dated {
					rotate(t, e.path, datedPath(e.dir, filepath.Ext(f.file), 24, 0))
				}
				appendAlerts(t, e.path, f, 0, 20)
				s := &fakeSender{}
				o := e.opts(s)
				o.Once = true
				mustFollow(t, o)
				wantExactlyOnce(t, s.ids(), 0, 20)
				tc.while(t, e)
				mustFollow(t, o)
				wantExactlyOnce(t, s.ids(), 0, 60)
			})
		}
	}
}

// The cursor's file was deleted (the rotation's count limit) while down:
// the rotated files written after the cursor are read before the current
// one; nothing is repeated.
func TestCursorFileGoneReadsNewerRotated(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			appendAlerts(t, e.path, f, 0, 20)
			s := &fakeSender{}
			o := e.opts(s)
			o.Once = true
			mustFollow(t, o)
			// Older than the cursor: already read, must not be read again.
			appendAlerts(t, e.path+".3", f, 100, 110)
			old := time.Now().Add(-time.Hour)
			if err := os.Chtimes(e.path+".3", old, old); err != nil {
				t.Fatal(err)
			}
			mustRename(t, e.path, e.path+".1")
			appendAlerts(t, e.path, f, 20, 40)
			mustRename(t, e.path+".1", e.path+".2")
			mustRename(t, e.path, e.path+".1")
			appendAlerts(t, e.path, f, 40, 60)
			if err := os.Remove(e.path + ".2"); err != nil {
				t.Fatal(err)
			}
			mustFollow(t, o)
			wantExactlyOnce(t, s.ids(), 0, 60)
		})
	}
}

func TestRotatedChainOrder(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	month := func(m time.Time) string { return filepath.Join(dir, m.Format("2006"), m.Format("Jan")) }
	thisMonth := month(now)
	lastMonth := month(time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, time.Local))
	files := []string{
		filepath.Join(lastMonth, "ossec-alerts-28.json"),
		filepath.Join(thisMonth, "ossec-alerts-05.json.gz"),
		filepath.Join(thisMonth, "ossec-alerts-05.json.sum"),
		filepath.Join(thisMonth, "ossec-alerts-05.log"),
		filepath.Join(thisMonth, "ossec-alerts-06-002.json.gz"),
		filepath.Join(thisMonth, "ossec-alerts-06-002.json"), // being compressed: the plain one counts
		filepath.Join(thisMonth, "ossec-alerts-06-001.json"),
		filepath.Join(thisMonth, "ossec-alerts-06.json"),
		filepath.Join(thisMonth, "ossec-alerts-6.json"),
		filepath.Join(thisMonth, "ossec-alerts-06-x.json"),
		filepath.Join(thisMonth, "ossec-alerts-06-000.json"),
		filepath.Join(dir, "alerts.json"),
		filepath.Join(dir, "alerts.json.1"),
		filepath.Join(dir, "alerts.json.10.gz"),
		filepath.Join(dir, "alerts.json.2.gz"),
		filepath.Join(dir, "alerts.json.x"),
		filepath.Join(dir, "alerts.json.1.sum"),
		filepath.Join(dir, "alerts.log.3"),
	}
	for _, p := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Not a regular file: left out.
	if err := os.Mkdir(filepath.Join(dir, "alerts.json.4"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(lastMonth, "ossec-alerts-28.json"),
		filepath.Join(thisMonth, "ossec-alerts-05.json.gz"),
		filepath.Join(thisMonth, "ossec-alerts-06.json"),
		filepath.Join(thisMonth, "ossec-alerts-06-001.json"),
		filepath.Join(thisMonth, "ossec-alerts-06-002.json"),
		filepath.Join(dir, "alerts.json.10.gz"),
		filepath.Join(dir, "alerts.json.2.gz"),
		filepath.Join(dir, "alerts.json.1"),
	}
	var got []string
	for _, e := range rotatedChain(filepath.Join(dir, "alerts.json"), ".json", now.Add(-40*24*time.Hour), now) {
		got = append(got, e.path)
		if e.gz != strings.HasSuffix(e.path, ".gz") || (!e.gz && e.id == FileID{}) {
			t.Errorf("%s: gz %v, id %v", e.path, e.gz, e.id)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("chain:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// FuzzRotatedNames: the rotated-name parsers accept exactly the names
// they can print back, never panic.
func FuzzRotatedNames(f *testing.F) {
	for _, s := range []string{"ossec-alerts-06.json", "ossec-alerts-06-001.json.gz", "ossec-alerts-31-1000.log", "ossec-alerts-6.json",
		"alerts.json.1", "alerts.json.10.gz", "alerts.json.01", "alerts.json.x", "alerts.json.", "ossec-alerts--.json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, ext := range []string{".json", ".log"} {
			if day, split, ok := parseDatedName(name, ext); ok {
				back := fmt.Sprintf("ossec-alerts-%02d", day)
				if split > 0 {
					back += fmt.Sprintf("-%03d", split)
				}
				if back += ext; back != strings.TrimSuffix(name, ".gz") {
					t.Fatalf("%q parsed as day %d split %d", name, day, split)
				}
				if day < 1 || day > 31 || split < 0 {
					t.Fatalf("%q: day %d split %d", name, day, split)
				}
			}
		}
		if n, ok := parseNumberedName(name, "alerts.json"); ok {
			if n < 1 || fmt.Sprintf("alerts.json.%d", n) != strings.TrimSuffix(name, ".gz") {
				t.Fatalf("%q parsed as %d", name, n)
			}
		}
	})
}

// While a rotated file is finished, the lag counts the rotated files
// after it (not the current one's dated name, which is the same file).
func TestChainLag(t *testing.T) {
	for _, dated := range []bool{false, true} {
		t.Run(fmt.Sprintf("dated=%v", dated), func(t *testing.T) {
			e := newEnv(t, formats[1])
			if dated {
				rotate(t, e.path, datedPath(e.dir, ".json", 24, 0))
			}
			appendAlerts(t, e.path, e.f, 0, 10)
			a, err := openTail(e.path, time.Now())
			if err != nil || a == nil {
				t.Fatal(err)
			}
			defer a.close()
			a.rotated = true
			var middle int64
			if dated {
				rotate(t, e.path, datedPath(e.dir, ".json", 25, 0))
				appendAlerts(t, e.path, e.f, 10, 20)
				middle = fileSize(t, e.path)
				rotate(t, e.path, datedPath(e.dir, ".json", 25, 1))
			} else {
				mustRename(t, e.path, e.path+".1")
				appendAlerts(t, e.path, e.f, 10, 20)
				middle = fileSize(t, e.path)
				mustRename(t, e.path+".1", e.path+".2")
				mustRename(t, e.path, e.path+".1")
			}
			appendAlerts(t, e.path, e.f, 20, 25)
			if got := chainLag(a, e.path, ".json", time.Now()); got != middle {
				t.Errorf("chain lag %d, want %d (the middle file)", got, middle)
			}
		})
	}
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// limitSender accepts limit results, then refuses.
type limitSender struct {
	fakeSender
	limit int
}

func (s *limitSender) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	if len(s.outputs()) >= s.limit {
		return errDown
	}
	return s.fakeSender.SendCheck(ctx, host, service, state, output)
}

// A run that stops inside the chain (a delivery failure with -once) leaves
// the cursor in a middle file; that file is rotated again before the next
// run, which finds it under its new name and goes on: every alert once.
func TestRestartInsideTheChain(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			appendAlerts(t, e.path, f, 0, 20)
			s := &limitSender{limit: 20}
			o := e.opts(s)
			o.Once = true
			mustFollow(t, o)
			shift := func(from int) { // logrotate: .N -> .N+1, current -> .1
				for n := 9; n >= 1; n-- {
					if _, err := os.Stat(fmt.Sprintf("%s.%d", e.path, n)); err == nil {
						mustRename(t, fmt.Sprintf("%s.%d", e.path, n), fmt.Sprintf("%s.%d", e.path, n+1))
					}
				}
				mustRename(t, e.path, e.path+".1")
				appendAlerts(t, e.path, f, from, from+20)
			}
			shift(20)
			shift(40)
			s.limit = 30 // stops inside the middle file
			if err := Follow(context.Background(), o); err == nil {
				t.Fatal("no delivery error")
			}
			if n := len(s.ids()); n != 30 {
				t.Fatalf("%d results before the failure, want 30", n)
			}
			shift(60)
			s.limit = 1 << 30
			mustFollow(t, o)
			wantExactlyOnce(t, s.ids(), 0, 80)
		})
	}
}

// The cursor's file is gone and there is no current file yet: follow
// mode waits for it and reads it from its beginning.
func TestCursorFileGoneNoCurrentYet(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			e := newEnv(t, f)
			appendAlerts(t, e.path, f, 0, 20)
			s := &fakeSender{}
			o := e.opts(s)
			o.Once = true
			mustFollow(t, o)
			if err := os.Remove(e.path); err != nil {
				t.Fatal(err)
			}
			o.Once = false
			r := start(t, o)
			waitFor(t, "the status of the second run", func() bool {
				st, err := ReadStatus(e.status)
				return err == nil && st.Updated.After(time.Now().Add(-time.Second)) && st.Alerts == 0
			})
			appendAlerts(t, e.path, f, 20, 40)
			waitFor(t, "every alert", func() bool { return len(s.ids()) >= 40 })
			if err := r.stop(t); err != nil {
				t.Fatal(err)
			}
			wantExactlyOnce(t, s.ids(), 0, 40)
		})
	}
}
