package main

// ossec-nagios follow: the long-running mode that tails alerts.json or
// alerts.log from a saved cursor (bridge/follow) instead of being run by
// OSSEC for every alert.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/follow"
	"github.com/ossec-nagios/ossec-nagios/bridge/health"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

const followUsage = `usage: ossec-nagios follow [-config F] [-from-start] [-once]

Tails <OSSEC>/logs/alerts/alerts.json or alerts.log ([follow] format) and
sends every alert that passes the [follow] filters as a passive result,
keeping the NSCA connections open (or through the Icinga 2 API). As in the
active response, an alert below [states] warning is not sent (it would
clear a problem; send_ok = yes sends it) and flood control ([flood]) holds
the rest of a burst for one summary per window. Results
that cannot be sent are spooled and delivered first when the transport is
back. The position is saved durably after every batch in [follow]
state_file (default <OSSEC>/var/ossec-nagios/follow.cursor), so a restart,
even after a crash or a log rotation, goes on where it stopped: nothing is
lost; after a crash at most one batch ([follow] batch_size) is sent again,
after SIGTERM or SIGINT nothing is. Rotated files are finished in order
before the current one: OSSEC's logs/alerts/<YYYY>/<Mon>/ossec-alerts-*,
numbered alerts.json.1, .2, ..., and their .gz. An alerts.json line over
4 MiB is cut and still sent, with a warning in the log.

Next to the cursor, a status file (the cursor's name plus .status, by
default follow.cursor.status) tells 'ossec-nagios check' how follow mode
is doing; it is rewritten at least every 10 s.

Use follow mode INSTEAD of the active response or integration, not both:
every alert would be sent twice.

With no cursor, follow starts at the current end of the file (-from-start:
at its beginning). It logs one line when it starts and stops, and every
error, to [log] file. Exit 0 after SIGTERM/SIGINT (or, with -once, when
everything read was sent or spooled), 1 on a runtime failure, 2 on a bad
configuration.

examples:
  ossec-nagios follow                        # as the systemd unit runs it
  ossec-nagios follow -config /etc/ossec-nagios/ossec-nagios.ini
  ossec-nagios follow -once -from-start      # send what is in the file now, then exit

flags:
`

// followFlags is what `ossec-nagios follow` was asked.
type followFlags struct {
	config    string
	fromStart bool
	once      bool
}

func parseFollowArgs(e *env, args []string) (followFlags, error) {
	var o followFlags
	fs := flag.NewFlagSet("follow", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { fmt.Fprint(e.stderr, followUsage); fs.PrintDefaults() }
	fs.StringVar(&o.config, "config", "", "mapping INI (default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)")
	fs.BoolVar(&o.fromStart, "from-start", false, "with no saved cursor, start at the beginning of the alerts file, not at its end")
	fs.BoolVar(&o.once, "once", false, "read to the current end of the alerts file, deliver, save the cursor and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, usagef("follow: unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

func runFollow(ctx context.Context, e *env, args []string) int {
	fl, err := parseFollowArgs(e, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			return e.report(err)
		}
		return exitUsage // the flag package printed it
	}
	a, warnings, err := e.loadApp(fl.config)
	if err != nil {
		return e.report(err)
	}
	log, closer := a.logger(e.stderr)
	defer closer.Close()
	entry := log.WithField("mode", "follow")
	for _, w := range warnings {
		entry.Warn(w)
	}
	fail := func(err error) int {
		entry.Error(joinErr(err))
		return e.report(err)
	}
	if root, ok := wazuh5Manager(e.ossecRoot(), a.cfg.Alerts.Log, a.cfg.Alerts.JSON); ok {
		return fail(usageError{hintError{fmt.Errorf("follow: %s is a Wazuh 5 manager, which writes no alerts file: its findings exist only in the indexer (wazuh-findings-v5-*), so follow mode has nothing to read", root),
			"run the bridge as a Wazuh 5 active response on a 5.x agent instead (ossec-nagios gen wazuh5 prints the channel and monitor); README, \"Wazuh 5\""}})
	}

	o, closeAll, err := a.followOptions(entry, fl)
	if err != nil {
		return fail(err)
	}
	defer closeAll()

	unlock, err := lockCursor(o.CursorFile)
	if err != nil {
		return fail(err)
	}
	defer unlock()

	fields := logrus.Fields{
		"file": o.Path, "cursor": o.CursorFile, "status": o.StatusFile,
		"transport": a.cfg.Delivery.Transport, "batch": o.BatchSize, "pid": os.Getpid(),
	}
	if o.Flood != nil {
		fields["flood"] = "on"
	}
	if fl.once {
		fields["once"] = "yes"
	}
	entry.WithFields(fields).Info("follow: started")
	if err := follow.Follow(ctx, o); err != nil {
		if errors.Is(err, follow.ErrBadCursor) {
			err = hintError{err, "remove the cursor file to start as on a first run (at the end of the alerts file, or with -from-start at its beginning)"}
		}
		return fail(err)
	}
	return exitOK
}

// followOptions turns the configuration into follow.Options: the file and
// its format, the cursor and status files, filters, mapping, transport,
// spool, flood control and heartbeat. closeAll releases the transport.
func (a *app) followOptions(log logrus.FieldLogger, fl followFlags) (o follow.Options, closeAll func(), err error) {
	c := a.cfg.Follow
	m, err := a.mapping()
	if err != nil {
		return o, nil, err
	}
	o = follow.Options{
		CursorFile: c.StateFile,
		StatusFile: health.StatusPath(c.StateFile),
		FromStart:  fl.fromStart,
		Once:       fl.once,
		Map:        m.Map,
		Sendable:   m.Sendable,
		Filter:     follow.Filter{MinLevel: c.MinLevel, Groups: c.Groups},
		BatchSize:  c.BatchSize,
		DrainPace:  drainPace,
		Heartbeat: follow.Heartbeat{
			Interval: a.cfg.Heartbeat.Interval,
			Host:     a.cfg.Heartbeat.Host,
			Service:  a.cfg.Heartbeat.Service,
		},
		Log: log,
	}
	for _, r := range c.Rules {
		o.Filter.Rules = append(o.Filter.Rules, follow.RuleRange{From: r.Min, To: r.Max})
	}
	o.Path, o.Format = a.followFile(c.Format, c.StateFile)
	if err := safefile.EnsureDir(filepath.Dir(c.StateFile)); err != nil {
		return o, nil, fmt.Errorf("follow: cursor directory: %w", err)
	}
	if a.floodEnabled() {
		sf, err := a.floodState()
		if err != nil {
			return o, nil, usageError{fmt.Errorf("config %s: [flood]: %w", a.file, err)}
		}
		o.Flood = sf
		o.FloodWindow = func(r bridge.Result) (time.Duration, bool) {
			w := a.floodWindow(r.Service)
			return w, w > 0
		}
	}
	sender, closeSender, err := a.sender(nil)
	if err != nil {
		return o, nil, err
	}
	o.Sender = sender
	// Without a spool nothing is lost either: follow retries from the
	// cursor until the transport takes the results.
	if sp, err := a.spool(log); err != nil {
		log.Warn("follow: no spool, undeliverable results are retried from the alerts file: " + joinErr(err))
	} else {
		o.Queue = sp
	}
	return o, closeSender, nil
}

// wazuh5Manager reports a Wazuh 5 manager tree (its daemons are named
// wazuh-manager-*) at the OSSEC root or at the root of an alerts file
// that does not exist: 5.x removed alerts.log and alerts.json.
func wazuh5Manager(root string, alertFiles ...string) (string, bool) {
	roots := []string{root}
	for _, f := range alertFiles {
		if _, err := os.Stat(f); err == nil {
			return "", false // a file to follow: whatever the tree is
		}
		roots = append(roots, filepath.Dir(filepath.Dir(filepath.Dir(f)))) // <root>/logs/alerts/alerts.*
	}
	for _, r := range roots {
		for _, p := range []string{"bin/wazuh-manager-analysisd", "bin/wazuh-manager-control", "logs/standard-wazuh-events-v5"} {
			if _, err := os.Stat(filepath.Join(r, p)); err == nil {
				return r, true
			}
		}
	}
	return "", false
}

// followFile picks the file to follow: [follow] format json or log, or
// for auto the format of the file the cursor points into, else
// alerts.json if it exists, else alerts.log (which OSSEC always writes,
// and Wazuh by default).
func (a *app) followFile(format, cursorFile string) (string, follow.Format) {
	byName := func(p string) (string, follow.Format, bool) {
		p = strings.TrimSuffix(p, ".gz")
		switch {
		case strings.HasSuffix(p, ".json"):
			return a.cfg.Alerts.JSON, follow.FormatJSON, true
		case strings.HasSuffix(p, ".log"):
			return a.cfg.Alerts.Log, follow.FormatLog, true
		}
		return "", 0, false
	}
	switch format {
	case config.FormatJSON:
		return a.cfg.Alerts.JSON, follow.FormatJSON
	case config.FormatLog:
		return a.cfg.Alerts.Log, follow.FormatLog
	}
	// A cursor names the file it was saved in: keep following that kind,
	// or a change of format would start the other file from scratch.
	if cur, ok, err := follow.LoadCursor(cursorFile); err == nil && ok {
		if p, f, ok := byName(cur.Path); ok {
			return p, f
		}
	}
	if _, err := os.Stat(a.cfg.Alerts.JSON); err == nil {
		return a.cfg.Alerts.JSON, follow.FormatJSON
	}
	return a.cfg.Alerts.Log, follow.FormatLog
}

// lockCursor takes an exclusive lock next to the cursor file, so that a
// second follow process on the same cursor (which would send every alert
// twice) refuses to start.
func lockCursor(cursorFile string) (unlock func(), err error) {
	f, ok, err := safefile.TryLock(cursorFile + ".lock")
	if err != nil {
		return nil, fmt.Errorf("follow: %w", err)
	}
	if !ok {
		return nil, hintError{fmt.Errorf("follow: another follow process uses %s", cursorFile), "stop it first (systemctl stop ossec-nagios-follow), or give this one another [follow] state_file"}
	}
	// The pid is informational: the lock is the flock, released by the
	// kernel when the process ends however it ends.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() { f.Close() }, nil
}
