package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
)

// sliceQueue is a bridge.Queue in memory; fail makes Put refuse.
type sliceQueue struct {
	got  []bridge.Result
	fail error
}

func (q *sliceQueue) Put(r bridge.Result) error {
	if q.fail != nil {
		return q.fail
	}
	q.got = append(q.got, r)
	return nil
}

func (q *sliceQueue) Drain(context.Context, func(context.Context, bridge.Result) error) (int, error) {
	return 0, nil
}

// TestFloodWiring: one window per service for every mode (throttle for the
// active response, floodDue for flush and the background flusher), and
// the summaries floodDue hands over are in the queue before the state
// file forgets them.
func TestFloodWiring(t *testing.T) {
	state := filepath.Join(t.TempDir(), "flood.state")
	cfg, err := config.Load(strings.NewReader(`[nsca]
server = 127.0.0.1:1
[flood]
window     = 0
state_file = `+state+`
[service "A"]
groups = a
flood_window = 1s
[service "B"]
`), "test.ini")
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cfg: cfg, file: "test.ini"}
	log := logrus.New()
	log.Out = &strings.Builder{}
	ctx := context.Background()
	res := func(svc, out string) bridge.Result {
		return bridge.Result{Host: "web01", Service: svc, State: bridge.Warning, Output: out}
	}
	al := alert.Alert{Rule: alert.Rule{Level: 10}}

	start := time.Now()
	var sent []string
	for _, r := range []bridge.Result{res("A", "a1"), res("B", "b1"), res("A", "a2"), res("B", "b2"), res("A", "a3")} {
		for _, s := range a.throttle(ctx, log, r, al) {
			sent = append(sent, s.Output)
		}
	}
	if strings.Join(sent, " ") != "a1 b1 b2" {
		t.Fatalf("sent %q: want A's first result and every result of B (no flood_window, [flood] window = 0)", sent)
	}
	q := &sliceQueue{}
	n, next, err := a.floodDue(ctx, q)
	if err != nil || n != 0 || len(q.got) != 0 {
		t.Fatalf("floodDue inside the window: %d, %v, queued %v", n, err, q.got)
	}
	if w := next.Sub(start); w < time.Second || w > 2*time.Second {
		t.Fatalf("next due %v after the first offer, want A's window of 1s", w)
	}
	time.Sleep(time.Until(next))

	q.fail = errors.New("spool full")
	if _, _, err := a.floodDue(ctx, q); !errors.Is(err, q.fail) {
		t.Fatalf("floodDue with a failing queue: %v, want its error", err)
	}
	q.fail = nil
	n, next, err = a.floodDue(ctx, q)
	if err != nil || n != 1 || len(q.got) != 1 || !strings.HasPrefix(q.got[0].Output, "flood: 2 more alerts ") || !strings.HasSuffix(q.got[0].Output, "last: a3") {
		t.Fatalf("floodDue after the window: %d, %v, queued %+v; want the summary of a2 and a3, kept after the failed attempt", n, err, q.got)
	}
	if !next.IsZero() {
		t.Fatalf("next %v, want nothing more due", next)
	}
}
