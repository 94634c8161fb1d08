package bridge

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// Errors of Map and Mapping.Validate.
var (
	// ErrNoService: no service rule matches the alert (the mapping has no
	// catch-all).
	ErrNoService = errors.New("no service matches")
	// ErrBadMapping: the Mapping itself is invalid (Validate).
	ErrBadMapping = errors.New("invalid mapping")
)

// DefaultHostTemplate is the host of an agent no HostRule names.
const DefaultHostTemplate = "{agent}"

// Mapping turns alerts into Results. It is plain data: cmd/ossec-nagios
// fills it from the mapping INI. The zero value maps every alert to its
// agent's host, OK state, and fails for want of a service.
type Mapping struct {
	// Warning and Critical are rule levels: level >= Critical is
	// CRITICAL, >= Warning WARNING, below it OK.
	Warning, Critical int
	// WarningSeverity and CriticalSeverity are the same thresholds for
	// Wazuh 5 level keywords (alert.Severities). Empty: the keyword whose
	// band (alert.SeverityBand) holds Warning, Critical. A Wazuh 5 alert
	// with no level, or a keyword the bridge does not know, is WARNING.
	WarningSeverity, CriticalSeverity string
	Hosts                             HostMap
	// Services in order: the first that matches wins.
	Services []ServiceRule
	Output   OutputOptions
}

// HostMap chooses the host of an alert: the first HostRule matching the
// agent name, else Default. Hosts are literals or templates with the
// placeholders {agent} (the agent name; for manager-local events the host
// before "->"), {agent_ip}, {agent_id} and {location_host} (the host part
// of the alert's location: the agent of "(agent) ip->...", else the host
// before "->", else the agent name).
type HostMap struct {
	Default string // "" means DefaultHostTemplate
	// Fallback, if set, receives the alerts whose host template gives a
	// name that ValidateHost refuses (an empty agent name, one NSCA would
	// cut, a ';'): the output says which name was refused. Empty: such an
	// alert is an error, since a repaired name would name no object.
	Fallback string
	// Rules are tried in order: put exact names before globs.
	Rules []HostRule
}

// HostRule maps an agent name, or names matching a path.Match glob, to a
// host.
type HostRule struct {
	Match string
	Glob  bool
	Host  string
}

// Range is an inclusive range of rule ids or levels.
type Range struct{ Min, Max int }

func inRanges(rs []Range, n int) bool {
	for _, r := range rs {
		if n >= r.Min && n <= r.Max {
			return true
		}
	}
	return false
}

// ServiceRule is a service and the alerts it takes. Every criterion given
// must match; within one, any listed value. A rule without criteria
// matches every alert (a catch-all).
type ServiceRule struct {
	Name   string
	Groups []string // any of these rule groups (case-insensitive)
	Rules  []Range  // any of these rule ids
	// RuleUIDs are Wazuh 5 rule ids (UUIDs, compared without regard to
	// case); with Rules, either may match.
	RuleUIDs []string
	Levels   []Range // any of these levels; never matches an unknown level
	// Location is a path.Match glob matched against the alert's log
	// source (the part of the location after "->": "/var/log/secure",
	// "syscheck") and against the whole location; either may match.
	Location string
	// SendOK sends this service's OK results (alerts below the warning
	// level); see Mapping.Sendable.
	SendOK bool
}

// OutputOptions shape the plugin output.
type OutputOptions struct {
	// LongOutput puts each log line on its own line (real newlines; needs
	// nsca >= 2.10.1 or the Icinga 2 API). Off, the log lines follow the
	// first line on the same line, separated by LogSeparator.
	LongOutput bool
	// Template, if set, replaces the first line of a resolved alert;
	// placeholders are listed in TemplateFields, plus {field.NAME} for a
	// decoded field of the alert.
	Template string
	// OmitLog leaves the log lines out.
	OmitLog bool
	// MaxLength bounds the output in bytes; 0 means MaxOutputLen.
	MaxLength int
}

// LogSeparator joins the first line and the log lines in flattened output.
const LogSeparator = " :: "

// maxFieldLen bounds one alert field inserted in the first line, so that a
// huge field cannot push the rest out of the output.
const maxFieldLen = 256

// HostFields are the placeholders of a host template.
var HostFields = []string{"agent", "agent_ip", "agent_id", "location_host"}

// TemplateFields are the placeholders of an output template, besides
// {field.NAME}.
var TemplateFields = []string{
	"id", "rule_id", "level", "description", "groups", "state",
	"host", "service", "agent", "agent_id", "agent_ip", "location",
	"srcip", "srcport", "dstip", "dstport", "user", "time",
}

// Validate checks what Map relies on: thresholds, names, globs and
// templates. Map itself never panics on an invalid Mapping.
func (m *Mapping) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadMapping, fmt.Sprintf(format, a...))
	}
	if m.Warning < 0 || m.Critical > 16 || m.Warning > m.Critical {
		return bad("levels warning %d, critical %d: want 0 <= warning <= critical <= 16", m.Warning, m.Critical)
	}
	for _, k := range []string{m.WarningSeverity, m.CriticalSeverity} {
		if k != "" && alert.SeverityRank(k) == 0 {
			return bad("Wazuh 5 level %q: want one of %s", k, strings.Join(alert.Severities, ", "))
		}
	}
	if w, c := m.severityThresholds(); w > c {
		return bad("Wazuh 5 levels warning %s above critical %s", alert.Severities[w-1], alert.Severities[c-1])
	}
	for _, h := range append([]string{m.hostDefault()}, ruleHosts(m.Hosts.Rules)...) {
		if err := checkTemplate(h, HostFields, false); err != nil {
			return bad("host %q: %v", h, err)
		}
		if !strings.Contains(h, "{") {
			if err := ValidateHost(h); err != nil {
				return bad("%v", err)
			}
		}
	}
	if m.Hosts.Fallback != "" {
		if err := ValidateHost(m.Hosts.Fallback); err != nil {
			return bad("fallback: %v", err)
		}
	}
	for _, r := range m.Hosts.Rules {
		if r.Glob {
			if _, err := path.Match(r.Match, ""); err != nil {
				return bad("host glob %q: %v", r.Match, err)
			}
		}
	}
	for _, s := range m.Services {
		if err := ValidateService(s.Name); err != nil {
			return bad("%v", err)
		}
		if s.Location != "" {
			if _, err := path.Match(s.Location, ""); err != nil {
				return bad("service %q: location glob %q: %v", s.Name, s.Location, err)
			}
		}
	}
	if err := checkTemplate(m.Output.Template, TemplateFields, true); err != nil {
		return bad("output template: %v", err)
	}
	if m.Output.MaxLength < 0 {
		return bad("output max length %d", m.Output.MaxLength)
	}
	return nil
}

func ruleHosts(rs []HostRule) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Host
	}
	return out
}

func (m *Mapping) hostDefault() string {
	if m.Hosts.Default == "" {
		return DefaultHostTemplate
	}
	return m.Hosts.Default
}

// Map turns an alert into a Result, sanitised and ready for a transport.
// An alert that was not resolved (only the active response's arguments
// are known) is UNKNOWN, with an output saying so. Errors: ErrNoService
// when no service matches, ErrBadName when the host template gives a name
// that cannot be delivered and there is no Fallback.
func (m *Mapping) Map(a alert.Alert) (Result, error) {
	host, note, err := m.host(a)
	if err != nil {
		return Result{}, fmt.Errorf("map alert %s: %w", quoteShort(sanitizeID(a.ID)), err)
	}
	svc, ok := m.service(a)
	if !ok {
		rule := strconv.Itoa(a.Rule.ID)
		if a.Rule.UID != "" {
			rule = sanitizeID(a.Rule.UID)
		}
		return Result{}, fmt.Errorf("map alert %s: rule %s: %w (add a catch-all [service])", quoteShort(sanitizeID(a.ID)), rule, ErrNoService)
	}
	state := m.State(a)
	return Result{
		Host:    host,
		Service: svc,
		State:   state,
		Output:  m.output(a, state, host, svc, note),
		AlertID: sanitizeID(a.ID),
	}, nil
}

// State is the state of an alert: UNKNOWN when not resolved, else by its
// level.
func (m *Mapping) State(a alert.Alert) State {
	switch {
	case !a.Resolved:
		return Unknown
	case a.Source == alert.SourceARWazuh5:
		return m.stateWazuh5(a)
	case a.Rule.Level >= m.Critical:
		return Critical
	case a.Rule.Level >= m.Warning:
		return Warning
	}
	return OK
}

// stateWazuh5 is the state of a Wazuh 5 alert, by its level keyword.
func (m *Mapping) stateWazuh5(a alert.Alert) State {
	r := alert.SeverityRank(a.Rule.Severity)
	if r == 0 {
		// A Sigma rule matched, but says not how bad it is.
		return Warning
	}
	w, c := m.severityThresholds()
	switch {
	case r >= c:
		return Critical
	case r >= w:
		return Warning
	}
	return OK
}

// severityThresholds are the ranks of the Wazuh 5 thresholds.
func (m *Mapping) severityThresholds() (warning, critical int) {
	warning = alert.SeverityRank(m.WarningSeverity)
	if warning == 0 {
		warning = alert.SeverityRank(alert.SeverityForLevel(m.Warning))
	}
	critical = alert.SeverityRank(m.CriticalSeverity)
	if critical == 0 {
		critical = alert.SeverityRank(alert.SeverityForLevel(m.Critical))
	}
	return warning, critical
}

// HostFor returns the host of an agent's alerts, as Map would choose it
// for an alert from that agent: the first HostRule matching its name, else
// Default, with {location_host} taken as the agent name; the Fallback when
// the name cannot be delivered. The generator uses it to pair every known
// agent with its Nagios host.
func (m *Mapping) HostFor(agent alert.Agent) (string, error) {
	h, _, err := m.host(alert.Alert{Agent: agent})
	if err != nil {
		return "", fmt.Errorf("agent %s: %w", quoteShort(agent.Name), err)
	}
	return h, nil
}

// host returns the alert's host and, when the Fallback was used, a note
// for the output.
func (m *Mapping) host(a alert.Alert) (string, string, error) {
	tmpl := m.hostDefault()
	if name := a.Agent.Name; name != "" {
		for _, r := range m.Hosts.Rules {
			if r.Glob {
				if ok, _ := path.Match(r.Match, name); ok {
					tmpl = r.Host
					break
				}
			} else if r.Match == name {
				tmpl = r.Host
				break
			}
		}
	}
	h := expand(tmpl, func(f string) string { return hostField(a, f) })
	err := ValidateHost(h)
	if err == nil {
		return h, "", nil
	}
	if m.Hosts.Fallback == "" {
		return "", "", fmt.Errorf("host template %q: %w", tmpl, err)
	}
	if err := ValidateHost(m.Hosts.Fallback); err != nil {
		return "", "", fmt.Errorf("fallback: %w", err)
	}
	return m.Hosts.Fallback, fmt.Sprintf("[host %s refused: %s]", quoteShort(h), strings.TrimPrefix(err.Error(), ErrBadName.Error()+": ")), nil
}

func hostField(a alert.Alert, f string) string {
	switch f {
	case "agent":
		return a.Agent.Name
	case "agent_ip":
		return a.Agent.IP
	case "agent_id":
		return a.Agent.ID
	case "location_host":
		w := alert.ParseLocation(a.Location)
		switch {
		case w.Agent != "":
			return w.Agent
		case w.Host != "":
			return w.Host
		}
		return a.Agent.Name
	}
	return ""
}

// service returns the name of the first service rule matching a.
func (m *Mapping) service(a alert.Alert) (string, bool) {
	for _, s := range m.Services {
		if s.matches(a) {
			return s.Name, true
		}
	}
	return "", false
}

// Reasons Sendable gives for a result it holds back.
const (
	ReasonNotNews = "below the warning level: an OK result would clear the service's problem (send_ok = no)"
)

// Sendable is the state decision: whether r, a Result of Map, goes to
// Nagios, and if not why. Only news changes state: an OK result (an alert
// below the warning level) is not sent, since it would clear a problem
// another alert raised on the same service — a level-3 "authentication
// success" after a level-10 brute force would set the service back to OK
// and hide the attack — unless its service has SendOK. WARNING, CRITICAL
// and UNKNOWN results are always sent. The OK that ends a problem comes
// from elsewhere: the generated quiet-period reset in Nagios, or an active
// response's "delete" recovery, which callers send without asking.
func (m *Mapping) Sendable(r Result) (bool, string) {
	if r.State != OK {
		return true, ""
	}
	for _, s := range m.Services {
		if s.Name == r.Service {
			if s.SendOK {
				return true, ""
			}
			break
		}
	}
	return false, ReasonNotNews
}

func (s ServiceRule) matches(a alert.Alert) bool {
	if len(s.Groups) > 0 && !AnyGroup(s.Groups, a.Rule.Groups) {
		return false
	}
	if a.Rule.UID != "" {
		// Wazuh 5: the rule is its UUID, the level its keyword's band.
		if (len(s.Rules) > 0 || len(s.RuleUIDs) > 0) && !slices.ContainsFunc(s.RuleUIDs, func(u string) bool { return strings.EqualFold(u, a.Rule.UID) }) {
			return false
		}
	} else if (len(s.Rules) > 0 || len(s.RuleUIDs) > 0) && !inRanges(s.Rules, a.Rule.ID) {
		return false
	}
	if len(s.Levels) > 0 && (!a.Resolved || a.Rule.Level == 0 && a.Source == alert.SourceARWazuh5 || !inRanges(s.Levels, a.Rule.Level)) {
		return false
	}
	if s.Location != "" {
		src := alert.ParseLocation(a.Location).Source
		ok1, _ := path.Match(s.Location, src)
		ok2, _ := path.Match(s.Location, a.Location)
		if !ok1 && !ok2 {
			return false
		}
	}
	return true
}

// AnyGroup reports whether an alert in the rule groups have is in one of
// the groups want. It is the one rule for rule groups everywhere (service
// rules, follow mode's filter): OSSEC and Wazuh write group names in
// lower case, people write "SSHD", so case does not matter.
func AnyGroup(want, have []string) bool {
	for _, w := range want {
		for _, h := range have {
			if strings.EqualFold(w, h) {
				return true
			}
		}
	}
	return false
}

// output builds the plugin output: the first line, then the log lines.
func (m *Mapping) output(a alert.Alert, state State, host, svc, note string) string {
	max := m.Output.MaxLength
	if max <= 0 || max > MaxOutputLen {
		max = MaxOutputLen
	}
	first := m.firstLine(a, state, host, svc)
	if note != "" {
		first += " " + note
	}
	first = SanitizeLine(first, 0)
	var b strings.Builder
	b.WriteString(first)
	if !m.Output.OmitLog {
		for _, l := range a.FullLog {
			l = SanitizeLine(l, max)
			if l == "" {
				continue
			}
			if b.Len() >= max {
				break
			}
			if m.Output.LongOutput {
				b.WriteByte('\n')
			} else {
				b.WriteString(LogSeparator)
			}
			b.WriteString(l)
		}
	}
	return SanitizeOutput(b.String(), max, m.Output.LongOutput)
}

// firstLine is the line an on-call person acts on.
func (m *Mapping) firstLine(a alert.Alert, state State, host, svc string) string {
	field := func(s string) string { return TruncateUTF8Mark(SanitizeLine(s, 0), maxFieldLen) }
	if !a.Resolved {
		var b strings.Builder
		b.WriteString("OSSEC rule ")
		if a.Rule.ID > 0 {
			b.WriteString(strconv.Itoa(a.Rule.ID))
		} else {
			b.WriteString("unknown")
		}
		fmt.Fprintf(&b, ": alert %s not resolved in the alerts log; only the active-response arguments are known:", field(a.ID))
		if a.Location != "" {
			fmt.Fprintf(&b, " location=%s", field(a.Location))
		}
		fmt.Fprintf(&b, " -> host=%s", field(host))
		writeSrcUser(&b, a, field)
		return b.String()
	}
	if m.Output.Template != "" {
		return expand(m.Output.Template, func(f string) string {
			return field(templateField(a, state, host, svc, f))
		})
	}
	var b strings.Builder
	if a.Source == alert.SourceARWazuh5 {
		sev := a.Rule.Severity
		if sev == "" {
			sev = "unknown"
		}
		uid := a.Rule.UID
		if uid == "" {
			uid = "unknown"
		}
		desc := a.Rule.Description
		if desc == "" {
			desc = "(no rule title)"
		}
		fmt.Fprintf(&b, "Wazuh rule %s (level %s): %s", field(uid), field(sev), field(desc))
		writeSrcUser(&b, a, field)
		return b.String()
	}
	fmt.Fprintf(&b, "OSSEC rule %d (level %d): %s", a.Rule.ID, a.Rule.Level, field(a.Rule.Description))
	writeSrcUser(&b, a, field)
	return b.String()
}

func writeSrcUser(b *strings.Builder, a alert.Alert, field func(string) string) {
	if known(a.SrcIP) {
		fmt.Fprintf(b, " src=%s", field(a.SrcIP))
	}
	// Wazuh's data.srcuser: who acted (sudo, su, ...), beside the user
	// acted upon.
	if su := a.Fields["srcuser"]; known(su) && su != a.User {
		fmt.Fprintf(b, " srcuser=%s", field(su))
	}
	if known(a.User) {
		fmt.Fprintf(b, " user=%s", field(a.User))
	}
}

// known reports whether an OSSEC field holds a value ("(none)" is OSSEC's
// empty).
func known(s string) bool { return s != "" && s != "(none)" && s != "-" }

func templateField(a alert.Alert, state State, host, svc, f string) string {
	if name, ok := strings.CutPrefix(f, "field."); ok {
		return a.Fields[name]
	}
	switch f {
	case "id":
		return a.ID
	case "rule_id":
		if a.Rule.UID != "" {
			return a.Rule.UID
		}
		return strconv.Itoa(a.Rule.ID)
	case "level":
		if a.Rule.Severity != "" {
			return a.Rule.Severity
		}
		return strconv.Itoa(a.Rule.Level)
	case "description":
		return a.Rule.Description
	case "groups":
		return strings.Join(a.Rule.Groups, ",")
	case "state":
		return state.String()
	case "host":
		return host
	case "service":
		return svc
	case "agent":
		return a.Agent.Name
	case "agent_id":
		return a.Agent.ID
	case "agent_ip":
		return a.Agent.IP
	case "location":
		return a.Location
	case "srcip":
		return a.SrcIP
	case "srcport":
		return a.SrcPort
	case "dstip":
		return a.DstIP
	case "dstport":
		return a.DstPort
	case "user":
		return a.User
	case "time":
		if a.Time.IsZero() {
			return ""
		}
		return a.Time.Format("2006-01-02 15:04:05 MST")
	}
	return ""
}
