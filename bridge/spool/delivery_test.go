package spool

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

// sender is a bridge.Sender that is down until told otherwise.
type sender struct {
	mu   sync.Mutex
	up   bool
	sent []bridge.Result
}

func (s *sender) SendCheck(_ context.Context, host, service string, state int, output string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.up {
		return errors.New("connection refused")
	}
	id, _, _ := strings.Cut(output, ":")
	s.sent = append(s.sent, bridge.Result{Host: host, Service: service, State: bridge.State(state), Output: output, AlertID: id})
	return nil
}

// The spool as bridge.Delivery's queue: during an outage every invocation
// spools; once Nagios is back the next invocation delivers the backlog
// first, then its own result.
func TestDeliveryOutage(t *testing.T) {
	dir := t.TempDir()
	snd := &sender{}
	const invocations = 30
	var wg sync.WaitGroup
	for i := 0; i < invocations; i++ {
		wg.Add(1)
		go func() { // concurrent active-response invocations, each with its own Spool
			defer wg.Done()
			q, err := Open(dir, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			d := &bridge.Delivery{Sender: snd, Queue: q}
			out, err := d.Deliver(context.Background(), tagged("i"+strconv.Itoa(i), 0))
			if err != nil || out.Spooled != 1 || out.Sent != 0 {
				t.Errorf("Deliver during the outage: %+v, %v; want it spooled", out, err)
			}
		}()
	}
	wg.Wait()
	q := mustOpen(t, dir, Options{})
	if d := depth(t, q); d != invocations {
		t.Fatalf("depth %d, want %d", d, invocations)
	}

	snd.up = true
	d := &bridge.Delivery{Sender: snd, Queue: q}
	out, err := d.Deliver(context.Background(), tagged("last", 0))
	if err != nil || out.Drained != invocations || out.Sent != 1 {
		t.Fatalf("Deliver after the outage: %+v, %v; want %d drained and 1 sent", out, err, invocations)
	}
	if got := snd.sent[len(snd.sent)-1].Output; got != "last:0" {
		t.Fatalf("the new result went out as %q, not after the backlog", got)
	}
	seen := map[string]bool{}
	for _, r := range snd.sent {
		if seen[r.Output] {
			t.Fatalf("%q delivered twice", r.Output)
		}
		seen[r.Output] = true
	}
	if len(seen) != invocations+1 {
		t.Fatalf("%d distinct results delivered, want %d", len(seen), invocations+1)
	}
	if d := depth(t, q); d != 0 {
		t.Fatalf("depth %d after delivery, want 0", d)
	}
}
