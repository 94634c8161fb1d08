package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// confirmingSender is a Sender and Confirmer whose peer drops everything
// sent while down: Confirm then fails, as nsca.Client's does when the
// daemon closes the connection.
type confirmingSender struct {
	down      bool // the peer drops what it receives
	failAt    int  // the n-th SendCheck fails (1-based); 0 = never
	permanent map[string]bool
	calls     int
	unconf    []string
	delivered []string // what the peer kept
	confirms  int
}

type permErr struct{}

func (permErr) Error() string   { return "no such object" }
func (permErr) Permanent() bool { return true }

func (c *confirmingSender) SendCheck(_ context.Context, host, service string, state int, output string) error {
	c.calls++
	if c.calls == c.failAt {
		return errors.New("connection reset")
	}
	if c.permanent[output] {
		return fmt.Errorf("icinga: %w", permErr{})
	}
	c.unconf = append(c.unconf, output)
	return nil
}

func (c *confirmingSender) Confirm(context.Context) error {
	c.confirms++
	u := c.unconf
	c.unconf = nil
	if c.down && len(u) > 0 {
		return errors.New("the daemon closed the connection (wrong password?)")
	}
	c.delivered = append(c.delivered, u...)
	return nil
}

// quarQueue is a memQueue that quarantines.
type quarQueue struct {
	memQueue
	quarantined []string
}

func (q *quarQueue) Quarantine(r Result, reason error) error {
	q.quarantined = append(q.quarantined, r.Output+": "+reason.Error())
	return nil
}

func outputs(rs []Result) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Output)
	}
	return strings.Join(s, ",")
}

func results(outs ...string) []Result {
	var rs []Result
	for _, o := range outs {
		rs = append(rs, res(o))
	}
	return rs
}

// A drop is a failed delivery of everything since the last Confirm: the
// spooled results stay queued, the new ones go back, all in order, and
// nothing counts as sent.
func TestDeliverDropRequeuesInOrder(t *testing.T) {
	s := &confirmingSender{down: true}
	q := &memQueue{items: results("old1", "old2")}
	d := &Delivery{Sender: s, Queue: q}
	out, err := d.Deliver(context.Background(), results("new1", "new2")...)
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if !errors.Is(out.Err, ErrNotConfirmed) || !strings.Contains(out.Err.Error(), "wrong password") {
		t.Errorf("Outcome.Err = %v, want ErrNotConfirmed naming the cause", out.Err)
	}
	if out.Sent != 0 || out.Drained != 0 || out.Spooled != 2 {
		t.Errorf("outcome %+v, want nothing sent or drained, 2 spooled", out)
	}
	if got := outputs(q.items); got != "old1,old2,new1,new2" {
		t.Errorf("queue %s, want old1,old2,new1,new2", got)
	}
	if len(s.delivered) != 0 {
		t.Errorf("peer kept %v", s.delivered)
	}

	// The peer is fixed: the next delivery sends everything once, in order.
	s.down = false
	out, err = d.Deliver(context.Background(), results("new3")...)
	if err != nil || out.Err != nil {
		t.Fatalf("Deliver: %+v, %v", out, err)
	}
	if out.Drained != 4 || out.Sent != 1 || len(q.items) != 0 {
		t.Errorf("outcome %+v, queue %v; want 4 drained, 1 sent, queue empty", out, outputs(q.items))
	}
	if got := strings.Join(s.delivered, ","); got != "old1,old2,new1,new2,new3" {
		t.Errorf("peer kept %s", got)
	}
}

// New results alone: a drop puts all of them in the queue; a send failure
// after some were sent confirms those first, and requeues them only if
// the confirm fails.
func TestDeliverConfirm(t *testing.T) {
	tests := []struct {
		name      string
		down      bool
		failAt    int
		in        []string
		want      Outcome
		wantQueue string
		wantPeer  string
		confirms  int
	}{
		{name: "confirmed once per delivery", in: []string{"a", "b", "c"}, want: Outcome{Sent: 3}, wantPeer: "a,b,c", confirms: 1},
		{name: "drop", down: true, in: []string{"a", "b"}, want: Outcome{Spooled: 2, Requeued: 2}, wantQueue: "a,b", confirms: 1},
		{name: "send fails after some were sent", failAt: 3, in: []string{"a", "b", "c", "d"},
			want: Outcome{Sent: 2, Spooled: 2}, wantQueue: "c,d", wantPeer: "a,b", confirms: 1},
		{name: "send fails after a drop", down: true, failAt: 2, in: []string{"a", "b", "c"},
			want: Outcome{Spooled: 3, Requeued: 1}, wantQueue: "a,b,c", confirms: 1},
		{name: "nothing sent, nothing to confirm", failAt: 1, in: []string{"a"}, want: Outcome{Spooled: 1}, wantQueue: "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &confirmingSender{down: tt.down, failAt: tt.failAt}
			q := &memQueue{}
			d := &Delivery{Sender: s, Queue: q}
			out, err := d.Deliver(context.Background(), results(tt.in...)...)
			if err != nil {
				t.Fatal(err)
			}
			if (out.Err != nil) != (tt.wantQueue != "") {
				t.Errorf("Outcome.Err = %v", out.Err)
			}
			out.Err = nil
			if out != tt.want {
				t.Errorf("outcome %+v, want %+v", out, tt.want)
			}
			if got := outputs(q.items); got != tt.wantQueue {
				t.Errorf("queue %q, want %q", got, tt.wantQueue)
			}
			if got := strings.Join(s.delivered, ","); got != tt.wantPeer {
				t.Errorf("peer kept %q, want %q", got, tt.wantPeer)
			}
			if s.confirms != tt.confirms {
				t.Errorf("%d confirms, want %d", s.confirms, tt.confirms)
			}
		})
	}
}

// Without a queue a drop is a loss, reported as an error.
func TestDeliverDropWithoutQueue(t *testing.T) {
	d := &Delivery{Sender: &confirmingSender{down: true}}
	_, err := d.Deliver(context.Background(), results("hb")...)
	if err == nil || !errors.Is(err, ErrNotConfirmed) {
		t.Fatalf("err = %v, want a loss wrapping ErrNotConfirmed", err)
	}
}

// A result refused for good is quarantined and never blocks the others.
func TestDeliverQuarantinesPermanent(t *testing.T) {
	s := &confirmingSender{permanent: map[string]bool{"b": true}}
	q := &quarQueue{}
	d := &Delivery{Sender: s, Queue: q}
	out, err := d.Deliver(context.Background(), results("a", "b", "c")...)
	if err != nil || out.Err != nil {
		t.Fatalf("Deliver: %+v, %v", out, err)
	}
	if out.Sent != 2 || out.Quarantined != 1 || len(q.items) != 0 {
		t.Errorf("outcome %+v, queue %v", out, outputs(q.items))
	}
	if len(q.quarantined) != 1 || !strings.HasPrefix(q.quarantined[0], "b: icinga: no such object") {
		t.Errorf("quarantined %q", q.quarantined)
	}
	// Without a Quarantiner a permanent error stops delivery like any other.
	mq := &memQueue{}
	d = &Delivery{Sender: &confirmingSender{permanent: map[string]bool{"b": true}}, Queue: mq}
	out, _ = d.Deliver(context.Background(), results("a", "b", "c")...)
	if out.Sent != 1 || outputs(mq.items) != "b,c" {
		t.Errorf("plain queue: outcome %+v, queue %v", out, outputs(mq.items))
	}
}

func TestIsPermanent(t *testing.T) {
	if !IsPermanent(fmt.Errorf("wrapped: %w", permErr{})) || IsPermanent(errors.New("x")) || IsPermanent(nil) {
		t.Error("IsPermanent")
	}
}

// Failover confirms every sender and names the one that dropped.
func TestFailoverConfirm(t *testing.T) {
	good, bad := &confirmingSender{}, &confirmingSender{down: true}
	f := &Failover{Senders: []Sender{good, bad}, Names: []string{"a:5667", "b:5667"}}
	_ = good.SendCheck(context.Background(), "h", "s", 0, "x")
	_ = bad.SendCheck(context.Background(), "h", "s", 0, "y")
	err := f.Confirm(context.Background())
	if err == nil || !strings.Contains(err.Error(), "b:5667") || strings.Contains(err.Error(), "a:5667") {
		t.Errorf("Confirm = %v, want b:5667 named", err)
	}
}

// timedSender is a confirmingSender whose Confirm would wait wait.
type timedSender struct {
	confirmingSender
	wait time.Duration
}

func (t *timedSender) ConfirmWait() time.Duration { return t.wait }

// With less time left before the deadline than a Confirm may wait, nothing
// is sent (it could not be confirmed, and sending it again later would
// page twice): the queue stays, the new results join it unsent.
func TestDeliverNoTimeToConfirm(t *testing.T) {
	s := &timedSender{wait: time.Hour}
	q := &memQueue{items: results("old")}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := &Delivery{Sender: s, Queue: q}
	out, err := d.Deliver(ctx, results("new")...)
	if err != nil || !errors.Is(out.Err, ErrNoTimeToConfirm) {
		t.Fatalf("Deliver: %+v, %v; want ErrNoTimeToConfirm", out, err)
	}
	if s.calls != 0 || outputs(q.items) != "old,new" || out.Spooled != 1 {
		t.Errorf("%d sends, queue %s, outcome %+v", s.calls, outputs(q.items), out)
	}
	// Time enough (or no deadline): delivered.
	s.wait = time.Millisecond
	if out, err := d.Deliver(ctx); err != nil || out.Drained != 2 {
		t.Errorf("Deliver with time: %+v, %v", out, err)
	}
}
