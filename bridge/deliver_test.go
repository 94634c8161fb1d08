package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// fakeSender records what it accepted and fails when told to.
type fakeSender struct {
	sent    []string
	failAt  int // fail the n-th call (1-based); 0 = never
	failAll bool
	calls   int
}

func (f *fakeSender) SendCheck(_ context.Context, host, service string, state int, output string) error {
	f.calls++
	if f.failAll || f.calls == f.failAt {
		return errors.New("connection refused")
	}
	f.sent = append(f.sent, fmt.Sprintf("%s;%s;%d;%s", host, service, state, output))
	return nil
}

// memQueue is an in-memory Queue.
type memQueue struct{ items []Result }

func (q *memQueue) Put(r Result) error { q.items = append(q.items, r); return nil }
func (q *memQueue) Drain(ctx context.Context, deliver func(context.Context, Result) error) (int, error) {
	n := 0
	for len(q.items) > 0 {
		if err := deliver(ctx, q.items[0]); err != nil {
			return n, err
		}
		q.items = q.items[1:]
		n++
	}
	return n, nil
}

func res(out string) Result {
	return Result{Host: "web01", Service: "OSSEC", State: Critical, Output: out}
}

func TestDeliver(t *testing.T) {
	tests := []struct {
		name        string
		queued      []string
		results     []string
		failAt      int
		failAll     bool
		wantSent    []string
		wantQueue   []string
		wantOutcome Outcome
	}{
		{name: "all sent", results: []string{"a", "b"}, wantSent: []string{"a", "b"},
			wantOutcome: Outcome{Sent: 2}},
		{name: "queue drained first", queued: []string{"old1", "old2"}, results: []string{"new"},
			wantSent: []string{"old1", "old2", "new"}, wantOutcome: Outcome{Drained: 2, Sent: 1}},
		{name: "failure spools the rest in order", results: []string{"a", "b", "c"}, failAt: 2,
			wantSent: []string{"a"}, wantQueue: []string{"b", "c"}, wantOutcome: Outcome{Sent: 1, Spooled: 2}},
		{name: "stuck queue keeps new results behind it", queued: []string{"old"}, results: []string{"new"}, failAll: true,
			wantQueue: []string{"old", "new"}, wantOutcome: Outcome{Spooled: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &fakeSender{failAt: tt.failAt, failAll: tt.failAll}
			q := &memQueue{}
			for _, o := range tt.queued {
				q.items = append(q.items, res(o))
			}
			var in []Result
			for _, o := range tt.results {
				in = append(in, res(o))
			}
			d := &Delivery{Sender: s, Queue: q}
			got, err := d.Deliver(context.Background(), in...)
			if err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			if (got.Err != nil) != (tt.wantQueue != nil) {
				t.Errorf("Outcome.Err = %v, want error: %v", got.Err, tt.wantQueue != nil)
			}
			got.Err = nil
			if got != tt.wantOutcome {
				t.Errorf("outcome = %+v, want %+v", got, tt.wantOutcome)
			}
			var sent []string
			for _, l := range s.sent {
				sent = append(sent, l[strings.LastIndexByte(l, ';')+1:])
			}
			if strings.Join(sent, ",") != strings.Join(tt.wantSent, ",") {
				t.Errorf("sent %v, want %v", sent, tt.wantSent)
			}
			var queued []string
			for _, r := range q.items {
				queued = append(queued, r.Output)
			}
			if strings.Join(queued, ",") != strings.Join(tt.wantQueue, ",") {
				t.Errorf("queue %v, want %v", queued, tt.wantQueue)
			}
		})
	}
}

func TestDeliverWithoutQueueReportsLoss(t *testing.T) {
	d := &Delivery{Sender: &fakeSender{failAll: true}}
	_, err := d.Deliver(context.Background(), res("a"), res("b"))
	if err == nil || !strings.Contains(err.Error(), "2 result(s) not delivered") {
		t.Fatalf("err = %v, want 2 results not delivered", err)
	}
}

func TestFailover(t *testing.T) {
	first := &fakeSender{failAll: true}
	second := &fakeSender{}
	f := &Failover{Senders: []Sender{first, second}, Names: []string{"nagios1:5667", "nagios2:5667"}}
	if err := f.SendCheck(context.Background(), "h", "s", 2, "x"); err != nil {
		t.Fatalf("SendCheck: %v", err)
	}
	if len(second.sent) != 1 {
		t.Fatalf("second server got %d results, want 1", len(second.sent))
	}
	// The next result starts at the server that worked.
	if err := f.SendCheck(context.Background(), "h", "s", 2, "y"); err != nil {
		t.Fatal(err)
	}
	if first.calls != 1 || len(second.sent) != 2 {
		t.Errorf("first called %d times (want 1), second sent %d (want 2)", first.calls, len(second.sent))
	}

	all := &Failover{Senders: []Sender{&fakeSender{failAll: true}, &fakeSender{failAll: true}},
		Names: []string{"nagios1:5667", "nagios2:5667"}, Rounds: 2}
	err := all.SendCheck(context.Background(), "h", "s", 2, "x")
	if err == nil || !strings.Contains(err.Error(), "nagios1:5667: connection refused") ||
		!strings.Contains(err.Error(), "nagios2:5667") {
		t.Fatalf("err = %v, want both servers named", err)
	}
}
