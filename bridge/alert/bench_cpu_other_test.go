//go:build !unix

package alert

import (
	"testing"
	"time"
)

func cpuTime() time.Duration { return 0 }

func cpuThroughput(*testing.B, time.Duration, int64) {}
