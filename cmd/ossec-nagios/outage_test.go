package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// TestOutageNothingLost: with nsca down, 1,000 alerts arrive from 20
// concurrent active-response processes; they are spooled. nsca comes back
// and one flush delivers exactly 1,000 results to Nagios, none twice.
func TestOutageNothingLost(t *testing.T) {
	const total, workers = 1000, 20
	// nsca drops results that do not fit in the command FIFO when Nagios
	// reads it slowly (measured: 43 of 1,000 on a loaded 2-core machine):
	// that loss is between nsca and Nagios, so the lab has nsca write
	// into Nagios' check result directory, and the test sees the bridge's.
	l, root := startNagiosWith(t, labINI, func(l *lab.NagiosLab) { l.NSCACheckResults = true }, "web01")
	dead := lab.FreePort(t) // nothing listens there: Nagios is "down"
	// Every alert must arrive: flood control off (1000 alerts for one
	// service would be one page and one summary).
	// The flush sends one result per connection in 720-byte packets
	// (short_packets, on by itself for the costly ciphers): 999 of them
	// through the real nsca, in order, none lost.
	noFlood := func(port int) string {
		return strings.Replace(labINI(port), "timeout    = 3s\n", "timeout    = 3s\nshort_packets = yes\n", 1) + "[flood]\nwindow = 0\n"
	}
	if err := os.WriteFile(root.ini, []byte(noFlood(dead)), 0o600); err != nil {
		t.Fatal(err)
	}
	blocks := make([]string, total)
	for i := range blocks {
		blocks[i] = fmt.Sprintf(` - syslog,web,
2026 Nov 18 11:00:00 (web01) 10.0.0.11->/var/log/app.log
Rule: 100100 (level 8) -> 'outage alert %04d'
app: event %04d
`, i, i)
	}
	ids := root.alertsLog(t, 1795001000, blocks...)

	start := time.Now()
	var wg sync.WaitGroup
	jobs := make(chan int)
	var mu sync.Mutex
	var failures []string
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				rc, stderr := root.run(t, root.ar, nil, "add", "-", "-", ids[i], "100100", "(web01)", "10.0.0.11->/var/log/app.log")
				if rc != 0 {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("alert %d: rc %d %s", i, rc, stderr))
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d active responses with Nagios down: %v", total, time.Since(start))
	if len(failures) > 0 {
		t.Fatalf("%d invocations failed, first: %s", len(failures), failures[0])
	}
	if strings.Contains(l.Log(), "outage alert") {
		t.Fatal("results reached Nagios while nsca was unreachable")
	}

	if err := os.WriteFile(root.ini, []byte(noFlood(l.NSCAPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	rc, stderr := root.run(t, root.ar, nil, "flush")
	if rc != 0 {
		t.Fatalf("flush rc %d: %s\n%s", rc, stderr, root.log(t))
	}

	// Nagios logs a result read from the check result directory as
	// "PASSIVE SERVICE CHECK:", as "SERVICE ALERT:" when it changes the
	// state, or both (a volatile service): a result counts once per kind
	// of line, and twice only if a kind appears twice.
	re := regexp.MustCompile(`(PASSIVE SERVICE CHECK: web01;OSSEC;1;|SERVICE ALERT: web01;OSSEC;WARNING;HARD;1;)OSSEC rule 100100 \(level 8\): outage alert (\d{4})`)
	// Nagios reaps the result files every second, slowly on a loaded
	// machine: wait as long as it makes progress (bounded at 3 minutes).
	var seen map[string]int
	deadline, last := time.Now().Add(3*time.Minute), time.Now()
	for prev := -1; ; {
		seen = map[string]int{}
		kinds := map[[2]string]int{}
		for _, m := range re.FindAllStringSubmatch(l.Log(), -1) {
			k := [2]string{m[1], m[2]}
			kinds[k]++
			seen[m[2]] = max(seen[m[2]], kinds[k])
		}
		if len(seen) > prev {
			prev, last = len(seen), time.Now()
		}
		if len(seen) >= total || time.Now().After(deadline) || time.Since(last) > 20*time.Second {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(seen) != total {
		var missing []string
		for i := 0; i < total && len(missing) < 10; i++ {
			if id := fmt.Sprintf("%04d", i); seen[id] == 0 {
				missing = append(missing, id)
			}
		}
		var lines []string
		for _, line := range strings.Split(l.Log(), "\n") {
			for _, id := range missing {
				if strings.Contains(line, "outage alert "+id) {
					lines = append(lines, line)
				}
			}
		}
		waiting, _ := os.ReadDir(l.Dir + "/checkresults")
		t.Fatalf("Nagios got %d distinct results, want %d; missing %v; their lines in nagios.log: %q; %d files not yet reaped in checkresults/",
			len(seen), total, missing, lines, len(waiting))
	}
	for id, n := range seen {
		if n != 1 {
			var lines []string
			for _, line := range strings.Split(l.Log(), "\n") {
				if strings.Contains(line, "outage alert "+id) {
					lines = append(lines, line)
				}
			}
			t.Errorf("alert %s delivered %d times: %q", id, n, lines)
		}
	}
	spooled, _ := os.ReadDir(root.dir + "/var/ossec-nagios/spool")
	for _, f := range spooled {
		if strings.HasSuffix(f.Name(), ".res") {
			t.Errorf("left in the spool: %s", f.Name())
		}
	}
}
