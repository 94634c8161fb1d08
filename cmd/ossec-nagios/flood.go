package main

// Flood control wiring: one flood window per service, one state file with
// one set of options, shared by the active response (throttle), follow
// mode, flush and the background flusher (floodDue).

import (
	"context"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/bridge/flood"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
)

// floodWindow is THE flood window of a service: its flood_window, else
// [flood] window (config resolves that per service); 0 is off. Every mode
// asks here, and a window is stored with its own length in the state file,
// so the same state file means the same thing whoever opens it.
func (a *app) floodWindow(service string) time.Duration {
	for _, s := range a.cfg.Services {
		if s.Name == service {
			return s.Flood
		}
	}
	return a.cfg.Flood.Window
}

// floodEnabled reports whether any service is flood controlled.
func (a *app) floodEnabled() bool {
	if a.cfg.Flood.Window > 0 {
		return true
	}
	for _, s := range a.cfg.Services {
		if s.Flood > 0 {
			return true
		}
	}
	return false
}

// floodState opens the flood state file, with the same options in every
// mode. Every item offered carries its service's window (floodWindow);
// the options' window is only the fallback for one that does not.
func (a *app) floodState() (*flood.StateFile, error) {
	w := a.cfg.Flood.Window
	if w <= 0 {
		w = config.DefaultFloodWindow
	}
	return flood.OpenStateFile(a.cfg.Flood.StateFile, flood.Options{Window: w, MaxOutput: a.outputLimit()})
}

// floodItem is what flood control is offered for an alert's result.
func (a *app) floodItem(r bridge.Result, al alert.Alert) flood.Item {
	return flood.Item{Result: r, Level: al.Rule.Level, Window: a.floodWindow(r.Service), Time: al.Time}
}

// throttle passes r through the flood state file when flood control is on
// for its service, returning what to send now, in order: the summaries of
// windows that closed, then r unless it is held. It fails open.
func (a *app) throttle(ctx context.Context, log logrus.FieldLogger, r bridge.Result, al alert.Alert) []bridge.Result {
	if !a.floodEnabled() {
		return []bridge.Result{r}
	}
	sf, err := a.floodState()
	if err != nil {
		log.WithError(err).Warn("flood control off for this alert")
		return []bridge.Result{r}
	}
	if a.floodWindow(r.Service) <= 0 {
		// Not flood controlled; still emit other services' summaries.
		var out []bridge.Result
		if _, err := sf.Due(ctx, func(rs []bridge.Result) error { out = append(out, rs...); return nil }); err != nil {
			log.WithError(err).Warn("flood state")
		}
		return append(out, r)
	}
	out, err := sf.Offer(ctx, a.floodItem(r, al))
	if err != nil {
		log.WithError(err).Warn("flood state")
	}
	return out
}

// floodDue puts the flood summaries that are due into q — durably, before
// the state file forgets them, so that a crash never loses one — and
// returns how many, and when the next window holding results closes (zero:
// none). flush runs it before draining the spool; the background flusher
// runs it when next comes ("more work due at next"), then drains.
func (a *app) floodDue(ctx context.Context, q bridge.Queue) (n int, next time.Time, err error) {
	if !a.floodEnabled() {
		return 0, time.Time{}, nil
	}
	sf, err := a.floodState()
	if err != nil {
		return 0, time.Time{}, err
	}
	next, err = sf.Due(ctx, func(rs []bridge.Result) error {
		for _, r := range rs {
			if err := q.Put(r); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, next, err
}

// floodNext returns when the next flood window holding results closes
// (zero: none, flood control off, or the state unreadable — flush from
// cron and the next active response still emit what is due).
func (a *app) floodNext(ctx context.Context) time.Time {
	if !a.floodEnabled() {
		return time.Time{}
	}
	sf, err := a.floodState()
	if err != nil {
		return time.Time{}
	}
	// Bounded: an active response asks too, within its budget.
	ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	next, err := sf.Next(ctx)
	if err != nil {
		return time.Time{}
	}
	return next
}
