package main

// The three ways OSSEC and Wazuh run the bridge: active response with the
// legacy argv (OSSEC, Wazuh < 4.2), active response with a JSON message on
// stdin (Wazuh >= 4.2), and integratord's custom integration. Each resolves
// or reads the alert, maps it, and delivers it or spools it. Nothing is
// ever written to stdout here except Wazuh's check_keys handshake.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// invocation is one run of the alert path.
type invocation struct {
	e      *env
	app    *app
	log    *logrus.Logger
	closer io.Closer
	entry  *logrus.Entry
}

// startInvocation loads the configuration and opens the log. When the INI
// cannot be loaded the error is logged to <OSSEC>/logs/active-responses.log
// (nobody reads an active response's stderr).
func (e *env) startInvocation(mode string) (*invocation, error) {
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
	return &invocation{e: e, app: a, log: l, closer: c, entry: l.WithField("mode", mode)}, nil
}

func (inv *invocation) close() { inv.closer.Close() }

// deliver maps the alert and delivers the result (after what is spooled).
// Exit 0 when the result was sent or spooled, 1 when it was lost, 2 when
// the alert could not be mapped.
func (inv *invocation) deliver(ctx context.Context, a alert.Alert, recovery bool) int {
	log := inv.entry.WithField("alert", a.ID)
	if a.Rule.ID != 0 {
		log = log.WithField("rule", a.Rule.ID)
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
		results = inv.app.throttle(ctx, log, r, a)
	}

	ctx, cancel := context.WithTimeout(ctx, inv.app.cfg.AR.Deadline)
	defer cancel()
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
	if sp != nil {
		d.Queue = sp
	}
	out, err := d.Deliver(ctx, results...)
	fields := logrus.Fields{"host": r.Host, "service": r.Service, "state": r.State.String()}
	if out.Drained > 0 {
		fields["spool_delivered"] = out.Drained
	}
	if len(results) != 1 || results[0] != r {
		fields["flood_results"] = len(results)
	}
	switch {
	case err != nil:
		log.WithFields(fields).Error("lost: " + joinErr(err))
		return exitFailure
	case out.Spooled > 0:
		log.WithFields(fields).Warnf("spooled %d result(s): %s", out.Spooled, joinErr(out.Err))
	case out.Sent == 0:
		log.WithFields(fields).Info("held by flood control")
	default:
		log.WithFields(fields).Info("sent")
	}
	return exitOK
}

// runARLegacy: ossec-nagios add|delete USER SRCIP ALERTID RULEID LOCATION...
func runARLegacy(ctx context.Context, e *env, args []string) int {
	inv, err := e.startInvocation("ar")
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
	rctx, cancel := context.WithTimeout(ctx, inv.app.cfg.AR.Deadline)
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
	return inv.deliver(ctx, a, req.Action == alert.ActionDelete)
}

// runARJSON: Wazuh >= 4.2 runs the bridge with no arguments and writes one
// JSON line on stdin, which it does not close.
func runARJSON(ctx context.Context, e *env) int {
	inv, err := e.startInvocation("ar-json")
	if err != nil {
		return e.report(err)
	}
	defer inv.close()
	in := bufio.NewReader(e.stdin)
	msg, err := alert.ReadARMessage(in)
	if err != nil {
		inv.entry.Error(joinErr(fmt.Errorf("read active-response message: %w", err)))
		return e.report(usageError{fmt.Errorf("read active-response message on stdin: %w", err)})
	}
	action, err := msg.Action()
	if err != nil {
		inv.entry.Error(joinErr(err))
		return e.report(usageError{err})
	}
	inv.entry = inv.entry.WithField("action", string(action))
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
		if program == "" || program == "." {
			program = "ossec-nagios"
		}
		v, err := alert.CheckKeys(in, e.stdout, program, alert.Keys(a))
		if err != nil {
			inv.entry.WithField("alert", a.ID).Error(joinErr(fmt.Errorf("check_keys handshake: %w", err)))
			return exitFailure
		}
		if v == alert.VerdictAbort {
			inv.entry.WithField("alert", a.ID).Info("execd says abort: already active")
			return exitOK
		}
	}
	return inv.deliver(ctx, a, action == alert.ActionDelete)
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
	inv, err := e.startInvocation("integration")
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
	return inv.deliver(ctx, a, false)
}
