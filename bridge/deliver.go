package bridge

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Queue keeps results that could not be delivered, durably and in order.
// bridge/spool implements it.
type Queue interface {
	Put(r Result) error
	Drain(ctx context.Context, deliver func(context.Context, Result) error) (int, error)
}

// Outcome says what Deliver did with each result it was given.
type Outcome struct {
	Drained int   // spooled results delivered before the new ones
	Sent    int   // new results delivered
	Spooled int   // new results written to the queue
	Err     error // the delivery error that made results go to the queue, if any
}

// Delivery sends results through a Sender and keeps what it cannot send in
// a Queue: nothing is lost and, on the normal path, nothing is sent twice.
type Delivery struct {
	Sender Sender
	Queue  Queue // may be nil: then a failed result is an error
	// DrainPace, if positive, is the least time between two spooled
	// results sent. NSCA has no flow control: nsca writes each result to
	// Nagios' command FIFO without blocking and drops it when the FIFO is
	// full, so a backlog sent at full speed is partly lost (measured:
	// 1,000 results in one burst, 878 reached nagios4).
	DrainPace time.Duration
}

// Deliver first delivers what is queued, oldest first, then the given
// results in order. Once a send fails (or ctx ends) every later result goes
// to the queue, so order per host/service is kept. The returned error is
// non-nil only when a result could be neither sent nor queued.
func (d *Delivery) Deliver(ctx context.Context, results ...Result) (Outcome, error) {
	var out Outcome
	sendable := true
	if d.Queue != nil {
		n, err := d.Queue.Drain(ctx, d.paced())
		out.Drained = n
		if err != nil {
			// The queue still holds results: new ones must wait behind them.
			sendable = false
			out.Err = fmt.Errorf("deliver spooled results: %w", err)
		}
	}
	for i, r := range results {
		if sendable {
			err := d.send(ctx, r)
			if err == nil {
				out.Sent++
				continue
			}
			sendable = false
			out.Err = err
		}
		if d.Queue == nil {
			return out, fmt.Errorf("%d result(s) not delivered: %w", len(results)-i, out.Err)
		}
		if err := d.Queue.Put(r); err != nil {
			return out, fmt.Errorf("spool result for %s: %w (delivery failed: %v)", r.Host+"/"+r.Service, err, out.Err)
		}
		out.Spooled++
	}
	return out, nil
}

// paced returns send, spaced by DrainPace.
func (d *Delivery) paced() func(context.Context, Result) error {
	if d.DrainPace <= 0 {
		return d.send
	}
	var last time.Time
	return func(ctx context.Context, r Result) error {
		if wait := d.DrainPace - time.Since(last); !last.IsZero() && wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		last = time.Now()
		return d.send(ctx, r)
	}
}

func (d *Delivery) send(ctx context.Context, r Result) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.Sender.SendCheck(ctx, r.Host, r.Service, int(r.State), r.Output)
}

// Failover tries its senders in order for every result, starting from the
// last one that worked, and waits Backoff between full rounds. A result is
// acknowledged only when one sender accepted it.
type Failover struct {
	Senders []Sender
	Names   []string      // for errors, same order as Senders (optional)
	Rounds  int           // full rounds before giving up (default 1)
	Backoff time.Duration // wait between rounds

	current int
}

// SendCheck implements Sender.
func (f *Failover) SendCheck(ctx context.Context, host, service string, state int, output string) error {
	if len(f.Senders) == 0 {
		return errors.New("no server configured")
	}
	rounds := f.Rounds
	if rounds < 1 {
		rounds = 1
	}
	var errs []error
	for round := 0; round < rounds; round++ {
		if round > 0 && f.Backoff > 0 {
			t := time.NewTimer(f.Backoff << (round - 1))
			select {
			case <-ctx.Done():
				t.Stop()
				return errors.Join(append(errs, ctx.Err())...)
			case <-t.C:
			}
		}
		for i := 0; i < len(f.Senders); i++ {
			idx := (f.current + i) % len(f.Senders)
			err := f.Senders[idx].SendCheck(ctx, host, service, state, output)
			if err == nil {
				f.current = idx
				return nil
			}
			if idx < len(f.Names) && f.Names[idx] != "" {
				err = fmt.Errorf("%s: %w", f.Names[idx], err)
			}
			errs = append(errs, err)
			if ctx.Err() != nil {
				return errors.Join(errs...)
			}
		}
	}
	return errors.Join(errs...)
}
