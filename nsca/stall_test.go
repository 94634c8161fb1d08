package nsca_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
	"github.com/ossec-nagios/ossec-nagios/nsca"
)

// TestBulkSendNoStall sends thousands of results to the real
// single-process nsca and watches its command file (aggregate_writes=0:
// one append per packet) grow. A client that writes faster than the
// daemon reads fills the daemon's receive window; on loopback the window
// then stays shut until a zero-window probe, the daemon empties its
// socket mid-packet meanwhile, and a non-blocking nsca sleeps a whole
// second when a read finds nothing (what arrives during that second stays
// unread). The test asserts that the daemon never sleeps for half a
// second with bytes to read before the last packet is in (not how long
// the whole send takes, nor any gap on a busy machine), and that every
// result arrived exactly once and in order. With the client's pacing
// switched off it fails: the daemon slept 0.98 s with bytes to read, in
// two runs of two.
func TestBulkSendNoStall(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk send against the real nsca: not with -short")
	}
	// nsca's sleep is one second; sampled every 10 ms, a stall shows
	// as 0.98 s or so. Nothing else puts the daemon to sleep with bytes
	// to read for more than a wakeup's time.
	const maxStall = 500 * time.Millisecond
	for _, tc := range []struct {
		method nsca.Method
		legacy bool
		n      int
	}{
		{nsca.MethodXOR, false, 20000},
		{nsca.Method3DES, false, 500}, // CFB-8: slow on both sides (40 s under -race at 2,000)
		{nsca.MethodXOR, true, 1000},
	} {
		name := fmt.Sprintf("%s-%d", tc.method, tc.n)
		if tc.legacy {
			name += "-legacy"
		}
		t.Run(name, func(t *testing.T) {
			srv := lab.StartNSCA(t, lab.NSCAOptions{Password: interopPassword, Method: int(tc.method)})
			checks := make([]nsca.Check, tc.n)
			for i := range checks {
				checks[i] = nsca.Check{Host: fmt.Sprintf("web%02d", i%50), Service: "OSSEC Alert", State: i % 4,
					Output: fmt.Sprintf("rule 5712 level 10: sshd brute force from 192.0.2.%d | n=%d", i%250, i)}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()

			// The watcher samples the command file's size, the daemon's
			// unread bytes (lab.Unread) and its process state every 10 ms
			// until the last line is in. A stall is a time the file stood
			// still while the daemon slept with bytes to read: nsca sleeps
			// a whole second when a read finds the socket empty
			// mid-packet, which a client that fills the daemon's receive
			// window brings about. A long gap alone proves nothing: on a
			// busy 2-core machine under -race the client's 3DES took over
			// a second for a few packets (nothing to read), or the daemon
			// waited for a CPU (state R).
			var longestStall, longestGap atomic.Int64
			watched := make(chan struct{})
			stop := make(chan struct{})
			go func() {
				defer close(watched)
				var size int64
				since := time.Now()
				var stalledSince time.Time
				tick := time.NewTicker(10 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case now := <-tick.C:
						fi, err := os.Stat(srv.CommandFile)
						if err != nil {
							continue
						}
						if fi.Size() != size {
							size, since, stalledSince = fi.Size(), now, time.Time{}
							continue
						}
						if d := now.Sub(since); d > time.Duration(longestGap.Load()) {
							longestGap.Store(int64(d))
						}
						if !daemonSleepsOnData(srv) {
							stalledSince = time.Time{}
							continue
						}
						if stalledSince.IsZero() {
							stalledSince = now
						}
						if d := now.Sub(stalledSince); d > time.Duration(longestStall.Load()) {
							longestStall.Store(int64(d))
						}
					}
				}
			}()
			// In batches of 16, as `ossec-nagios send` and follow send,
			// over several connections one after the other (the stall
			// showed mostly on a daemon's second and later connections).
			const rounds, batch = 4, 16
			for r := 0; r < rounds; r++ {
				part := checks[r*len(checks)/rounds : (r+1)*len(checks)/rounds]
				c, err := nsca.Dial(ctx, srv.Addr, nsca.Config{Password: interopPassword, Method: tc.method, Legacy: tc.legacy, Timeout: time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < len(part); i += batch {
					n, err := c.Send(ctx, part[i:min(i+batch, len(part))]...)
					if err != nil {
						t.Fatalf("round %d: Send: %d of %d sent: %v", r, i+n, len(part), err)
					}
				}
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
			}
			lines := srv.WaitLines(t, tc.n, 2*time.Minute)
			close(stop)
			<-watched
			t.Logf("longest gap in the command file's growth %s; longest time the daemon slept with bytes to read %s",
				time.Duration(longestGap.Load()).Round(time.Millisecond), time.Duration(longestStall.Load()).Round(time.Millisecond))
			if stall := time.Duration(longestStall.Load()); stall >= maxStall {
				t.Errorf("the daemon slept %s with bytes to read (its receive window filled and a read found it empty mid-packet?), want < %s",
					stall.Round(10*time.Millisecond), maxStall)
			}
			if len(lines) != tc.n {
				t.Fatalf("daemon wrote %d lines, want %d", len(lines), tc.n)
			}
			seen := make(map[string]bool, tc.n)
			for _, l := range lines {
				cmd := lab.Check(l)
				if seen[cmd] {
					t.Fatalf("line twice: %q", l)
				}
				seen[cmd] = true
			}
			for i, ch := range checks {
				w := fmt.Sprintf("PROCESS_SERVICE_CHECK_RESULT;%s;%s;%d;%s", ch.Host, ch.Service, ch.State, ch.Output)
				if !seen[w] {
					t.Fatalf("missing %q (first line %q)", w, lines[0])
				}
				if lab.Check(lines[i]) != w {
					t.Fatalf("line %d is %q, want %q: out of order", i, lab.Check(lines[i]), w)
				}
			}
		})
	}
}

// daemonSleepsOnData reports whether the real daemon srv has received
// bytes it has not read while its process sleeps (not runnable).
func daemonSleepsOnData(srv *lab.NSCAServer) bool {
	socks, err := lab.TCPSockets()
	if err != nil || lab.Unread(socks, srv.Port) == 0 {
		return false
	}
	st, err := lab.ProcState(srv.PID())
	return err == nil && st == 'S'
}
