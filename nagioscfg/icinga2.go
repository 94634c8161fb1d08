package nagioscfg

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Icinga2 returns Icinga 2 objects: a passive Service template whose
// `dummy` check is the reset to OK after the quiet period, one apply
// Notification rule routing the alerts by the services' settings, (when
// c.Hosts is not empty) a Host template and the hosts, one apply Service
// rule per service attaching it by host name to hosts that exist (defined
// here or anywhere else), and the heartbeat service. It needs the ITL
// (`include <itl>`), the NotificationCommand c.NotificationCommand (the
// stock conf.d defines mail-service-notification), and the time periods,
// users and user groups named in the settings.
//
// Generated hosts carry no address or address6 (the agent's address is in
// vars.ossec_address), so the stock ping4, ping6 and ssh apply rules of
// conf.d/services.conf, which assign on an address, leave them alone. A
// generated host named like the Icinga node (NodeName, defined by the stock
// conf.d/hosts.conf) is skipped by a condition in the file.
func Icinga2(c Config) ([]byte, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	hosts, svcs := c.sorted()
	var b bytes.Buffer
	w := &icingaWriter{b: &b}
	d := c.Defaults

	b.WriteString(`/*
 * Icinga 2 objects for OSSEC/Wazuh security alerts, written by
 * "ossec-nagios gen icinga2" from the mapping INI. Regenerate instead of
 * editing: a result for a service that Icinga does not define is dropped.
 *
 * The bridge delivers passive results (NSCA into the command pipe, or the
 * REST API); Icinga never runs a real check for these services.
 */

`)
	fmt.Fprintf(&b, "template Service %s {\n", q(c.ServiceTemplate))
	w.note("The ITL dummy command returns vars.dummy_state and vars.dummy_text without",
		"running a process: it is the reset to OK after the quiet period.")
	w.kv("check_command", q("dummy"))
	w.quiet(d.QuietPeriod, true)
	w.kv("enable_passive_checks", "true")
	w.note("Passive results go through soft states too; 1 makes the first alert HARD.")
	w.kv("max_check_attempts", "1")
	w.volatile(d.Volatile, true)
	w.note("A burst of alerts followed by resets looks like flapping; flapping",
		"would suppress the notifications wanted here. Off so that no site-wide",
		"template turns it on.")
	w.kv("enable_flapping", "false")
	w.kv("vars.dummy_state", "0")
	w.kv("vars.dummy_text", q(ResetText))
	w.note("Read by the apply Notification rule below; a Service overrides them.")
	w.routing(d)
	b.WriteString("}\n\n")

	fmt.Fprintf(&b, "/* Notifies the users and groups of each service; no Recovery unless the\n"+
		" * notification options hold r: the automatic reset to OK is not news. */\n")
	fmt.Fprintf(&b, "apply Notification %s to Service {\n", q(c.NotificationName))
	w.kv("command", q(c.NotificationCommand))
	w.kv("users", "service.vars.ossec_users")
	w.kv("user_groups", "service.vars.ossec_user_groups")
	w.kv("period", "service.vars.ossec_notification_period")
	w.kv("interval", "service.vars.ossec_notification_interval")
	w.kv("states", "service.vars.ossec_notification_states")
	w.kv("types", "service.vars.ossec_notification_types")
	w.line(fmt.Sprintf("assign where %s in service.templates && service.vars.ossec_notify", q(c.ServiceTemplate)))
	b.WriteString("}\n\n")

	if skipped := c.skippedHosts(); len(skipped) > 0 {
		fmt.Fprintf(&b, "/* Not defined here, as the Icinga configuration defines them already: %s. */\n\n", strings.Join(skipped, ", "))
	}
	if len(hosts) > 0 {
		b.WriteString("/* Hosts defined here because the Icinga configuration did not define\n" +
			" * them. A passive host that never receives a result stays UP. No address\n" +
			" * attribute: the stock ping4/ping6/ssh apply rules assign on it and would\n" +
			" * run active checks; the agent's address is in vars.ossec_address. */\n")
		fmt.Fprintf(&b, "template Host %s {\n", q(c.HostTemplate))
		w.kv("check_command", q("dummy"))
		w.kv("enable_active_checks", "false")
		w.kv("enable_passive_checks", "true")
		w.kv("max_check_attempts", "1")
		w.kv("vars.dummy_state", "0")
		w.kv("vars.dummy_text", q("Host defined for OSSEC/Wazuh alerts"))
		b.WriteString("}\n\n")
		b.WriteString("/* Each host is skipped on the Icinga node of the same name: the stock\n" +
			" * conf.d/hosts.conf defines object Host NodeName. */\n")
		for _, h := range hosts {
			fmt.Fprintf(&b, "if (NodeName != %s) {\n", q(h.Name))
			fmt.Fprintf(&b, "  object Host %s {\n", q(h.Name))
			iw := &icingaWriter{b: &b, indent: "    "}
			iw.kv("import", q(c.HostTemplate))
			if h.Alias != "" {
				iw.kv("display_name", q(h.Alias))
			}
			if h.Address != "" {
				iw.kv("vars.ossec_address", q(h.Address))
			}
			b.WriteString("  }\n}\n\n")
		}
	}

	if len(svcs) > 0 {
		b.WriteString("/* One rule per service: it attaches the service to the hosts named, wherever\n" +
			" * they are defined. */\n")
	}
	for _, g := range groupServices(svcs) {
		fmt.Fprintf(&b, "apply Service %s {\n", q(g.name))
		w.line("import " + q(c.ServiceTemplate))
		w.overrides(d, g.settings)
		w.line("assign where host.name in " + list(g.hosts))
		b.WriteString("}\n\n")
	}

	if hb := c.Heartbeat; hb.Service != "" {
		hs := c.heartbeatSettings()
		b.WriteString("/* The bridge's heartbeat: ossec-nagios flush (cron) and follow send it OK at\n" +
			" * a fixed interval. Each result moves the next check to now + check_interval;\n" +
			" * when none arrived for " + durationText(hb.Stale) + ", Icinga runs the dummy check (it needs\n" +
			" * active checks on): CRITICAL, naming the usual causes, notifying the users\n" +
			" * and groups above; the recovery (the bridge is back) notifies too. */\n")
		fmt.Fprintf(&b, "apply Service %s {\n", q(hb.Service))
		w.line("import " + q(c.ServiceTemplate))
		w.kv("enable_active_checks", "true")
		w.kv("check_interval", icingaDuration(hb.Stale))
		w.kv("retry_interval", icingaDuration(hb.Stale))
		w.kv("volatile", "false")
		w.kv("vars.dummy_state", "2")
		w.kv("vars.dummy_text", q(HeartbeatText(hb.Stale)))
		w.routing(hs)
		w.line("assign where host.name == " + q(hb.Host))
		b.WriteString("}\n\n")
	}
	return b.Bytes(), nil
}

// serviceGroup is one apply Service rule: a service name with the same
// settings on every host listed.
type serviceGroup struct {
	name     string
	settings Settings
	hosts    []string
}

// groupServices folds sorted services into apply rules: one per name and
// distinct settings, hosts in order.
func groupServices(svcs []Service) []serviceGroup {
	var gs []serviceGroup
	for _, s := range svcs {
		found := false
		for i := range gs {
			if gs[i].name == s.Name && sameSettings(gs[i].settings, s.Settings) {
				gs[i].hosts = append(gs[i].hosts, s.Host)
				found = true
				break
			}
		}
		if !found {
			gs = append(gs, serviceGroup{name: s.Name, settings: s.Settings, hosts: []string{s.Host}})
		}
	}
	slices.SortStableFunc(gs, func(a, b serviceGroup) int { return strings.Compare(a.name, b.name) })
	return gs
}

func sameSettings(a, b Settings) bool {
	ao, _ := parseNotificationOptions(a.NotificationOptions)
	bo, _ := parseNotificationOptions(b.NotificationOptions)
	return slices.Equal(a.ContactGroups, b.ContactGroups) && slices.Equal(a.Contacts, b.Contacts) &&
		a.NotificationPeriod == b.NotificationPeriod && a.NotificationInterval == b.NotificationInterval &&
		ao.nagios() == bo.nagios() && a.QuietPeriod == b.QuietPeriod && a.Volatile == b.Volatile
}

type icingaWriter struct {
	b      *bytes.Buffer
	indent string // "" means two spaces
}

func (w *icingaWriter) line(s string) {
	if w.indent == "" {
		w.b.WriteString("  " + s + "\n")
		return
	}
	w.b.WriteString(w.indent + s + "\n")
}

func (w *icingaWriter) kv(k, v string) {
	if k == "import" {
		w.line("import " + v)
		return
	}
	w.line(k + " = " + v)
}

func (w *icingaWriter) note(lines ...string) {
	for _, l := range lines {
		w.line("/* " + l + " */")
	}
}

func (w *icingaWriter) quiet(d time.Duration, explain bool) {
	if d == 0 {
		if explain {
			w.note("No reset: a problem stays until an OK result or a human clears it.")
		}
		w.kv("enable_active_checks", "false")
		if explain {
			w.kv("check_interval", "1h")
			w.kv("retry_interval", "1h")
		}
		return
	}
	if explain {
		w.note("Must stay true: Icinga runs the freshness reset only with active checks",
			"on. Each result moves the next check to now + check_interval.")
	}
	w.kv("enable_active_checks", "true")
	if explain {
		w.note(fmt.Sprintf("The quiet period: %s without results resets the service to OK.", durationText(d)))
	}
	w.kv("check_interval", icingaDuration(d))
	w.kv("retry_interval", icingaDuration(d))
}

func (w *icingaWriter) volatile(v bool, explain bool) {
	if explain {
		if v {
			w.note("Volatile: every non-OK result notifies again, even in the same state",
				"(the Icinga docs name security checks as the example).")
		} else {
			w.note("Not volatile: only the first problem notifies; then the interval applies.")
		}
	}
	w.kv("volatile", fmt.Sprint(v))
}

// routing writes the vars read by the apply Notification rule.
func (w *icingaWriter) routing(s Settings) {
	w.kv("vars.ossec_users", list(s.Contacts))
	w.kv("vars.ossec_user_groups", list(s.ContactGroups))
	w.kv("vars.ossec_notification_period", q(s.NotificationPeriod))
	w.kv("vars.ossec_notification_interval", icingaDuration(s.NotificationInterval))
	states, types := icingaFilters(s.NotificationOptions)
	w.kv("vars.ossec_notification_states", "[ "+strings.Join(states, ", ")+" ]")
	w.kv("vars.ossec_notification_types", "[ "+strings.Join(types, ", ")+" ]")
	w.kv("vars.ossec_notify", fmt.Sprint(len(states) > 0 && (len(s.Contacts) > 0 || len(s.ContactGroups) > 0)))
}

func (w *icingaWriter) overrides(d, s Settings) {
	if d.QuietPeriod != s.QuietPeriod {
		w.quiet(s.QuietPeriod, false)
	}
	if d.Volatile != s.Volatile {
		w.volatile(s.Volatile, false)
	}
	ds, dt := icingaFilters(d.NotificationOptions)
	ss, st := icingaFilters(s.NotificationOptions)
	if !slices.Equal(d.Contacts, s.Contacts) || !slices.Equal(d.ContactGroups, s.ContactGroups) ||
		d.NotificationPeriod != s.NotificationPeriod || d.NotificationInterval != s.NotificationInterval ||
		!slices.Equal(ds, ss) || !slices.Equal(dt, st) {
		w.routing(s)
	}
}

// icingaFilters maps Nagios notification letters to Icinga 2 state and
// type filters.
func icingaFilters(opts string) (states, types []string) {
	o, _ := parseNotificationOptions(opts)
	if len(o.letters) == 0 {
		return nil, nil
	}
	if o.has('r') {
		states = append(states, "OK")
	}
	for _, m := range []struct {
		l byte
		s string
	}{{'w', "Warning"}, {'c', "Critical"}, {'u', "Unknown"}} {
		if o.has(m.l) {
			states = append(states, m.s)
		}
	}
	types = []string{"Problem", "Acknowledgement", "Custom"}
	if o.has('r') {
		types = append(types, "Recovery")
	}
	if o.has('f') {
		types = append(types, "FlappingStart", "FlappingEnd")
	}
	if o.has('s') {
		types = append(types, "DowntimeStart", "DowntimeEnd", "DowntimeRemoved")
	}
	return states, types
}

func icingaDuration(d time.Duration) string {
	return fmt.Sprintf("%ds", int64(d/time.Second))
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "[ ]"
	}
	qs := make([]string, len(xs))
	for i, x := range xs {
		qs[i] = q(x)
	}
	return "[ " + strings.Join(qs, ", ") + " ]"
}

// q quotes s as an Icinga 2 string literal.
func q(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
