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

// Confirmer is a Sender that can tell, after the fact, whether the results
// it accepted since its previous Confirm reached the peer: nsca.Client
// waits a moment after the last packet for the daemon to close the
// connection, which it does when it drops a packet. A nil error is the
// evidence that those results arrived; any error means they may not have
// (a drop, a failed connection, or no time left to wait), and Delivery
// then keeps every one of them queued. Confirm with nothing sent since the
// previous one returns nil at once.
type Confirmer interface {
	Confirm(ctx context.Context) error
}

// ConfirmTimer is a Confirmer that can tell how long its next Confirm may
// wait (zero when it would not wait). Delivery sends nothing it could not
// confirm before the context's deadline: such results are queued unsent,
// rather than sent, left unconfirmed and sent again later (a duplicate
// page).
type ConfirmTimer interface {
	ConfirmWait() time.Duration
}

// ErrNoTimeToConfirm is Outcome.Err when results were queued unsent
// because the time left before the context's deadline was shorter than
// the Confirm that would have to follow them.
var ErrNoTimeToConfirm = errors.New("no time left before the deadline to confirm a delivery: queued for the next run")

// ConfirmQueue is a Queue that can keep the results it handed to deliver
// until confirm said they arrived: DrainConfirmed calls confirm after
// every batch of up to batch results (and before it stops on an error),
// removes the batch only when confirm returned nil, and otherwise stops
// with the batch still queued, in order. bridge/spool implements it.
type ConfirmQueue interface {
	DrainConfirmed(ctx context.Context, batch int, deliver func(context.Context, Result) error, confirm func(context.Context) error) (int, error)
}

// Quarantiner is a Queue that can set aside, with the reason, a result the
// peer refused for good (see IsPermanent), so that it never blocks the
// results behind it. The spool's Drain quarantines such results itself.
type Quarantiner interface {
	Quarantine(r Result, reason error) error
}

// ErrNotConfirmed wraps the error of a Confirm that gave no evidence of
// delivery: the results since the previous Confirm were queued again.
var ErrNotConfirmed = errors.New("delivery not confirmed")

// IsPermanent reports whether err says the peer refused this one result
// for good, so that sending it again can never succeed (Icinga 2: no such
// object, a rejected result, a name no object can have): the error, or one
// it wraps, has a method Permanent() bool that returns true. Errors that
// stop every result (network, credentials, a dropped packet) are not
// permanent: the results wait, in order, until the cause is fixed.
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return err != nil && errors.As(err, &p) && p.Permanent()
}

// Outcome says what Deliver did with each result it was given.
type Outcome struct {
	Drained     int   // spooled results delivered before the new ones
	Sent        int   // new results delivered (confirmed, with a Confirmer)
	Spooled     int   // new results written to the queue
	Quarantined int   // new results refused for good and set aside
	Requeued    int   // of Spooled: results sent but not confirmed, queued again
	Err         error // the delivery error that made results go to the queue, if any
}

// DefaultConfirmBatch is Delivery.ConfirmBatch when zero.
const DefaultConfirmBatch = 250

// Delivery sends results through a Sender and keeps what it cannot send in
// a Queue: nothing is lost and, on the normal path, nothing is sent twice.
//
// When the Sender is a Confirmer, a result counts as delivered only after
// a Confirm that followed it returned nil: Deliver confirms after the last
// new result (and before queueing after a failed send), and drains a
// ConfirmQueue in batches of ConfirmBatch, each confirmed before it leaves
// the queue. A failed Confirm is a failed delivery of every result since
// the previous one: they stay in, or go back to, the queue in order, and
// Outcome.Err wraps ErrNotConfirmed.
//
// When a send fails with a permanent error (IsPermanent) and the Queue is
// a Quarantiner, that result is quarantined and delivery goes on.
type Delivery struct {
	Sender Sender
	Queue  Queue // may be nil: then a failed result is an error
	// DrainPace, if positive, is the least time between two spooled
	// results sent. NSCA has no flow control: nsca writes each result to
	// Nagios' command FIFO without blocking and drops it when the FIFO is
	// full, so a backlog sent at full speed is partly lost (measured:
	// 1,000 results in one burst, 878 reached nagios4).
	DrainPace time.Duration
	// ConfirmBatch is the number of spooled results sent between two
	// Confirms while draining (default DefaultConfirmBatch).
	ConfirmBatch int
}

// Deliver first delivers what is queued, oldest first, then the given
// results in order. Once a send fails (or ctx ends) every later result goes
// to the queue, so order per host/service is kept. The returned error is
// non-nil only when a result could be neither sent nor queued.
func (d *Delivery) Deliver(ctx context.Context, results ...Result) (Outcome, error) {
	var out Outcome
	conf, _ := d.Sender.(Confirmer)
	sendable := true
	if d.Queue != nil && !d.timeToConfirm(ctx, conf) {
		sendable = false
		out.Err = ErrNoTimeToConfirm
	} else if d.Queue != nil {
		n, err := d.drain(ctx, conf)
		out.Drained = n
		if err != nil {
			// The queue still holds results: new ones must wait behind them.
			sendable = false
			out.Err = fmt.Errorf("deliver spooled results: %w", err)
		}
	}
	// pending are the new results sent since the last Confirm.
	var pending []Result
	settle := func() error {
		if len(pending) == 0 {
			return nil
		}
		if conf != nil {
			if err := conf.Confirm(ctx); err != nil {
				err = fmt.Errorf("%w: %d result(s) since the last confirmation: %w", ErrNotConfirmed, len(pending), err)
				if d.Queue == nil {
					return fmt.Errorf("%d result(s) not delivered: %w", len(pending), err)
				}
				for i, r := range pending {
					if qerr := d.Queue.Put(r); qerr != nil {
						pending = pending[i:]
						return fmt.Errorf("spool result for %s: %w (delivery failed: %v)", r.Host+"/"+r.Service, qerr, err)
					}
					out.Spooled++
					out.Requeued++
				}
				pending = nil
				sendable = false
				if out.Err == nil {
					out.Err = err
				} else {
					out.Err = fmt.Errorf("%w; %w", out.Err, err)
				}
				return nil
			}
		}
		out.Sent += len(pending)
		pending = nil
		return nil
	}
	for i, r := range results {
		if sendable && d.Queue != nil && !d.timeToConfirm(ctx, conf) {
			sendable = false
			out.Err = ErrNoTimeToConfirm
		}
		if sendable {
			err := d.send(ctx, r)
			if err == nil {
				pending = append(pending, r)
				continue
			}
			if q, ok := d.Queue.(Quarantiner); ok && IsPermanent(err) {
				if qerr := q.Quarantine(r, err); qerr == nil {
					out.Quarantined++
					continue
				}
			}
			sendable = false
			out.Err = err
			if serr := settle(); serr != nil {
				return out, serr
			}
		}
		if d.Queue == nil {
			return out, fmt.Errorf("%d result(s) not delivered: %w", len(results)-i, out.Err)
		}
		if err := d.Queue.Put(r); err != nil {
			return out, fmt.Errorf("spool result for %s: %w (delivery failed: %v)", r.Host+"/"+r.Service, err, out.Err)
		}
		out.Spooled++
	}
	if err := settle(); err != nil {
		return out, err
	}
	return out, nil
}

// timeToConfirm reports whether a Confirm after a send would still fit
// before ctx's deadline.
func (d *Delivery) timeToConfirm(ctx context.Context, conf Confirmer) bool {
	ct, ok := conf.(ConfirmTimer)
	if !ok {
		return true
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return true
	}
	w := ct.ConfirmWait()
	return w <= 0 || time.Until(deadline) > w
}

// drain delivers the queue; with a Confirmer, each result leaves the queue
// only after a Confirm that followed it.
func (d *Delivery) drain(ctx context.Context, conf Confirmer) (int, error) {
	paced := d.paced()
	if conf == nil {
		return d.Queue.Drain(ctx, paced)
	}
	send := func(ctx context.Context, r Result) error {
		if !d.timeToConfirm(ctx, conf) {
			return ErrNoTimeToConfirm // the results sent so far are confirmed first
		}
		return paced(ctx, r)
	}
	confirm := func(ctx context.Context) error {
		if err := conf.Confirm(ctx); err != nil {
			return fmt.Errorf("%w: %w", ErrNotConfirmed, err)
		}
		return nil
	}
	if cq, ok := d.Queue.(ConfirmQueue); ok {
		batch := d.ConfirmBatch
		if batch <= 0 {
			batch = DefaultConfirmBatch
		}
		return cq.DrainConfirmed(ctx, batch, send, confirm)
	}
	// A plain Queue removes what deliver accepted: confirm each result.
	return d.Queue.Drain(ctx, func(ctx context.Context, r Result) error {
		if err := send(ctx, r); err != nil {
			return err
		}
		return confirm(ctx)
	})
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

// Confirm implements Confirmer: it confirms every sender that is a
// Confirmer (those that sent nothing since their last Confirm answer at
// once), and fails if any of them failed.
func (f *Failover) Confirm(ctx context.Context) error {
	var errs []error
	for i, s := range f.Senders {
		c, ok := s.(Confirmer)
		if !ok {
			continue
		}
		if err := c.Confirm(ctx); err != nil {
			if i < len(f.Names) && f.Names[i] != "" {
				err = fmt.Errorf("%s: %w", f.Names[i], err)
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ConfirmWait implements ConfirmTimer: the longest wait of its senders.
func (f *Failover) ConfirmWait() time.Duration {
	var w time.Duration
	for _, s := range f.Senders {
		if ct, ok := s.(ConfirmTimer); ok {
			w = max(w, ct.ConfirmWait())
		}
	}
	return w
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
