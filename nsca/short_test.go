package nsca_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
	"github.com/ossec-nagios/ossec-nagios/nsca"
	"github.com/ossec-nagios/ossec-nagios/nsca/nscatest"
)

// shortChecks returns n checks numbered in their output; every tenth has
// an output too long for the 720-byte packet.
func shortChecks(n int) []nsca.Check {
	checks := make([]nsca.Check, n)
	for i := range checks {
		out := fmt.Sprintf("rule 5712 level 10: sshd brute force | n=%d", i)
		if i%10 == 9 {
			out += " " + strings.Repeat("x", 600)
		}
		checks[i] = nsca.Check{Host: fmt.Sprintf("web%02d", i%7), Service: "OSSEC Alert", State: i % 4, Output: out}
	}
	return checks
}

// shortPair starts a fake daemon with opts and a Client with Config.Short
// for it (the daemon's password and method, the rest from cfg).
func shortPair(t *testing.T, opts nscatest.Options, cfg nsca.Config) (*nscatest.Server, *nsca.Client) {
	t.Helper()
	srv := nscatest.NewServer(t, opts)
	cfg.Password, cfg.Method, cfg.Short = opts.Password, opts.Method, true
	c, err := nsca.New(srv.Addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return srv, c
}

// sendConfirmed sends checks in one Send, then confirms them.
func sendConfirmed(t *testing.T, c *nsca.Client, checks []nsca.Check) {
	t.Helper()
	ctx := context.Background()
	if n, err := c.Send(ctx, checks...); err != nil || n != len(checks) {
		t.Fatalf("Send = %d, %v", n, err)
	}
	if err := c.Confirm(ctx); err != nil {
		t.Fatalf("Confirm: %v", err)
	}
}

// TestShortRounds: with Config.Short the first check of a batch proves the
// password on a kept connection (one Confirm wait), then every check goes
// on a connection of its own, 720 bytes when its output fits, 4304 when
// not, with the FIN in the packet's segment; all arrive, in order, and
// the batch's Confirm passes.
func TestShortRounds(t *testing.T) {
	defer nsca.SetShortLimits(time.Minute, time.Minute)()
	var dbg strings.Builder
	srv, c := shortPair(t, nscatest.Options{Password: "p", Method: nsca.Method3DES}, nsca.Config{Debug: &dbg})
	checks := shortChecks(60)
	sendConfirmed(t, c, checks)
	got := srv.WaitChecks(t, len(checks), 10*time.Second)
	if !slices.Equal(got, checks) {
		t.Fatalf("the daemon got %d checks, not the %d sent in order", len(got), len(checks))
	}
	if n := srv.Conns(); n != len(checks)+1 {
		t.Errorf("%d connections, want %d (the kept one with the first check, the new kept one, then one per check)", n, len(checks)+1)
	}
	log := dbg.String()
	if small, large := strings.Count(log, "720-byte packet on a connection of its own"), strings.Count(log, "4304-byte packet on a connection of its own"); small != 53 || large != 6 {
		t.Errorf("%d small and %d large packets on connections of their own, want 53 and 6:\n%s", small, large, log)
	}
	if n := srv.LateFINs(); n != 0 {
		t.Errorf("%d 720-byte packets arrived without their FIN (a non-blocking nsca sleeps a second on each)", n)
	}
	// A second batch needs no new proof: no Confirm wait, no kept
	// connection made.
	sendConfirmed(t, c, checks[:5])
	srv.WaitChecks(t, len(checks)+5, 10*time.Second)
	if n := srv.Conns(); n != len(checks)+1+5 {
		t.Errorf("%d connections after the second batch, want %d", n, len(checks)+1+5)
	}
}

// TestShortConfirmSeesRestart: after the proven connection closed (the
// daemon restarted: its password may have changed) the next batch proves
// again before its short rounds.
func TestShortConfirmSeesRestart(t *testing.T) {
	srv, c := shortPair(t, nscatest.Options{Password: "p", Method: nsca.MethodBlowfish}, nsca.Config{})
	sendConfirmed(t, c, shortChecks(3))
	srv.WaitChecks(t, 3, 5*time.Second)
	srv.Drop()
	time.Sleep(20 * time.Millisecond) // the close reaches the client
	// The next Send notices the closed connection and proves anew on a
	// new one before any short round.
	sendConfirmed(t, c, shortChecks(3))
	srv.WaitChecks(t, 6, 5*time.Second)
	if n := srv.Conns(); n != 8 {
		t.Errorf("%d connections, want 8 (kept, its successor, 2 short; twice)", n)
	}
}

// TestShortConfirmAfterDropMidBatch: the proven connection closes while
// short rounds go out: Confirm must not pass.
func TestShortConfirmAfterDropMidBatch(t *testing.T) {
	srv, c := shortPair(t, nscatest.Options{Password: "p", Method: nsca.MethodBlowfish}, nsca.Config{})
	sendConfirmed(t, c, shortChecks(2))
	srv.WaitChecks(t, 2, 5*time.Second)
	ctx := context.Background()
	// The daemon restarts between the liveness look at the start of Send
	// and the batch's Confirm: simulate with a Drop right after Send.
	if _, err := c.Send(ctx, shortChecks(1)...); err != nil {
		t.Fatal(err)
	}
	srv.Drop()
	time.Sleep(20 * time.Millisecond)
	if err := c.Confirm(ctx); err == nil || !errors.Is(err, nsca.ErrRejected) {
		t.Fatalf("Confirm after the proven connection closed: %v, want ErrRejected", err)
	}
}

// TestShortGivesWayToSlowConnections: when connections take long to make
// (here 3 ms each handshake; nsca --daemon polls for them once a second), the client
// goes back to the kept connection after shortRounds rounds; nothing is
// lost or reordered.
func TestShortGivesWayToSlowConnections(t *testing.T) {
	var dbg strings.Builder
	srv, c := shortPair(t, nscatest.Options{Password: "p", Method: nsca.MethodDES, InitDelay: 3 * time.Millisecond}, nsca.Config{Debug: &dbg})
	checks := shortChecks(40)
	sendConfirmed(t, c, checks)
	if got := srv.WaitChecks(t, len(checks), 10*time.Second); !slices.Equal(got, checks) {
		t.Fatalf("checks lost or out of order")
	}
	if !strings.Contains(dbg.String(), "back to one connection") {
		t.Errorf("short rounds of 3 ms kept going:\n%s", dbg.String())
	}
	if n := srv.Conns(); n != 2+16 {
		t.Errorf("%d connections, want 18 (the kept one, its successor and 16 short rounds)", n)
	}
}

// TestShortTriesAgain: short rounds that gave way come back after the
// time off; a trial that gives way again doubles it (up to the longest),
// one that lasts resets it; nothing is lost or reordered on the way.
func TestShortTriesAgain(t *testing.T) {
	defer nsca.SetShortRetry(300*time.Millisecond, 900*time.Millisecond)()
	var dbg strings.Builder
	srv, c := shortPair(t, nscatest.Options{Password: "p", Method: nsca.MethodXOR, InitDelay: 3 * time.Millisecond}, nsca.Config{Debug: &dbg})
	var all []nsca.Check
	send := func(n int) {
		t.Helper()
		checks := shortChecks(n)
		for i := range checks {
			checks[i].Output = fmt.Sprintf("%d %s", len(all)+i, checks[i].Output)
		}
		sendConfirmed(t, c, checks)
		all = append(all, checks...)
	}
	offs := func() []string {
		var out []string
		for _, l := range strings.Split(dbg.String(), "\n") {
			if _, d, ok := strings.Cut(l, "back to one connection for "); ok {
				out = append(out, d)
			}
		}
		return out
	}
	restoreLimits := nsca.SetShortLimits(time.Millisecond, time.Minute) // 3 ms handshakes are slow

	send(20) // the proof, 16 short rounds, off for 300 ms (only a send slower than that could see them back)
	conns := srv.Conns()
	send(20) // off: all on the kept connection
	if n := srv.Conns(); n != conns {
		t.Errorf("%d new connection(s) while short rounds were off", n-conns)
	}
	time.Sleep(310 * time.Millisecond)
	send(20) // a trial that gives way again: off for 600 ms
	if n := srv.Conns(); n != conns+1+16 {
		t.Errorf("the trial made %d connections, want 17 (the kept one's successor and 16 rounds)", n-conns)
	}
	time.Sleep(610 * time.Millisecond)
	send(20) // again: off for 900 ms, the longest
	time.Sleep(910 * time.Millisecond)
	send(20) // again: still 900 ms
	if got, want := offs(), []string{"300ms", "600ms", "900ms", "900ms"}; !slices.Equal(got, want) {
		t.Fatalf("times off %q, want %q:\n%s", got, want, dbg.String())
	}

	restoreLimits()
	defer nsca.SetShortLimits(time.Minute, time.Minute)() // fast enough now
	time.Sleep(910 * time.Millisecond)
	send(20) // a trial that lasts: the time off starts over
	if !strings.Contains(dbg.String(), "short rounds are fast again") {
		t.Errorf("a lasting trial was not noticed:\n%s", dbg.String())
	}
	nsca.SetShortLimits(time.Millisecond, time.Minute)
	send(20)
	if got := offs(); len(got) != 5 || got[4] != "300ms" {
		t.Errorf("times off %q, want the fifth 300ms again", got)
	}
	if got := srv.WaitChecks(t, len(all), 10*time.Second); !slices.Equal(got, all) {
		t.Fatalf("checks lost or out of order: %d arrived, %d sent", len(got), len(all))
	}
}

// TestInteropShort: the real nsca takes short rounds (3DES) in order, and
// a wrong password is caught by the first check's proof before any short
// round goes out (checked last, see below).
func TestInteropShort(t *testing.T) {
	defer nsca.SetShortLimits(time.Minute, time.Minute)()
	srv := lab.StartNSCA(t, lab.NSCAOptions{Password: interopPassword, Method: 3})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var dbg strings.Builder
	c, err := nsca.New(srv.Addr, nsca.Config{Password: interopPassword, Method: nsca.Method3DES, Short: true, Debug: &dbg})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checks := shortChecks(100)
	tail := func() string {
		l := strings.Split(dbg.String(), "\n")
		return strings.Join(l[max(0, len(l)-12):], "\n")
	}
	for i := 0; i < len(checks); i += 16 {
		if _, err := c.Send(ctx, checks[i:min(i+16, len(checks))]...); err != nil {
			t.Fatalf("Send of checks %d+: %v; the client's last steps:\n%s\nthe daemon wrote %d lines", i, err, tail(), len(srv.Lines()))
		}
		if err := c.Confirm(ctx); err != nil {
			t.Fatalf("Confirm of checks %d+: %v; the client's last steps:\n%s", i, err, tail())
		}
	}
	lines := srv.WaitLines(t, len(checks), 30*time.Second)
	srv.Quiet(t, len(checks), 100*time.Millisecond)
	for i, ch := range checks {
		if want := fmt.Sprintf("PROCESS_SERVICE_CHECK_RESULT;%s;%s;%d;%s", ch.Host, ch.Service, ch.State, ch.Output); lab.Check(lines[i]) != want {
			t.Fatalf("line %d = %.80q, want %.80q", i, lab.Check(lines[i]), want)
		}
	}
	if n := strings.Count(dbg.String(), "720-byte packet on a connection of its own"); n != 89 {
		t.Errorf("%d short packets, want 89 (90 fit, the first is the proof):\n%.2000s", n, dbg.String())
	}

	// The wrong password last: after dropping a bad packet, --single
	// polls the closed descriptor once more, and a connection accepted in
	// between (every short round is a new one) gets its number and is
	// never served (lab.NSCAServer). With the wrong password first, this
	// test timed out reading an init packet twice, both times with every
	// package's tests under -race on 2 cores.
	var badDbg strings.Builder
	bad, err := nsca.New(srv.Addr, nsca.Config{Password: "wrong", Method: nsca.Method3DES, Short: true, ConfirmWait: 5 * time.Second, Debug: &badDbg})
	if err != nil {
		t.Fatal(err)
	}
	n, err := bad.Send(ctx, shortChecks(10)...)
	if !errors.Is(err, nsca.ErrRejected) || n > 1 {
		t.Fatalf("Send with a wrong password = %d, %v; want ErrRejected after the first", n, err)
	}
	bad.Close()
	if strings.Contains(badDbg.String(), "on a connection of its own") {
		t.Errorf("short rounds went out before the proof:\n%s", badDbg.String())
	}
}

// TestShortPerMinute: past the bound on short rounds per minute (each
// holds an ephemeral port in TIME_WAIT for a minute) the results go over
// the kept connection, in order.
func TestShortPerMinute(t *testing.T) {
	defer nsca.SetShortLimits(time.Minute, time.Minute)()
	defer nsca.SetShortPerMinute(5)()
	var dbg strings.Builder
	srv, c := shortPair(t, nscatest.Options{Password: "p", Method: nsca.Method3DES}, nsca.Config{Debug: &dbg})
	checks := shortChecks(8) // no long output among the first 9
	sendConfirmed(t, c, checks)
	sendConfirmed(t, c, checks) // in the same minute: no short round
	if got := srv.WaitChecks(t, 2*len(checks), 10*time.Second); !slices.Equal(got, append(slices.Clone(checks), checks...)) {
		t.Fatalf("checks lost or out of order: %v", got)
	}
	if n := srv.Conns(); n != 2+5 {
		t.Errorf("%d connections, want 7 (the kept one, its successor and 5 short rounds):\n%s", n, dbg.String())
	}
}

// TestShortKeepsOrderBehindSlowDaemon: the first check's confirmation
// passes before a slow daemon read it (no close within the wait is all
// NSCA shows); the short rounds must still not overtake it: the client
// makes the daemon read the kept connection to its end first.
func TestShortKeepsOrderBehindSlowDaemon(t *testing.T) {
	defer nsca.SetShortLimits(time.Minute, time.Minute)()
	srv, c := shortPair(t, nscatest.Options{Password: "p", Method: nsca.MethodXOR, ReadDelay: 80 * time.Millisecond},
		nsca.Config{ConfirmMin: 20 * time.Millisecond, ConfirmWait: 20 * time.Millisecond})
	checks := shortChecks(4)
	sendConfirmed(t, c, checks)
	if got := srv.WaitChecks(t, len(checks), 10*time.Second); !slices.Equal(got, checks) {
		t.Fatalf("the daemon got them in another order: %v", got)
	}
}
