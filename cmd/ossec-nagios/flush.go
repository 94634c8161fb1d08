package main

// ossec-nagios flush: deliver what is spooled (and the flood summaries of
// closed windows), from cron or by hand.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/health"
)

const flushUsage = `usage: ossec-nagios flush [-config F] [-v]

Delivers the results spooled while Nagios was unreachable, oldest first, and
the flood-control summaries of windows that have closed, then, once the
spool is empty and [heartbeat] interval has passed since the last one, the
bridge's heartbeat result. Run it from cron, e.g. every minute. Results
Icinga 2 refuses for good (no such object) go to the spool's quarantine.
Exit 0 when everything was delivered (or quarantined), 1 when results remain
spooled or the heartbeat could not be delivered.

Examples:
  ossec-nagios flush -v
  ossec-nagios flush -config /etc/ossec-nagios/ossec-nagios.ini
  # /etc/cron.d/ossec-nagios:
  * * * * * root /var/ossec/active-response/bin/ossec-nagios flush

Flags:
`

func runFlush(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("flush", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, flushUsage); fs.PrintDefaults() }
	cfgFlag := fs.String("config", "", "mapping INI (default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)")
	verbose := fs.Bool("v", false, "print how many results were delivered, quarantined and are still spooled")
	sendHeartbeat := fs.Bool("heartbeat", true, "send the [heartbeat] result when due (the background flusher passes false: the heartbeat is cron's flush's)")
	background := fs.Bool("background", false, "internal: run as the detached flusher an active response starts (passes with backoff until the spool is empty)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *background {
		return runBackgroundFlush(ctx, e, *cfgFlag)
	}
	a, warnings, err := e.loadApp(*cfgFlag)
	if err != nil {
		return e.report(err)
	}
	log, closer := a.logger(e.stderr)
	defer closer.Close()
	for _, w := range warnings {
		log.Warn(w)
	}
	entry := log.WithField("mode", "flush")

	sender, closeSender, err := a.sender(nil)
	if err != nil {
		return e.report(err)
	}
	defer closeSender()
	sp, err := a.spool(entry)
	if err != nil {
		return e.report(err)
	}
	ctx, cancel := context.WithTimeout(ctx, flushTimeout(a))
	defer cancel()
	// The flood summaries that are due join the spool (durably, before
	// the flood state forgets them) and go out with it.
	if n, _, err := a.floodDue(ctx, sp); err != nil {
		entry.WithError(err).Warn("flood state")
	} else if n > 0 {
		entry.WithField("summaries", n).Info("flood summaries due")
	}
	d := &bridge.Delivery{Sender: sender, Queue: sp, DrainPace: drainPace}
	before, _ := sp.Stats()
	out, err := d.Deliver(ctx)
	if err != nil {
		entry.Error("lost: " + joinErr(err))
		return e.report(err)
	}
	st, _ := sp.Stats()
	fields := map[string]any{"delivered": out.Drained + out.Sent, "left": st.Depth}
	quarantined := ""
	if n := st.Quarantined - before.Quarantined; n > 0 {
		fields["quarantined"] = n
		quarantined = fmt.Sprintf(", %d quarantined (refused for good: see %s/quarantine)", n, a.cfg.Spool.Dir)
	}
	var hbErr error
	if *sendHeartbeat {
		hbErr = a.heartbeat(ctx, entry, sender, out.Err == nil && st.Depth == 0, st.Depth)
	}
	if out.Err == nil && hbErr != nil {
		if *verbose {
			fmt.Fprintf(e.stdout, "%d result(s) delivered, heartbeat not delivered: %s\n", out.Drained+out.Sent, joinErr(hbErr))
		}
		return exitFailure
	}
	if out.Err != nil {
		entry.WithFields(fields).Warn("spool not empty: " + joinErr(out.Err))
		if *verbose {
			fmt.Fprintf(e.stdout, "%d result(s) delivered%s, %d still spooled: %s\n", out.Drained+out.Sent, quarantined, st.Depth, joinErr(out.Err))
		}
		return exitFailure
	}
	if out.Drained+out.Sent > 0 || quarantined != "" {
		entry.WithFields(fields).Info("flushed")
	}
	if *verbose {
		fmt.Fprintf(e.stdout, "%d result(s) delivered%s, %d still spooled\n", out.Drained+out.Sent, quarantined, st.Depth)
	}
	return exitOK
}

// heartbeat sends the bridge's heartbeat result ([heartbeat]) when the
// interval has passed since the last one flush sent (the stamp
// <spool>/last-heartbeat), through the same transport and confirmation as
// the results, so that whatever stops results (a wrong password, a
// stopped Nagios) stops the heartbeat too and Nagios' freshness check
// goes CRITICAL. It is sent only when the spool is empty (drained): a
// heartbeat says results flow, which a backlog denies, and a stale one
// is worth nothing later, so it is never spooled. A heartbeat that could
// not be delivered is returned as an error (logged).
func (a *app) heartbeat(ctx context.Context, log logrus.FieldLogger, sender bridge.Sender, drained bool, depth int) error {
	hb := a.cfg.Heartbeat
	if hb.Interval <= 0 || hb.Host == "" {
		return nil
	}
	stampPath := filepath.Join(a.cfg.Spool.Dir, health.HeartbeatName)
	last, _ := health.ReadStamp(stampPath)
	now := time.Now()
	// cron's minute is not exact: 90 % of the interval is due.
	if !last.IsZero() && now.Sub(last) < hb.Interval*9/10 && !now.Before(last) {
		return nil
	}
	if !drained {
		log.WithField("left", depth).Warn("heartbeat not sent: the spool is not empty, results are not reaching Nagios")
		return nil
	}
	text := "OSSEC-NAGIOS OK - bridge alive, spool " + strconv.Itoa(depth)
	if t, err := health.ReadStamp(health.StampPath(a.cfg.Spool.Dir)); err == nil && !t.IsZero() {
		text += ", last delivery " + strconv.FormatInt(int64(max(now.Sub(t), 0)/time.Second), 10) + " s ago"
	} else {
		text += ", no delivery recorded"
	}
	r := bridge.Result{Host: hb.Host, Service: hb.Service, State: bridge.OK, Output: bridge.SanitizeOutput(text, a.outputLimit(), false)}
	if _, err := (&bridge.Delivery{Sender: sender}).Deliver(ctx, r); err != nil {
		log.Error("heartbeat not delivered: " + joinErr(err))
		return err
	}
	s := &health.Stamp{Path: stampPath}
	if err := s.Record(); err != nil {
		log.WithError(err).Warn("heartbeat stamp")
	}
	return nil
}
