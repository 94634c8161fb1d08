package nagioscfg

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Nagios returns Nagios 4 object definitions: the reset command, the
// passive service template (and, when c.Hosts is not empty, a host template
// and the hosts), and one service per (host, service) pair. The file
// explains each template setting in comments. It needs a time period named
// c.CheckPeriod and the contact groups, contacts and notification periods
// named in the settings to exist in the user's Nagios configuration.
func Nagios(c Config) ([]byte, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	hosts, svcs := c.sorted()
	var b bytes.Buffer
	w := &nagiosWriter{b: &b}

	b.WriteString(`# Nagios 4 objects for OSSEC/Wazuh security alerts, written by
# "ossec-nagios gen nagios" from the mapping INI. Regenerate instead of
# editing: a (host, service) pair that the bridge sends and Nagios does not
# define is dropped silently by Nagios.
#
# The bridge delivers passive results (through NSCA or the command file);
# Nagios never polls these services.

`)
	w.comment("Resets a service to OK after its quiet period (see check_freshness below).",
		"check_dummy runs only then, never for an alert.")
	w.begin("command")
	w.kv("command_name", c.ResetCommand)
	w.kv("command_line", c.CheckDummy+` 0 "$ARG1$"`)
	w.end()

	d := c.Defaults
	opts, _ := parseNotificationOptions(d.NotificationOptions)
	w.comment("Template for every security-alert service below. Why each setting:")
	w.begin("service")
	w.kv("name", c.ServiceTemplate)
	w.note("A template: defines nothing by itself.")
	w.kv("register", "0")
	w.note("Results only arrive from the bridge; Nagios never polls.")
	w.kv("active_checks_enabled", "0")
	w.note("Off, Nagios refuses each result (External command failed).")
	w.kv("passive_checks_enabled", "1")
	w.note("Passive results go through soft states too: with 3 attempts the first",
		"two alerts would be SOFT and page nobody. 1 makes the first alert HARD.")
	w.kv("max_check_attempts", "1")
	w.volatile(d.Volatile)
	w.quiet(d.QuietPeriod, c.ResetCommand, true)
	w.note("Unused while active checks are off, but nagios4 -v warns when",
		"notification_interval is below check_interval: 1 minute, the smallest.")
	w.kv("check_interval", "1")
	w.kv("retry_interval", "1")
	w.note("Freshness checks (the reset) only run inside the check period.")
	w.kv("check_period", c.CheckPeriod)
	w.kv("notification_period", d.NotificationPeriod)
	if opts.has('r') {
		w.note("r: each automatic reset to OK pages as a RECOVERY too.")
	} else {
		w.note("No r: the automatic reset to OK is not news.")
	}
	w.kv("notification_options", opts.nagios())
	if d.NotificationInterval == 0 {
		w.note("0: notify once per problem (a volatile service notifies on every alert anyway).")
	} else {
		w.note("Minutes between re-notifications while a problem lasts (ignored when",
			"volatile); a passive service re-notifies only when a result arrives.")
	}
	w.kv("notification_interval", minutes(d.NotificationInterval))
	w.note("A burst of alerts followed by resets looks like flapping, and flap",
		"detection would then suppress the very notifications wanted here.")
	w.kv("flap_detection_enabled", "0")
	w.note("Log every distinct alert text, even if is_volatile is turned off.")
	w.kv("stalking_options", "w,u,c")
	w.contacts(d.ContactGroups, d.Contacts)
	w.end()

	if skipped := c.skippedHosts(); len(skipped) > 0 {
		w.comment("Not defined here, as the Nagios configuration defines them already: " + strings.Join(skipped, ", ") + ".")
		b.WriteString("\n")
	}
	if len(hosts) > 0 {
		w.comment("Template for the hosts below, defined here because the Nagios",
			"configuration did not define them. A passive host that never receives a",
			"result stays UP; the reset command keeps an on-demand host check harmless.")
		w.begin("host")
		w.kv("name", c.HostTemplate)
		w.kv("register", "0")
		w.kv("check_command", c.ResetCommand+"!Host defined for OSSEC/Wazuh alerts")
		w.kv("max_check_attempts", "1")
		w.kv("active_checks_enabled", "0")
		w.kv("passive_checks_enabled", "1")
		w.kv("check_period", c.CheckPeriod)
		w.kv("notification_period", d.NotificationPeriod)
		w.kv("notification_options", "d,r")
		w.contacts(d.ContactGroups, d.Contacts)
		w.end()
		for _, h := range hosts {
			w.begin("host")
			w.kv("use", c.HostTemplate)
			w.kv("host_name", h.Name)
			alias := h.Alias
			if alias == "" {
				alias = h.Name
			}
			w.kv("alias", alias)
			if h.Address != "" {
				w.kv("address", h.Address)
			}
			w.end()
		}
	}

	for _, s := range svcs {
		w.begin("service")
		w.kv("use", c.ServiceTemplate)
		w.kv("host_name", s.Host)
		w.kv("service_description", s.Name)
		w.overrides(d, s.Settings, c.ResetCommand)
		w.end()
	}

	if hb := c.Heartbeat; hb.Service != "" {
		w.comment("The bridge's heartbeat: ossec-nagios flush (cron) and follow send it OK at",
			"a fixed interval. When none arrived for "+durationText(hb.Stale)+", the freshness check runs",
			"check_dummy 2: CRITICAL, naming the usual causes, and pages the contacts above.")
		w.begin("command")
		w.kv("command_name", c.HeartbeatCommand)
		w.kv("command_line", c.CheckDummy+` 2 "$ARG1$"`)
		w.end()
		hs := c.heartbeatSettings()
		w.begin("service")
		w.kv("use", c.ServiceTemplate)
		w.kv("host_name", hb.Host)
		w.kv("service_description", hb.Service)
		w.note("One outage, one page; the recovery (the bridge is back) pages too.")
		w.kv("is_volatile", "0")
		w.kv("check_freshness", "1")
		w.kv("freshness_threshold", fmt.Sprint(int64(hb.Stale/time.Second)))
		w.kv("check_command", c.HeartbeatCommand+"!"+HeartbeatText(hb.Stale))
		w.kv("notification_options", "w,u,c,r")
		if d.NotificationInterval != hs.NotificationInterval {
			w.kv("notification_interval", minutes(hs.NotificationInterval))
		}
		w.end()
	}
	return b.Bytes(), nil
}

type nagiosWriter struct {
	b *bytes.Buffer
}

func (w *nagiosWriter) comment(lines ...string) {
	for _, l := range lines {
		w.b.WriteString("# " + l + "\n")
	}
}

func (w *nagiosWriter) begin(typ string) { w.b.WriteString("define " + typ + " {\n") }
func (w *nagiosWriter) end()             { w.b.WriteString("}\n\n") }

// note writes indented comment lines inside a definition.
func (w *nagiosWriter) note(lines ...string) {
	for _, l := range lines {
		w.b.WriteString("    # " + l + "\n")
	}
}

func (w *nagiosWriter) kv(k, v string) {
	fmt.Fprintf(w.b, "    %-24s %s\n", k, v)
}

func (w *nagiosWriter) volatile(v bool) {
	if v {
		w.note("Volatile: every non-OK result logs and notifies, even in the same state",
			"(recommended by Nagios for security alerts); notification_interval is ignored.")
		w.kv("is_volatile", "1")
		return
	}
	w.note("Not volatile: only the first problem notifies; later alerts in the same",
		"state are logged (stalking) and re-notify per notification_interval.")
	w.kv("is_volatile", "0")
}

// quiet writes the freshness settings that reset the service to OK.
func (w *nagiosWriter) quiet(d time.Duration, cmd string, explain bool) {
	if d == 0 {
		if explain {
			w.note("No reset: a problem stays until an OK result or a human clears it.")
		}
		w.kv("check_freshness", "0")
		if explain {
			w.note("Never run: active checks are off and freshness is off.")
			w.kv("check_command", cmd+"!"+ResetText)
		}
		return
	}
	if explain {
		w.note(fmt.Sprintf("After %s without results, Nagios runs check_command even though", durationText(d)),
			"active checks are off: check_dummy 0 resets the service to OK. Seconds.")
	}
	w.kv("check_freshness", "1")
	w.kv("freshness_threshold", fmt.Sprint(int64(d/time.Second)))
	if explain {
		w.kv("check_command", cmd+"!"+ResetText)
	}
}

func (w *nagiosWriter) contacts(groups, contacts []string) {
	if len(groups) > 0 {
		w.kv("contact_groups", strings.Join(groups, ","))
	}
	if len(contacts) > 0 {
		w.kv("contacts", strings.Join(contacts, ","))
	}
}

// list writes a list directive that overrides the template's; "null"
// cancels an inherited list.
func (w *nagiosWriter) list(k string, xs []string) {
	if len(xs) == 0 {
		w.kv(k, "null")
		return
	}
	w.kv(k, strings.Join(xs, ","))
}

// overrides writes the directives where s differs from the template's d.
func (w *nagiosWriter) overrides(d, s Settings, cmd string) {
	if !slices.Equal(d.ContactGroups, s.ContactGroups) {
		w.list("contact_groups", s.ContactGroups)
	}
	if !slices.Equal(d.Contacts, s.Contacts) {
		w.list("contacts", s.Contacts)
	}
	if d.NotificationPeriod != s.NotificationPeriod {
		w.kv("notification_period", s.NotificationPeriod)
	}
	do, _ := parseNotificationOptions(d.NotificationOptions)
	so, _ := parseNotificationOptions(s.NotificationOptions)
	if do.nagios() != so.nagios() {
		w.kv("notification_options", so.nagios())
	}
	if d.NotificationInterval != s.NotificationInterval {
		w.kv("notification_interval", minutes(s.NotificationInterval))
	}
	if d.QuietPeriod != s.QuietPeriod {
		w.quiet(s.QuietPeriod, cmd, false)
	}
	if d.Volatile != s.Volatile {
		if s.Volatile {
			w.kv("is_volatile", "1")
		} else {
			w.kv("is_volatile", "0")
		}
	}
}

func minutes(d time.Duration) string { return fmt.Sprint(int64(d / time.Minute)) }
