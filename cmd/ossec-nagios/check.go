package main

// ossec-nagios check: the self-check Nagios plugin. It reads the spool, the
// status file of follow mode and the delivery stamp (bridge/health) and
// prints one plugin line with performance data. Every error of its own,
// flags and configuration included, is UNKNOWN (exit 3), never 1 or 2,
// as the plugin guidelines ask.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge/health"
)

const checkUsage = `usage: ossec-nagios check [-config F] [-w N] [-c N] [-age-w T] [-age-c T]
       [-lag-w SIZE] [-lag-c SIZE] [-stale-w T] [-stale-c T] [-delivery-w T] [-delivery-c T]
       [-quarantine-w N] [-quarantine-c N] [-follow] [-spool DIR] [-status F]

A Nagios plugin that reports the bridge's own health in one line with
performance data: the results waiting in the spool and the age of the
oldest, follow mode's lag (alerts not yet delivered, in bytes) and the age
of its status file, and the time of the last successful delivery.

  OSSEC-NAGIOS OK - spool empty, follow lag 0 B, last delivery 12 s ago | spool=0;10;100;0; ...

A value above a -w threshold is WARNING, above a -c threshold CRITICAL
("-w 10" warns at 11 results). Every threshold takes "off". Times are
seconds or Go durations (90, 5m, 1h), sizes bytes or with K, M, G (binary).
Follow mode's status is judged only when follow mode is configured to run
([follow] enabled = yes in the INI, or -follow: then no status file is
CRITICAL too), or when -status names the file; otherwise follow
mode is "not in use" and a status file left by a 'follow -once' is
ignored (the long text names it). A failed delivery that needs a person (the
NSCA daemon dropped results: wrong password, encryption method or packet
size) is CRITICAL until a later delivery succeeds; results set aside in the
quarantine (refused for good, e.g. Icinga 2 "No objects found") warn, with
the latest reason in the long text. Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN
(also for bad flags, an unreadable configuration and -h).

The spool directory and the follow status file ([follow] state_file plus
".status") come from the mapping INI; with both -spool and -status the INI
is not read. The user running the check must be able to list the spool
directory (e.g. nagios in the group ossec).

Examples:

  ossec-nagios check
  ossec-nagios check -w 50 -c 500 -age-w 10m -age-c 1h
  ossec-nagios check -follow -lag-w 4M -lag-c 64M -delivery-w 3m -delivery-c 15m
  ossec-nagios check -spool /var/ossec/var/ossec-nagios/spool -status /var/ossec/var/ossec-nagios/follow.cursor.status

Nagios command:

  define command {
      command_name  check_ossec_nagios
      command_line  /var/ossec/active-response/bin/ossec-nagios check $ARG1$
  }

Flags:
`

// Exit code of the check when it cannot judge: the plugin UNKNOWN.
const exitUnknown = 3

func runCheck(ctx context.Context, e *env, args []string) int {
	th := health.DefaultThresholds()
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors become the one UNKNOWN line
	cfgFlag := fs.String("config", "", "mapping INI (default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)")
	spoolFlag := fs.String("spool", "", "spool directory (default: [spool] dir of the INI)")
	statusFlag := fs.String("status", "", "follow mode's status file (default: [follow] state_file of the INI + \".status\")")
	fs.Var(limitFlag{&th.Depth.Warn, parseCount}, "w", "spool depth (results) above which the check is WARNING")
	fs.Var(limitFlag{&th.Depth.Crit, parseCount}, "c", "spool depth (results) above which the check is CRITICAL")
	fs.Var(limitFlag{&th.Age.Warn, parseSeconds}, "age-w", "age of the oldest spooled result: WARNING")
	fs.Var(limitFlag{&th.Age.Crit, parseSeconds}, "age-c", "age of the oldest spooled result: CRITICAL")
	fs.Var(limitFlag{&th.Quarantined.Warn, parseCount}, "quarantine-w", "results in the spool's quarantine: WARNING")
	fs.Var(limitFlag{&th.Quarantined.Crit, parseCount}, "quarantine-c", "results in the spool's quarantine: CRITICAL")
	fs.Var(limitFlag{&th.Lag.Warn, parseSize}, "lag-w", "follow mode's lag: WARNING")
	fs.Var(limitFlag{&th.Lag.Crit, parseSize}, "lag-c", "follow mode's lag: CRITICAL")
	fs.Var(limitFlag{&th.Stale.Warn, parseSeconds}, "stale-w", "age of follow mode's status (it is rewritten every 10 s): WARNING")
	fs.Var(limitFlag{&th.Stale.Crit, parseSeconds}, "stale-c", "age of follow mode's status: CRITICAL (follow mode dead)")
	fs.Var(limitFlag{&th.Delivery.Warn, parseSeconds}, "delivery-w", "time since the last successful delivery: WARNING")
	fs.Var(limitFlag{&th.Delivery.Crit, parseSeconds}, "delivery-c", "time since the last successful delivery: CRITICAL")
	fs.BoolVar(&th.RequireFollow, "follow", false, "follow mode must run: no status file is CRITICAL")

	unknown := func(format string, a ...any) int {
		fmt.Fprint(e.stdout, health.Unknown(fmt.Sprintf(format, a...)).String())
		return exitUnknown
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			fmt.Fprint(e.stdout, checkUsage)
			fs.PrintDefaults()
			return exitUnknown
		}
		return unknown("check: %v (ossec-nagios check -h shows the flags)", err)
	}
	if fs.NArg() > 0 {
		return unknown("check: unexpected argument %q (ossec-nagios check -h shows the flags)", fs.Arg(0))
	}
	for _, p := range []struct {
		name string
		p    health.Pair
	}{{"-w/-c", th.Depth}, {"-age-w/-age-c", th.Age}, {"-quarantine-w/-quarantine-c", th.Quarantined},
		{"-lag-w/-lag-c", th.Lag}, {"-stale-w/-stale-c", th.Stale}, {"-delivery-w/-delivery-c", th.Delivery}} {
		if p.p.Warn.On && p.p.Crit.On && p.p.Warn.Max > p.p.Crit.Max {
			return unknown("check: %s: the warning threshold %d is above the critical one %d", p.name, p.p.Warn.Max, p.p.Crit.Max)
		}
	}

	src := health.Sources{SpoolDir: *spoolFlag, StatusFile: *statusFlag}
	if src.SpoolDir == "" || src.StatusFile == "" || *cfgFlag != "" {
		a, _, err := e.loadApp(*cfgFlag)
		if err != nil {
			return unknown("check: %v", err)
		}
		if src.SpoolDir == "" {
			src.SpoolDir = a.cfg.Spool.Dir
		}
		if src.StatusFile == "" {
			// Follow mode's status is judged only where follow mode is
			// meant to run: a `follow -once` by hand in an active-response
			// setup leaves a status file that would go stale.
			src.StatusFile = health.StatusPath(a.cfg.Follow.StateFile)
			switch {
			case a.cfg.Follow.Enabled:
				th.RequireFollow = true // as with -follow
			case !th.RequireFollow:
				src.StatusFile, src.FollowIgnored = "", src.StatusFile
			}
		}
	}
	r := health.Evaluate(health.Gather(src), th)
	fmt.Fprint(e.stdout, r.String())
	return int(r.State)
}

// limitFlag is a threshold flag: a number parsed by parse, or "off".
type limitFlag struct {
	l     *health.Limit
	parse func(string) (int64, error)
}

func (f limitFlag) String() string {
	if f.l == nil {
		return ""
	}
	return f.l.String()
}

func (f limitFlag) Set(s string) error {
	if strings.EqualFold(s, "off") {
		*f.l = health.Limit{}
		return nil
	}
	n, err := f.parse(s)
	if err != nil {
		return err
	}
	*f.l = health.At(n)
	return nil
}

func parseCount(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a number of 0 or more, or off")
	}
	return n, nil
}

// parseSeconds takes seconds ("300") or a Go duration ("5m") and returns
// whole seconds.
func parseSeconds(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d%time.Second != 0 {
		return 0, fmt.Errorf("want whole seconds (300) or a duration (5m, 1h30m), or off")
	}
	return int64(d / time.Second), nil
}

// parseSize takes bytes with an optional binary suffix: 4096, 512K, 1M,
// 1MiB, 2G.
func parseSize(s string) (int64, error) {
	num, mult := s, int64(1)
	u := strings.ToUpper(s)
	for _, suf := range []struct {
		s string
		m int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(u, suf.s) {
			num, mult = s[:len(s)-len(suf.s)], suf.m
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("want a size in bytes (1048576, 512K, 4M, 1G), or off")
	}
	return n * mult, nil
}
