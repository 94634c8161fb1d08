package main

// The three ways OSSEC and Wazuh run the bridge: active response with the
// legacy argv (OSSEC, Wazuh < 4.2), active response with a JSON message on
// stdin (Wazuh >= 4.2), and integratord's custom integration. Each resolves
// or reads the alert, maps it, and delivers it or spools it. Nothing is
// ever written to stdout here except Wazuh's check_keys handshake.
//
// Wazuh's execd runs no other active response while this process runs, so
// the whole process, from start to exit, keeps within [ar] deadline
// whatever the network does: reading stdin, the handshake, resolving and
// sending share it, a little of it is kept to spool the result and start
// the background flusher (bgflush.go), and SIGTERM/SIGINT end the wait at
// once with the result spooled. An AR never drains the spool: when results
// wait there, the new one is queued behind them and the flusher sends them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
)

// processStart is when this process started: when execd forked it, as
// the kernel recorded it (10 ms resolution), else package initialisation.
// The active response's budget counts from it. It is read on first use
// (the kernel's record does not change), so commands that never start an
// invocation do not pay for the two /proc reads.
var processStart = sync.OnceValue(func() time.Time { return forkTime(time.Now()) })

// forkTime returns when the process was forked (/proc/self/stat's
// starttime, in clock ticks since boot, against /proc/uptime), or
// fallback when that cannot be read.
func forkTime(fallback time.Time) time.Time {
	stat, err1 := os.ReadFile("/proc/self/stat")
	up, err2 := os.ReadFile("/proc/uptime")
	if err1 != nil || err2 != nil {
		return fallback
	}
	age, ok := processAge(stat, up)
	if !ok || age > time.Minute {
		return fallback // clock ticks not what we think
	}
	return fallback.Add(-age)
}

// processAge is /proc/uptime less /proc/<pid>/stat's starttime.
func processAge(stat, uptime []byte) (time.Duration, bool) {
	// The command name, in parentheses, may hold spaces and ')': fields
	// count from the last ')'; starttime is field 22, the 20th after it.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	u := strings.Fields(string(uptime))
	if len(f) < 20 || len(u) < 1 {
		return 0, false
	}
	ticks, err1 := strconv.ParseUint(f[19], 10, 64)
	up, err2 := strconv.ParseFloat(u[0], 64)
	if err1 != nil || err2 != nil || ticks > 1<<40 {
		return 0, false
	}
	const userHZ = 100 // sysconf(_SC_CLK_TCK) on Linux
	age := time.Duration(up*float64(time.Second)) - time.Duration(ticks)*(time.Second/userHZ)
	if age < 0 {
		return 0, false
	}
	return age, true
}

// invocation is one run of the alert path.
type invocation struct {
	e      *env
	app    *app
	log    *logrus.Logger
	closer io.Closer
	entry  *logrus.Entry

	// sig ends at SIGTERM/SIGINT. work ends there too, or when the budget
	// less the reserve is spent: reading stdin, the handshake, resolving
	// and sending use it. tail ends with the budget, signal or not: what
	// must still happen (flood state, spooling) uses it.
	sig, work, tail context.Context
	cancel          func()
	start, end      time.Time // when the process started; start + [ar] deadline
}

// startInvocation loads the configuration, opens the log and starts the
// budget. When the INI cannot be loaded the error is logged to
// <OSSEC>/logs/active-responses.log (nobody reads an active response's
// stderr).
func (e *env) startInvocation(ctx context.Context, mode string) (*invocation, error) {
	a, warnings, err := e.loadApp("")
	if err != nil {
		l, c := openLog(filepath.Join(e.ossecRoot(), "logs", "active-responses.log"), logrus.InfoLevel, e.stderr)
		l.WithField("mode", mode).Error(joinErr(err))
		c.Close()
		return nil, err
	}
	l, c := a.logger(e.stderr)
	for _, w := range warnings {
		l.Warn(w)
	}
	inv := &invocation{e: e, app: a, log: l, closer: c, entry: l.WithField("mode", mode), sig: ctx}
	d := a.cfg.AR.Deadline
	start := time.Now()
	if e.startFn != nil {
		start = e.startFn()
	}
	inv.start, inv.end = start, start.Add(d)
	// A process that a loaded machine started late still gets a tenth of
	// the budget to read its message and try to send, and the reserve.
	workEnd := inv.end.Add(-budgetReserve(d))
	if floor := time.Now().Add(d / 10); workEnd.Before(floor) {
		workEnd = floor
		inv.end = workEnd.Add(budgetReserve(d))
	}
	work, cancelWork := context.WithDeadline(ctx, workEnd)
	tail, cancelTail := context.WithDeadline(context.WithoutCancel(ctx), inv.end)
	inv.work, inv.tail = work, tail
	inv.cancel = func() { cancelWork(); cancelTail() }
	return inv, nil
}

// budgetReserve is the part of the budget kept to spool what was not sent
// and start the flusher: a quarter, at most 200 ms.
func budgetReserve(d time.Duration) time.Duration { return min(d/4, 200*time.Millisecond) }

func (inv *invocation) close() {
	inv.cancel()
	inv.closer.Close()
}

// why says why the work context ended: the signal, or the budget.
func (inv *invocation) why() string {
	if inv.sig.Err() != nil {
		if c := context.Cause(inv.sig); c != nil && c != context.Canceled {
			return "interrupted: " + c.Error()
		}
		return "interrupted by a signal"
	}
	return fmt.Sprintf("budget of %s ([ar] deadline) spent", inv.app.cfg.AR.Deadline)
}

// behindSpool is the active response's view of the spool: it never drains
// it (the background flusher does, without making execd wait) and, when
// results wait there, it makes bridge.Delivery queue the new ones behind
// them, so that order per host/service is kept and no active response pays
// a dead server's timeout for results spooled before it.
type behindSpool struct {
	*spool.Spool
	waiting int
}

func (q behindSpool) Drain(context.Context, func(context.Context, bridge.Result) error) (int, error) {
	if q.waiting > 0 {
		return 0, fmt.Errorf("%d result(s) wait in the spool", q.waiting)
	}
	return 0, nil
}

// DrainConfirmed is Drain: without it the embedded spool's DrainConfirmed
// would make behindSpool a bridge.ConfirmQueue that drains the spool.
func (q behindSpool) DrainConfirmed(ctx context.Context, _ int, deliver func(context.Context, bridge.Result) error, _ func(context.Context) error) (int, error) {
	return q.Drain(ctx, deliver)
}

// deliver maps the alert and delivers the result within the budget, or
// spools it (behind what is spooled already) and makes sure the background
// flusher runs. Exit 0 when the result was sent or spooled, 1 when it was
// lost, 2 when the alert could not be mapped.
func (inv *invocation) deliver(a alert.Alert, recovery bool) int {
	log := inv.entry.WithField("alert", a.ID)
	if a.Rule.ID != 0 {
		log = log.WithField("rule", a.Rule.ID)
	}
	if a.Rule.UID != "" {
		log = log.WithField("rule", a.Rule.UID)
	}
	m, err := inv.app.mapping()
	if err != nil {
		log.Error(joinErr(err))
		return exitUsage
	}
	r, err := m.Map(a)
	if err != nil {
		log.Error(joinErr(fmt.Errorf("map alert: %w", err)))
		return exitUsage
	}
	if ok, why := m.Sendable(r); !ok && !recovery {
		// Only news changes state: logged, not an error.
		log.WithFields(logrus.Fields{"host": r.Host, "service": r.Service, "state": r.State.String()}).Info("not sent: " + why)
		return exitOK
	}
	if recovery {
		r.State = bridge.OK
		r.Output = bridge.SanitizeOutput("OK - recovered: active response timeout expired for "+r.Output, m.Output.MaxLength, false)
	}
	results := []bridge.Result{r}
	if !recovery {
		results = inv.app.throttle(inv.tail, log, r, a)
	}

	sender, closeSender, err := inv.app.sender(nil)
	if err != nil {
		log.Error(joinErr(err))
		return exitUsage
	}
	defer closeSender()
	sp, err := inv.app.spool(log)
	if err != nil {
		// Without a spool a failed send is lost: still try to send.
		log.Warn(joinErr(err))
	}
	d := &bridge.Delivery{Sender: sender, DrainPace: drainPace}
	waiting := 0
	if sp != nil {
		if st, err := sp.Stats(); err == nil {
			waiting = st.Depth
		}
		d.Queue = behindSpool{Spool: sp, waiting: waiting}
	}
	// Once the work context ended (budget or signal) nothing is sent:
	// every result is queued.
	out, err := d.Deliver(inv.work, results...)
	fields := logrus.Fields{"host": r.Host, "service": r.Service, "state": r.State.String()}
	if len(results) != 1 || results[0] != r {
		fields["flood_results"] = len(results)
	}
	if waiting > 0 {
		fields["spool_waiting"] = waiting
	}
	flusher := ""
	if sp != nil && (out.Spooled > 0 || waiting > 0 || !flusherNextDue(inv.app).IsZero()) {
		flusher = inv.app.kickFlusher(inv.e)
	}
	fields["elapsed"] = time.Since(inv.start).Round(time.Millisecond).String()
	log = log.WithFields(fields)
	switch {
	case err != nil:
		log.Error("lost: " + joinErr(err))
		return exitFailure
	case out.Spooled > 0 && waiting > 0:
		log.Warnf("spooled %d result(s) behind %d waiting; background flusher %s", out.Spooled, waiting, flusher)
	case out.Spooled > 0:
		why := joinErr(out.Err)
		if inv.work.Err() != nil {
			why = inv.why() + ": " + why
		}
		log.Warnf("spooled %d result(s): %s; background flusher %s", out.Spooled, why, flusher)
	case out.Quarantined > 0:
		log.Warnf("quarantined %d result(s) the server refused for good (see the spool's quarantine)", out.Quarantined)
	case out.Sent == 0:
		log.Info("held by flood control")
	default:
		log.Info("sent")
	}
	return exitOK
}

// runARLegacy: ossec-nagios add|delete USER SRCIP ALERTID RULEID LOCATION...
func runARLegacy(ctx context.Context, e *env, args []string) int {
	inv, err := e.startInvocation(ctx, "ar")
	if err != nil {
		return e.report(err)
	}
	defer inv.close()
	req, err := alert.ParseLegacyArgs(args)
	if err != nil {
		inv.entry.Error(joinErr(fmt.Errorf("arguments: %w", err)))
		return e.report(usageError{err})
	}
	inv.entry = inv.entry.WithField("action", string(req.Action))
	if req.Action == alert.ActionDelete && !inv.app.cfg.AR.Recovery {
		inv.entry.WithField("alert", req.AlertID).Info("delete ignored ([ar] recovery = no)")
		return exitOK
	}
	res := &alert.Resolver{Log: inv.app.cfg.Alerts.Log}
	// Resolving gets two thirds of what is left, sending the rest.
	rdeadline := time.Now()
	if wd, ok := inv.work.Deadline(); ok {
		rdeadline = rdeadline.Add(time.Until(wd) * 2 / 3)
	}
	rctx, cancel := context.WithDeadline(inv.work, rdeadline)
	resolution, rerr := res.Resolve(rctx, req.Query())
	cancel()
	a := resolution.Alert
	if rerr != nil {
		var nr *alert.NotResolvedError
		if !errors.As(rerr, &nr) {
			a = req.Fallback()
		}
		inv.entry.WithField("alert", req.AlertID).Warn("not resolved, sending UNKNOWN: " + joinErr(rerr))
	}
	return inv.deliver(a, req.Action == alert.ActionDelete)
}

// runARJSON: Wazuh >= 4.2 runs the bridge with no arguments and writes one
// JSON line on stdin, which it does not close. Reading it and the
// check_keys handshake are bounded by the budget. The line says which
// Wazuh wrote it: 4.2-4.14 (version, origin, parameters.alert; add, then
// delete) or >= 5.0 (a finding with wazuh.active_response; enable with the
// handshake, then disable in a new process with stdout closed).
func runARJSON(ctx context.Context, e *env) int {
	inv, err := e.startInvocation(ctx, "ar-json")
	if err != nil {
		return e.report(err)
	}
	defer inv.close()
	lines := alert.NewLineReader(e.stdin)
	msg, err := alert.ReadARMessageContext(inv.work, lines)
	if err != nil {
		if inv.work.Err() != nil {
			// Nothing was read: nothing to spool.
			err := fmt.Errorf("no active-response message on stdin: %s", inv.why())
			inv.entry.Error(err.Error())
			return e.report(err)
		}
		inv.entry.Error(joinErr(fmt.Errorf("read active-response message: %w", err)))
		return e.report(usageError{fmt.Errorf("read active-response message on stdin: %w", err)})
	}
	action, err := msg.Action()
	if err != nil {
		inv.entry.Error(joinErr(err))
		return e.report(usageError{err})
	}
	inv.entry = inv.entry.WithField("action", string(action))
	if msg.Dialect == 5 {
		inv.entry = inv.entry.WithFields(logrus.Fields{"wazuh": 5, "command": msg.Command})
	}
	if !msg.HasAlert {
		err := errors.New("message has no parameters.alert")
		inv.entry.Error(err.Error())
		return e.report(usageError{err})
	}
	a := msg.Alert
	if action == alert.ActionDelete && !inv.app.cfg.AR.Recovery {
		inv.entry.WithField("alert", a.ID).Info("delete ignored ([ar] recovery = no)")
		return exitOK
	}
	if action == alert.ActionAdd && inv.app.cfg.AR.CheckKeys {
		program := filepath.Base(msg.Program)
		if program == "" || program == "." || program == "/" {
			program = "ossec-nagios"
		}
		v, err := alert.CheckKeysContext(inv.work, lines, e.stdout, program, alert.Keys(a))
		switch {
		case err != nil:
			// An alert is never dropped for a handshake that failed: at
			// worst Nagios gets it twice.
			msg := joinErr(err)
			if inv.work.Err() != nil {
				msg += " (" + inv.why() + ")"
			}
			inv.entry.WithField("alert", a.ID).Warn("check_keys handshake: " + msg + "; delivering anyway")
		case v == alert.VerdictAbort:
			inv.entry.WithField("alert", a.ID).Info("execd says abort: already active")
			return exitOK
		}
	}
	return inv.deliver(a, action == alert.ActionDelete)
}

// runIntegration: integratord runs <OSSEC>/integrations/custom-NAME with
// ALERTFILE [APIKEY] [HOOKURL] ...; the file is deleted when we exit, so it
// is read at once.
func runIntegration(ctx context.Context, e *env, args []string) int {
	req, perr := alert.ParseIntegrationArgs(args)
	var a alert.Alert
	var rerr error
	if perr == nil {
		a, rerr = alert.ReadIntegrationFile(req.AlertFile)
	}
	inv, err := e.startInvocation(ctx, "integration")
	if err != nil {
		return e.report(err)
	}
	defer inv.close()
	if perr != nil {
		inv.entry.Error(joinErr(fmt.Errorf("arguments: %w", perr)))
		return e.report(usageError{perr})
	}
	if rerr != nil {
		inv.entry.Error(joinErr(fmt.Errorf("read alert file: %w", rerr)))
		return e.report(usageError{rerr})
	}
	return inv.deliver(a, false)
}
