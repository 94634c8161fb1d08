package flood

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// The same scenarios as the Limiter's, each step a fresh StateFile as a
// fresh process would open it: the state survives the file.
func TestStateFileWindows(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			for _, st := range sc.steps {
				if st.flushAll {
					t.Skip("FlushAll is the Limiter's")
				}
			}
			path := filepath.Join(t.TempDir(), "flood.state")
			for i, st := range sc.steps {
				now := t0.Add(st.at)
				f, err := OpenStateFile(path, Options{Window: 300 * time.Second, Now: func() time.Time { return now }})
				if err != nil {
					t.Fatal(err)
				}
				var got []bridge.Result
				if st.offer != nil {
					got, err = f.Offer(context.Background(), *st.offer)
				} else {
					got, err = due(context.Background(), f)
				}
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if fmt.Sprintf("%q", show(got)) != fmt.Sprintf("%q", st.want) {
					t.Fatalf("step %d at %v: got %q, want %q", i, st.at, show(got), st.want)
				}
			}
		})
	}
}

// due runs Due and returns what it emitted.
func due(ctx context.Context, f *StateFile) ([]bridge.Result, error) {
	var out []bridge.Result
	_, err := f.Due(ctx, func(rs []bridge.Result) error {
		out = append(out, rs...)
		return nil
	})
	return out, err
}

func TestStateFileCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"garbage", "not a state file\n", "bad header"},
		{"truncated line", stateHeader + "w 1 2 3", "truncated last line"},
		{"bad field", stateHeader + "w 1 2 x 0 0 0 \"h\" \"s\" \"o\" \"i\"\n", "line 2: field 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flood.state")
			if err := os.WriteFile(path, []byte(tt.content), 0o640); err != nil {
				t.Fatal(err)
			}
			now := t0
			f, _ := OpenStateFile(path, Options{Window: time.Minute, Now: func() time.Time { return now }})
			got, err := f.Offer(context.Background(), *it("web", "ssh", bridge.Warning, 7, "a"))
			if !errors.Is(err, ErrCorruptState) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path+".corrupt") {
				t.Fatalf("Offer on a corrupt file: %v, want ErrCorruptState with %q naming %s.corrupt", err, tt.want, path)
			}
			if fmt.Sprint(show(got)) != "[web/ssh WARNING a]" {
				t.Fatalf("Offer on a corrupt file returned %q, want the result to send", show(got))
			}
			if b, err := os.ReadFile(path + ".corrupt"); err != nil || string(b) != tt.content {
				t.Fatalf("corrupt file not kept aside: %q, %v", b, err)
			}
			// Flood control works again from the fresh state.
			got, err = f.Offer(context.Background(), *it("web", "ssh", bridge.Warning, 7, "b"))
			if err != nil || len(got) != 0 {
				t.Fatalf("second Offer: %q, %v; want it aggregated", show(got), err)
			}
		})
	}
}

func TestStateFileFailsOpen(t *testing.T) {
	t.Run("lock held", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "flood.state")
		f, _ := OpenStateFile(path, Options{Window: time.Minute})
		unlock, err := lockFile(context.Background(), path+".lock")
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		got, err := f.Offer(ctx, *it("web", "ssh", bridge.Warning, 7, "a"))
		if !errors.Is(err, context.DeadlineExceeded) || fmt.Sprint(show(got)) != "[web/ssh WARNING a]" {
			t.Fatalf("Offer while locked: %q, %v; want the result to send and the deadline error", show(got), err)
		}
		if out, err := due(ctx, f); err == nil || out != nil {
			t.Fatalf("Flush while locked: %q, %v; want nothing and an error", show(out), err)
		}
	})
	t.Run("unreadable state", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "flood.state")
		if err := os.Mkdir(path, 0o750); err != nil { // a directory where the file should be
			t.Fatal(err)
		}
		f, _ := OpenStateFile(path, Options{Window: time.Minute})
		got, err := f.Offer(context.Background(), *it("web", "ssh", bridge.Warning, 7, "a"))
		if err == nil || errors.Is(err, ErrCorruptState) || fmt.Sprint(show(got)) != "[web/ssh WARNING a]" {
			t.Fatalf("Offer: %q, %v; want the result to send and a read error", show(got), err)
		}
	})
}

func TestStateFileLeftoverTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "flood.state")
	left := filepath.Join(dir, ".tmp-123-flood.state-456") // a writer died before its rename
	if err := os.WriteFile(left, []byte("half"), 0o640); err != nil {
		t.Fatal(err)
	}
	f, _ := OpenStateFile(path, Options{Window: time.Minute})
	if _, err := f.Offer(context.Background(), *it("web", "ssh", bridge.Warning, 7, "a")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("leftover temporary file still there: %v", err)
	}
}

func TestDecodeState(t *testing.T) {
	w := func(fields string) string { return stateHeaderV1 + "w " + fields + "\n" }
	w2 := func(fields string) string { return stateHeader + "w " + fields + "\n" }
	tests := []struct {
		name    string
		content string
		want    string // "" = valid
	}{
		{"empty state", stateHeader, ""},
		{"empty v1 state", stateHeaderV1, ""},
		{"v2 window", w2(`1 2 3 1 12 1 2 1 2 "web" "ssh" "last\n|;" "id"`), ""},
		{"v2 window without alert times", w2(`1 2 0 0 0 0 1 0 0 "web" "" "" ""`), ""},
		{"v2 sent state", w2(`1 2 0 0 0 0 4 0 0 "web" "" "" ""`), "sent state 4"},
		{"v2 line in a v1 file", w(`1 2 0 0 0 0 1 0 0 "web" "" "" ""`), "field 7: not a quoted"},
		{"v1 line in a v2 file", w2(`1 2 0 0 0 0 "web" "" "" ""`), "field 7"},
		{"one window", w(`1 2 3 2 12 1 "web" "ssh" "last\n|;" "id"`), ""},
		{"host check", w(`1 2 0 0 0 0 "web" "" "" ""`), ""},
		{"invalid utf-8 kept", w(`1 2 1 0 0 0 "web" "s" "\xff\xfe" ""`), ""},
		{"empty", "", "bad header"},
		{"other version", "ossec-nagios flood state v3\n", "bad header"},
		{"no final newline", stateHeaderV1 + `w 1 2 0 0 0 0 "web" "" "" ""`, "truncated"},
		{"blank line", stateHeader + "\n", "does not start"},
		{"end before start", w(`2 2 0 0 0 0 "web" "" "" ""`), "before it starts"},
		{"negative count", w(`1 2 -1 0 0 0 "web" "" "" ""`), "count -1"},
		{"huge count", w(`1 2 9999999999 0 0 0 "web" "" "" ""`), "count 9999999999"},
		{"worst state", w(`1 2 0 4 0 0 "web" "" "" ""`), "worst state 4"},
		{"last state", w(`1 2 0 0 0 -1 "web" "" "" ""`), "last state -1"},
		{"level", w(`1 2 0 0 99999999999 0 "web" "" "" ""`), "level"},
		{"empty host", w(`1 2 0 0 0 0 "" "" "" ""`), "empty host"},
		{"missing field", w(`1 2 0 0 0 "web" "" "" ""`), "field 6"},
		{"unquoted", w(`1 2 0 0 0 0 web "" "" ""`), "field 7: not a quoted"},
		{"raw string", w("1 2 0 0 0 0 `web` \"\" \"\" \"\""), "field 7: not a quoted"},
		{"bad escape", w(`1 2 0 0 0 0 "w\qb" "" "" ""`), "field 7"},
		{"missing string", w(`1 2 0 0 0 0 "web" "" ""`), "field 10"},
		{"trailing", w(`1 2 0 0 0 0 "web" "" "" "" x`), "trailing"},
		{"overflow", w(`99999999999999999999 2 0 0 0 0 "web" "" "" ""`), "field 1"},
		{"repeated key", stateHeaderV1 + "w 1 2 0 0 0 0 \"web\" \"s\" \"\" \"\"\nw 3 4 0 0 0 0 \"web\" \"s\" \"\" \"\"\n", "repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb, err := decodeState([]byte(tt.content))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("decodeState: %v", err)
				}
				// Valid state round-trips.
				again, err := decodeState(encodeState(tb))
				if err != nil || fmt.Sprint(dump(again)) != fmt.Sprint(dump(tb)) {
					t.Fatalf("round trip: %v, %v; want %v", dump(again), err, dump(tb))
				}
				return
			}
			if !errors.Is(err, ErrCorruptState) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("decodeState: %v, want ErrCorruptState containing %q", err, tt.want)
			}
		})
	}
}

// dump is a comparable rendering of a table.
func dump(t table) []string {
	var s []string
	for _, k := range t.keys() {
		w := t[k]
		s = append(s, fmt.Sprintf("%q %q %d %d %v %d %v %d %d %d %+v", k.host, k.service, w.Start.UnixNano(), w.End.UnixNano(), w.Sent, w.Count, w.Worst, w.WorstLevel,
			unixNano(w.First), unixNano(w.LastAt), w.Last))
	}
	return s
}

func FuzzDecodeState(f *testing.F) {
	seeds := []string{
		stateHeader,
		stateHeaderV1 + `w 1 2 3 2 12 1 "web" "ssh" "last\n|;" "id"` + "\n",
		stateHeaderV1 + `w 1 2 0 0 0 0 "web" "" "" ""` + "\n" + `w 5 9 1 3 15 3 "db" "x" "\xff" "1.2"` + "\n",
		stateHeader + `w 1 2 3 1 12 1 2 1 2 "web" "ssh" "last\n|;" "id"` + "\n",
		stateHeader + `w 1 2 0 0 0 0 0 0 0 "web" "" "" ""`,
		"garbage",
	}
	tb := table{}
	tb.offer(*it("web", "ssh", bridge.Warning, 7, "a"), t0, Options{Window: time.Minute})
	tb.offer(*it("web", "ssh", bridge.Critical, 12, "b\x00\"q\""), t0.Add(sec), Options{Window: time.Minute})
	seeds = append(seeds, string(encodeState(tb)))
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := decodeState(b)
		if err != nil {
			if !errors.Is(err, ErrCorruptState) {
				t.Fatalf("error does not wrap ErrCorruptState: %v", err)
			}
			return
		}
		enc := encodeState(tb)
		again, err := decodeState(enc)
		if err != nil {
			t.Fatalf("re-encoded state does not decode: %v\n%q", err, enc)
		}
		if fmt.Sprint(dump(again)) != fmt.Sprint(dump(tb)) {
			t.Fatalf("round trip changed the state:\n got %v\nwant %v", dump(again), dump(tb))
		}
		if !bytes.Equal(encodeState(again), enc) {
			t.Fatalf("encoding is not stable")
		}
		// The window logic must cope with whatever decoded.
		tb.offer(*it("web", "ssh", bridge.Warning, 7, "x"), t0, Options{Window: time.Minute})
		tb.flush(t0.Add(time.Hour), Options{Window: time.Minute, MaxOutput: 64}, false)
	})
}

// The helper process: the test binary re-executed with these variables
// offers FLOOD_HELPER_N results to the state file FLOOD_HELPER_PATH, as
// one active-response process per alert would, and prints what it was
// told to send, one quoted output per line.
const (
	envPath      = "FLOOD_HELPER_PATH"
	envID        = "FLOOD_HELPER_ID"
	envN         = "FLOOD_HELPER_N"
	helperWindow = 15 * time.Millisecond
)

func TestHelperProcess(t *testing.T) {
	path := os.Getenv(envPath)
	if path == "" {
		t.Skip("helper process only")
	}
	n, err := strconv.Atoi(os.Getenv(envN))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad", envN, err)
		os.Exit(2)
	}
	f, err := OpenStateFile(path, Options{Window: helperWindow, MaxOutput: 512})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	id := os.Getenv(envID)
	w := bufio.NewWriter(os.Stdout)
	for i := 0; i < n; i++ {
		host := "web" + strconv.Itoa(i%2)
		send, err := f.Offer(context.Background(), Item{Result: bridge.Result{Host: host, Service: "ssh", State: bridge.State(i % 4), Output: id + "-" + strconv.Itoa(i)}, Level: i % 16})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, r := range send {
			fmt.Fprintln(w, strconv.Quote(r.Output))
		}
		time.Sleep(time.Duration(i%3) * time.Millisecond)
	}
	if err := w.Flush(); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

func TestStateFileConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 10 processes")
	}
	path := filepath.Join(t.TempDir(), "flood.state")
	const procs, n = 10, 40
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for p := 0; p < procs; p++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), envPath+"="+path, envID+"=p"+strconv.Itoa(p), envN+"="+strconv.Itoa(n))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	var sent []bridge.Result
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v", i, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(outs[i].String()), "\n") {
			o, err := strconv.Unquote(line)
			if err != nil {
				t.Fatalf("helper %d printed %q: %v", i, line, err)
			}
			sent = append(sent, bridge.Result{Output: o})
		}
	}
	// The cron flush, once every window is over, emits what is left.
	later := time.Now().Add(time.Hour)
	f, _ := OpenStateFile(path, Options{Window: helperWindow, Now: func() time.Time { return later }})
	rest, err := due(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	sent = append(sent, rest...)
	accounting(t, sent, procs*n)
	b, err := os.ReadFile(path)
	if err != nil || string(b) != stateHeader {
		t.Fatalf("state after the final flush: %q, %v; want no window left", b, err)
	}
}

// FuzzDecodeStateLine fuzzes window lines behind a valid header.
func FuzzDecodeStateLine(f *testing.F) {
	seeds := []string{
		`w 1 2 3 2 12 1 2 1 2 "web" "ssh" "last\n|;" "id"`,
		`w 1 2 0 0 0 0 0 0 0 "web" "" "" ""`,
		`w 5 9 1 3 15 3 3 6 8 "db" "x" "\xff\u00e9\U0001d11e" "1.2"`,
		`w -5 9 1 3 -15 3 1 -1 -2 "db" "x" "" ""`,
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		tb, err := decodeState([]byte(stateHeader + line + "\n"))
		if err != nil {
			if !errors.Is(err, ErrCorruptState) {
				t.Fatalf("error does not wrap ErrCorruptState: %v", err)
			}
			return
		}
		again, err := decodeState(encodeState(tb))
		if err != nil || fmt.Sprint(dump(again)) != fmt.Sprint(dump(tb)) {
			t.Fatalf("round trip: %v, %v; want %v", dump(again), err, dump(tb))
		}
		tb.flush(t0.Add(time.Hour), Options{Window: time.Minute, MaxOutput: 64}, false)
	})
}

func BenchmarkStateFileOffer(b *testing.B) {
	f, err := OpenStateFile(filepath.Join(b.TempDir(), "flood.state"), Options{Window: time.Minute, MaxOutput: 512})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		// 50 services, so the file holds 50 windows.
		if _, err := f.Offer(context.Background(), *it("web"+strconv.Itoa(i%50), "ssh", bridge.Warning, 7, strings.Repeat("x", 300))); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkLimiterOffer(b *testing.B) {
	l, _ := NewLimiter(Options{Window: time.Minute, MaxOutput: 512})
	now := t0
	i := 0
	for b.Loop() {
		now = now.Add(time.Millisecond)
		l.Offer(*it("web"+strconv.Itoa(i%50), "ssh", bridge.Warning, 7, "out"), now)
		i++
	}
}

// Whatever is offered, the state file written stays decodable.
func TestStateFileStaysDecodable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flood.state")
	f, _ := OpenStateFile(path, Options{Window: time.Minute})
	items := []Item{
		*it("", "ssh", bridge.Warning, 7, "no host"),
		*it("web", "ssh", bridge.Warning, 7, "a"),
		*it("web", "ssh", bridge.Critical, 12, "\x00\xff\"\n`"+strings.Repeat("é", 5000)),
		*it(strings.Repeat("\xff", 2000), "s", bridge.OK, 0, "long key"),
		*it("web\n", "s\"", 4, -3, "odd"),
		*it("web\n", "s\"", 4, -3, "odd state aggregated"),
		*it("web\n", "s\"", -1, -3, "negative state aggregated"),
	}
	for i, item := range items {
		if _, err := f.Offer(context.Background(), item); err != nil {
			t.Fatalf("offer %d: %v", i, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeState(b); err != nil {
			t.Fatalf("after offer %d the state file does not decode: %v", i, err)
		}
	}
}

// The crash helper: offers FLOOD_CRASH_N results for one service to the
// state file, prints "held", and waits to be killed.
const envCrash = "FLOOD_CRASH_PATH"

func TestCrashHelperProcess(t *testing.T) {
	path := os.Getenv(envCrash)
	if path == "" {
		t.Skip("helper process only")
	}
	f, err := OpenStateFile(path, Options{Window: time.Minute})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := range 50 {
		state := bridge.Warning
		if i == 30 {
			state = bridge.Critical // a rise: sent at once
		}
		if _, err := f.Offer(context.Background(), Item{Result: bridge.Result{Host: "web01", Service: "OSSEC SSH", State: state, Output: "alert " + strconv.Itoa(i)}, Level: 10}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Println("held")
	time.Sleep(time.Minute)
	os.Exit(3)
}

// TestStateFileCrash: a process that held results is killed; a later
// flush (another process, after the window) emits their summary.
func TestStateFileCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flood.state")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$")
	cmd.Env = append(os.Environ(), envCrash+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "held\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q, %v", line, err)
	}
	cmd.Process.Kill() // SIGKILL: no deferred function, no flush
	cmd.Wait()

	later := time.Now().Add(2 * time.Minute)
	f, _ := OpenStateFile(path, Options{Window: time.Minute, Now: func() time.Time { return later }})
	got, err := due(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	// 50 offered: the first and the rise sent at once, 48 held.
	if len(got) != 1 || got[0].State != bridge.Critical || !strings.HasPrefix(got[0].Output, "flood: 48 more alerts from ") || !strings.HasSuffix(got[0].Output, "last: alert 49") {
		t.Fatalf("after the crash, flush emitted %q; want one CRITICAL summary of 48 ending with the last alert", show(got))
	}
	if got, _ := due(context.Background(), f); len(got) != 0 {
		t.Fatalf("a second flush emitted %q again", show(got))
	}
}

// TestStateFileDue: Due emits what is due under the lock, forgets it only
// when emit succeeded, and says when the next window closes.
func TestStateFileDue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flood.state")
	now := t0
	f, _ := OpenStateFile(path, Options{Window: time.Minute, Now: func() time.Time { return now }})
	ctx := context.Background()
	next, err := f.Due(ctx, func([]bridge.Result) error { t.Fatal("emit called with nothing due"); return nil })
	if err != nil || !next.IsZero() {
		t.Fatalf("Due on an empty state: next %v, %v; want zero", next, err)
	}
	for i, host := range []string{"a", "a", "b", "b", "b"} {
		now = t0.Add(time.Duration(i) * sec)
		if _, err := f.Offer(ctx, *it(host, "s", bridge.Warning, 10, strconv.Itoa(i))); err != nil {
			t.Fatal(err)
		}
	}
	now = t0.Add(30 * sec)
	next, err = f.Due(ctx, func([]bridge.Result) error { t.Fatal("emit called before a window closed"); return nil })
	if err != nil || !next.Equal(t0.Add(time.Minute)) {
		t.Fatalf("next %v, %v; want a's window end %v", next, err, t0.Add(time.Minute))
	}
	now = t0.Add(61 * sec)
	boom := errors.New("spool full")
	if _, err := f.Due(ctx, func(rs []bridge.Result) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("Due with a failing emit: %v, want its error", err)
	}
	var got []bridge.Result
	next, err = f.Due(ctx, func(rs []bridge.Result) error { got = append(got, rs...); return nil })
	if err != nil || len(got) != 1 || got[0].Host != "a" {
		t.Fatalf("after a failed emit, Due emitted %q, %v; want a's summary again", show(got), err)
	}
	if !next.Equal(t0.Add(62 * sec)) {
		t.Fatalf("next %v, want b's window end %v", next, t0.Add(62*sec))
	}
}

func TestStateFileOfferAll(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flood.state")
	now := t0
	f, _ := OpenStateFile(path, Options{Window: time.Minute, Now: func() time.Time { return now }})
	items := []Item{
		*it("a", "s", bridge.Warning, 10, "1"),
		*it("a", "s", bridge.Warning, 10, "2"),
		*it("b", "s", bridge.Warning, 10, "3"),
		*it("a", "s", bridge.Critical, 12, "4"),
		*it("a", "s", bridge.Warning, 10, "5"),
	}
	out, next, err := f.OfferAll(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a/s WARNING 1"}, nil, {"b/s WARNING 3"}, {"a/s CRITICAL 4"}, nil}
	for i := range items {
		if fmt.Sprint(show(out[i])) != fmt.Sprint(want[i]) {
			t.Errorf("item %d: %q, want %q", i, show(out[i]), want[i])
		}
	}
	if !next.Equal(t0.Add(time.Minute)) {
		t.Errorf("next %v, want %v", next, t0.Add(time.Minute))
	}
}

// A v1 state file (before this version) is read and rewritten as v2.
func TestStateFileV1Upgrade(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flood.state")
	start := t0.UnixNano()
	v1 := fmt.Sprintf("%sw %d %d 2 1 10 1 \"web\" \"ssh\" \"old\" \"id-old\"\n", stateHeaderV1, start, start+int64(time.Minute))
	if err := os.WriteFile(path, []byte(v1), 0o640); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(10 * sec)
	f, _ := OpenStateFile(path, Options{Window: time.Minute, Now: func() time.Time { return now }})
	got, err := f.Offer(context.Background(), *it("web", "ssh", bridge.Warning, 10, "new"))
	if err != nil {
		t.Fatal(err)
	}
	// What a v1 window sent is unknown: the WARNING counts as a rise.
	if fmt.Sprint(show(got)) != "[web/ssh WARNING new]" {
		t.Fatalf("offer into a v1 window: %q", show(got))
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), stateHeader) {
		t.Fatalf("state not rewritten as v2: %q", b)
	}
	now = t0.Add(time.Minute)
	got, _ = due(context.Background(), f)
	if len(got) != 1 || !strings.HasPrefix(got[0].Output, "flood: 2 more alerts ") || !strings.HasSuffix(got[0].Output, "last: old") {
		t.Fatalf("v1 window's summary: %q", show(got))
	}
}

// Next reports when the earliest window holding results closes and
// changes nothing: the held results are still emitted by Due afterwards.
func TestStateFileNext(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	sf, err := OpenStateFile(filepath.Join(t.TempDir(), "flood.state"), Options{Window: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if next, err := sf.Next(ctx); err != nil || !next.IsZero() {
		t.Fatalf("empty state: next %v, %v; want zero", next, err)
	}
	r := bridge.Result{Host: "h", Service: "s", State: bridge.Warning, Output: "x"}
	for i := 0; i < 3; i++ {
		if _, err := sf.Offer(ctx, Item{Result: r, Level: 10, Window: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	next, err := sf.Next(ctx)
	if err != nil || !next.Equal(now.Add(time.Minute)) {
		t.Fatalf("next %v, %v; want %v", next, err, now.Add(time.Minute))
	}
	now = now.Add(2 * time.Minute)
	var got []bridge.Result
	if _, err := sf.Due(ctx, func(rs []bridge.Result) error { got = append(got, rs...); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("Due after Next emitted %d summaries, want 1: %+v", len(got), got)
	}
}
