package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// resolveOptions is what `ossec-nagios resolve` was asked.
type resolveOptions struct {
	log    string // -log, "" for the default
	format string // text | json
	poll   time.Duration
	id     string
	ruleID int
}

func parseResolveArgs(e *env, args []string) (resolveOptions, error) {
	var o resolveOptions
	fs := flag.NewFlagSet("resolve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&o.log, "log", "", "alerts.log to search (default <OSSEC>/logs/alerts/alerts.log)")
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	fs.DurationVar(&o.poll, "poll", alert.DefaultPoll, "how long to wait for an alert not written yet (0: do not wait)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: ossec-nagios resolve [-log PATH] [-format text|json] [-poll DURATION] ALERTID [RULEID]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	rest := fs.Args()
	if len(rest) < 1 || len(rest) > 2 {
		return o, usagef("resolve: want ALERTID [RULEID], got %d arguments", len(rest))
	}
	o.id = rest[0]
	if _, err := alert.ParseID(o.id); err != nil {
		return o, usageError{fmt.Errorf("resolve: %w", err)}
	}
	if len(rest) == 2 {
		n, err := strconv.Atoi(rest[1])
		if err != nil || n <= 0 {
			return o, usagef("resolve: rule id %q is not a positive number", rest[1])
		}
		o.ruleID = n
	}
	switch o.format {
	case "text", "json":
	default:
		return o, usagef("resolve: -format %q: want text or json", o.format)
	}
	if o.poll == 0 {
		o.poll = -1 // the Resolver's "do not wait"
	}
	return o, nil
}

// alertsLogPath is the alerts.log to read: -log, else
// <OSSEC>/logs/alerts/alerts.log.
func (e *env) alertsLogPath(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return filepath.Join(e.ossecRoot(), "logs", "alerts", "alerts.log")
}

// runResolve prints the alert an id resolves to. Exit 0 when resolved, 1
// when not (the "not resolved" alert is still printed), 2 on bad usage.
func runResolve(ctx context.Context, e *env, args []string) int {
	o, err := parseResolveArgs(e, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		var u usageError
		if !errors.As(err, &u) {
			err = usageError{err}
		}
		return e.report(err)
	}
	r := &alert.Resolver{Log: e.alertsLogPath(o.log), Poll: o.poll}
	res, rerr := r.Resolve(ctx, alert.Query{ID: o.id, RuleID: o.ruleID})
	if err := writeResolution(e.stdout, o.format, res); err != nil {
		return e.report(fmt.Errorf("resolve: write: %w", err))
	}
	return e.report(rerr)
}

// writeResolution prints res as text or JSON.
func writeResolution(w io.Writer, format string, res alert.Resolution) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(toResolutionJSON(res), "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	default:
		return writeResolutionText(w, res)
	}
}

type resolutionJSON struct {
	Resolved bool              `json:"resolved"`
	Method   string            `json:"method,omitempty"`
	File     string            `json:"file,omitempty"`
	Offset   *int64            `json:"offset,omitempty"`
	ID       string            `json:"id"`
	Time     string            `json:"time,omitempty"`
	Rule     ruleJSON          `json:"rule"`
	Agent    agentJSON         `json:"agent"`
	Location string            `json:"location,omitempty"`
	SrcIP    string            `json:"srcip,omitempty"`
	SrcPort  string            `json:"srcport,omitempty"`
	DstIP    string            `json:"dstip,omitempty"`
	DstPort  string            `json:"dstport,omitempty"`
	User     string            `json:"user,omitempty"`
	FullLog  []string          `json:"full_log,omitempty"`
	Fields   map[string]string `json:"fields,omitempty"`
	Source   string            `json:"source,omitempty"`
	Raw      string            `json:"raw,omitempty"`
}

type ruleJSON struct {
	ID          int      `json:"id"`
	Level       int      `json:"level"`
	Description string   `json:"description,omitempty"`
	Groups      []string `json:"groups,omitempty"`
}

type agentJSON struct {
	ID     string            `json:"id,omitempty"`
	Name   string            `json:"name,omitempty"`
	IP     string            `json:"ip,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
}

func toResolutionJSON(res alert.Resolution) resolutionJSON {
	a := res.Alert
	j := resolutionJSON{
		Resolved: a.Resolved, Method: string(res.Method), File: res.File, ID: a.ID,
		Rule:     ruleJSON{a.Rule.ID, a.Rule.Level, a.Rule.Description, a.Rule.Groups},
		Agent:    agentJSON{a.Agent.ID, a.Agent.Name, a.Agent.IP, a.Agent.Labels},
		Location: a.Location, SrcIP: a.SrcIP, SrcPort: a.SrcPort, DstIP: a.DstIP, DstPort: a.DstPort,
		User: a.User, FullLog: a.FullLog, Fields: a.Fields, Source: string(a.Source), Raw: a.Raw,
	}
	if res.Method != alert.MethodNone {
		off := res.Offset
		j.Offset = &off
	}
	if !a.Time.IsZero() {
		j.Time = a.Time.Format(time.RFC3339)
	}
	return j
}

func writeResolutionText(w io.Writer, res alert.Resolution) error {
	a := res.Alert
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-9s %s\n", k+":", printable(v))
		}
	}
	line("id", a.ID)
	if a.Resolved {
		line("resolved", fmt.Sprintf("yes, by %s, at offset %d of %s", res.Method, res.Offset, res.File))
	} else {
		line("resolved", "no")
	}
	if !a.Time.IsZero() {
		line("time", a.Time.Format("2006-01-02 15:04:05 MST"))
	}
	rule := strconv.Itoa(a.Rule.ID)
	if a.Resolved {
		rule += fmt.Sprintf(" (level %d) '%s'", a.Rule.Level, a.Rule.Description)
	}
	line("rule", rule)
	line("groups", strings.Join(a.Rule.Groups, ","))
	agent := a.Agent.Name
	if a.Agent.ID != "" {
		agent += " id=" + a.Agent.ID
	}
	if a.Agent.IP != "" {
		agent += " ip=" + a.Agent.IP
	}
	line("agent", strings.TrimSpace(agent))
	line("location", a.Location)
	line("srcip", a.SrcIP)
	line("srcport", a.SrcPort)
	line("dstip", a.DstIP)
	line("dstport", a.DstPort)
	line("user", a.User)
	if len(a.FullLog) > 0 {
		b.WriteString("full_log:\n")
		for _, l := range a.FullLog {
			fmt.Fprintf(&b, "  %s\n", printable(l))
		}
	}
	if len(a.Fields) > 0 {
		b.WriteString("fields:\n")
		keys := make([]string, 0, len(a.Fields))
		for k := range a.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s: %s\n", printable(k), printable(a.Fields[k]))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// printable keeps alert text (attacker-controlled) from driving the
// terminal: control characters other than tab are shown escaped.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	q := strconv.QuoteToGraphic(s)
	return q[1 : len(q)-1]
}
