//go:build unix

package alert

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time (user and system, every thread, GC
// included) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuThroughput reports "cpu-MB/s": the bytes the benchmark's loop read per
// second of CPU time the process used, next to the wall-clock MB/s. On a
// machine shared with other work the wall-clock figure drops with the load;
// this one does not.
func cpuThroughput(b *testing.B, start time.Duration, bytes int64) {
	b.Helper()
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/1e6/used.Seconds(), "cpu-MB/s")
	}
}
