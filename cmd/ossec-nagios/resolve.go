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

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// resolveOptions is what `ossec-nagios resolve` was asked.
type resolveOptions struct {
	config string // -config, "" for none (or the default when -format nsca)
	log    string // -log, "" for the config's or the default
	format string // text | json | nsca
	poll   time.Duration
	id     string
	ruleID int
}

const resolveUsage = `usage: ossec-nagios resolve [-config F] [-log F] [-format text|json|nsca] [-poll DURATION] ALERTID [RULEID]

Prints the alert that an active response for ALERTID (and RULEID) would
resolve to in alerts.log, and how it was found; sends nothing. With -config
(or -format nsca) it also prints the result the alert maps to: host,
service, state and output. -format nsca prints only that result, as one
send_nsca input line: host<TAB>service<TAB>state<TAB>output (a host check
has no service field). Exit 0 when resolved, 1 when not (the "not resolved"
alert, and with a mapping its UNKNOWN result, are still printed).

The alerts.log is -log, else [alerts] log of the -config INI, else
<OSSEC>/logs/alerts/alerts.log.

Examples:
  ossec-nagios resolve 1780297522.5825
  ossec-nagios resolve -format json 1780297522.5825 5501
  ossec-nagios resolve -config /var/ossec/etc/ossec-nagios.ini 1780297522.5825
  ossec-nagios resolve -format nsca 1780297522.5825 | ossec-nagios send -H nagios1 -ds 0x0a -c replay.cfg

send takes its password and method from a send_nsca.cfg (-c, default
/etc/send_nsca.cfg), not from the INI: replay.cfg holds the INI's [nsca]
password and encryption as password=... and encryption_method=N.

Flags:
`

func parseResolveArgs(e *env, args []string) (resolveOptions, error) {
	var o resolveOptions
	fs := flag.NewFlagSet("resolve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&o.config, "config", "", "mapping INI: its [alerts] log, and the mapping for the result (-format nsca: default $OSSEC_NAGIOS_CONFIG or <OSSEC>/etc/ossec-nagios.ini)")
	fs.StringVar(&o.log, "log", "", "alerts.log to search (default: [alerts] log of -config, else <OSSEC>/logs/alerts/alerts.log)")
	fs.StringVar(&o.format, "format", "text", "output format: text, json, or nsca (one send_nsca input line)")
	fs.DurationVar(&o.poll, "poll", alert.DefaultPoll, "how long to wait for an alert not written yet (0: do not wait)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, resolveUsage)
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
	case "text", "json", "nsca":
	default:
		return o, usagef("resolve: -format %q: want text, json or nsca", o.format)
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

// runResolve prints the alert an id resolves to (and, given a mapping, the
// result it maps to). Exit 0 when resolved, 1 when not (the "not resolved"
// alert is still printed), 2 on bad usage or a bad config.
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
	var m *bridge.Mapping
	logPath := e.alertsLogPath(o.log)
	if o.config != "" || o.format == "nsca" {
		a, warnings, err := e.loadApp(o.config)
		if err != nil {
			return e.report(err)
		}
		for _, w := range warnings {
			fmt.Fprintf(e.stderr, "ossec-nagios: warning: %s\n", w)
		}
		if m, err = a.mapping(); err != nil {
			return e.report(err)
		}
		if o.log == "" {
			logPath = a.cfg.Alerts.Log
		}
	}
	q := alert.Query{ID: o.id, RuleID: o.ruleID}
	r := &alert.Resolver{Log: logPath, Poll: o.poll}
	res, rerr := r.Resolve(ctx, q)
	var result *bridge.Result
	if m != nil {
		// The alert the active response would map: the resolved one, or
		// what the query knows (mapped to UNKNOWN).
		a := res.Alert
		var nr *alert.NotResolvedError
		if rerr != nil && !errors.As(rerr, &nr) {
			a = q.Fallback()
		}
		mapped, err := m.Map(a)
		switch {
		case err == nil:
			result = &mapped
		case rerr == nil:
			return e.report(usageError{fmt.Errorf("resolve: %w", err)})
		default:
			// What the query knows may not map (no agent for {agent}):
			// the alert's not being found is the error that matters.
			fmt.Fprintf(e.stderr, "ossec-nagios: warning: the alert that was not found does not map either: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		}
	}
	if o.format == "nsca" && result == nil {
		return e.report(rerr)
	}
	if err := writeResolution(e.stdout, o.format, res, result); err != nil {
		return e.report(fmt.Errorf("resolve: write: %w", err))
	}
	return e.report(rerr)
}

// writeResolution prints res (and the result it maps to, when known) as
// text, JSON, or one send_nsca line.
func writeResolution(w io.Writer, format string, res alert.Resolution, result *bridge.Result) error {
	switch format {
	case "json":
		j := toResolutionJSON(res)
		if result != nil {
			j.Result = &resultJSON{Host: result.Host, Service: result.Service, State: int(result.State),
				StateName: result.State.String(), Output: result.Output}
		}
		// No HTML escaping: "->" in a location stays "->", not "-\u003e".
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(j)
	case "nsca":
		if result == nil {
			return errors.New("no result to print")
		}
		_, err := io.WriteString(w, nscaLine(*result))
		return err
	default:
		if err := writeResolutionText(w, res); err != nil {
			return err
		}
		if result != nil {
			return writeResultText(w, *result)
		}
		return nil
	}
}

// nscaLine is r as one send_nsca input line (tab-delimited, LF-ended):
// host, service, state, output; a host check has no service field. The
// mapping already made every field free of tabs and control characters; a
// multiline output's newlines are written as the two characters \n, which
// Nagios reads back as line breaks, so that the result stays one line.
func nscaLine(r bridge.Result) string {
	out := strings.ReplaceAll(r.Output, "\n", `\n`)
	if r.Service == "" {
		return fmt.Sprintf("%s\t%d\t%s\n", r.Host, int(r.State), out)
	}
	return fmt.Sprintf("%s\t%s\t%d\t%s\n", r.Host, r.Service, int(r.State), out)
}

func writeResultText(w io.Writer, r bridge.Result) error {
	var b strings.Builder
	b.WriteString("result (not sent):\n")
	fmt.Fprintf(&b, "  host:    %s\n", printable(r.Host))
	if r.Service != "" {
		fmt.Fprintf(&b, "  service: %s\n", printable(r.Service))
	} else {
		b.WriteString("  service: (host check)\n")
	}
	fmt.Fprintf(&b, "  state:   %d (%s)\n", int(r.State), r.State)
	fmt.Fprintf(&b, "  output:  %s\n", printable(r.Output))
	_, err := io.WriteString(w, b.String())
	return err
}

type resultJSON struct {
	Host      string `json:"host"`
	Service   string `json:"service,omitempty"`
	State     int    `json:"state"`
	StateName string `json:"state_name"`
	Output    string `json:"output"`
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
	Result   *resultJSON       `json:"result,omitempty"`
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
