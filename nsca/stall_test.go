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

// TestBulkSendNoStall sends thousands of results in one Send to the real
// single-process nsca and watches its command file (aggregate_writes=0:
// one append per packet) grow. A client that writes faster than the
// daemon reads fills the daemon's receive window; on loopback the window
// then stays shut for whole seconds of zero-window probes while the
// daemon has nothing to read. The test asserts that packets never stop
// arriving for a second or more before the last one is in (not how long
// the whole send takes), and that every result arrived exactly once.
func TestBulkSendNoStall(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk send against the real nsca: not with -short")
	}
	const maxGap = time.Second
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

			// The watcher samples the command file's size and records the
			// longest time it stood still, until the last line is in
			// (WaitLines polls every 5 ms, so the file's rest after the
			// last packet counts a few milliseconds at most).
			var longest atomic.Int64
			watched := make(chan struct{})
			stop := make(chan struct{})
			go func() {
				defer close(watched)
				var size int64
				since := time.Now()
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
							size, since = fi.Size(), now
						} else if d := now.Sub(since); d > time.Duration(longest.Load()) {
							longest.Store(int64(d))
						}
					}
				}
			}()
			// In batches of 16, as `ossec-nagios send` and follow send,
			// over several connections one after the other (the stall
			// showed mostly on a daemon's second and later connections).
			// With 3DES in batches of 4: under -race on a busy machine
			// encrypting one 4304-byte packet took 50 ms, so 16 of them
			// kept the daemon idle for over a second before the write,
			// which is not the stall this test is about (the Sends still
			// follow each other, and pacing still works per write).
			const rounds = 4
			batch := 16
			if tc.method == nsca.Method3DES {
				batch = 4
			}
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
			if gap := time.Duration(longest.Load()); gap >= maxGap {
				t.Errorf("packets stopped arriving for %s during the bulk send (the daemon's receive window closed?), want < %s", gap.Round(10*time.Millisecond), maxGap)
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
