package main

// ossec-nagios flush: deliver what is spooled (and the flood summaries of
// closed windows), from cron or by hand.

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/ossec-nagios/ossec-nagios/bridge"
)

const flushUsage = `usage: ossec-nagios flush [-config F] [-v]

Delivers the results spooled while Nagios was unreachable, oldest first, and
the flood-control summaries of windows that have closed. Run it from cron,
e.g. every minute. Exit 0 when everything was delivered, 1 when results
remain spooled.

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
	verbose := fs.Bool("v", false, "print what was delivered")
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
	out, err := d.Deliver(ctx)
	if err != nil {
		entry.Error("lost: " + joinErr(err))
		return e.report(err)
	}
	st, _ := sp.Stats()
	fields := map[string]any{"delivered": out.Drained + out.Sent, "left": st.Depth}
	if out.Err != nil {
		entry.WithFields(fields).Warn("spool not empty: " + joinErr(out.Err))
		if *verbose {
			fmt.Fprintf(e.stdout, "%d result(s) delivered, %d still spooled: %s\n", out.Drained+out.Sent, st.Depth, joinErr(out.Err))
		}
		return exitFailure
	}
	if out.Drained+out.Sent > 0 {
		entry.WithFields(fields).Info("flushed")
	}
	if *verbose {
		fmt.Fprintf(e.stdout, "%d result(s) delivered, %d still spooled\n", out.Drained+out.Sent, st.Depth)
	}
	return exitOK
}
