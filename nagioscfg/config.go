// Package nagioscfg writes the configuration that must exist for the
// bridge's passive results to land: Nagios 4 object definitions (a passive
// service template for security alerts, a reset command, optional hosts, one
// service per host and service, the bridge's freshness-checked heartbeat
// service), the same in Icinga 2's DSL (apply rules by host name, so that
// the services attach to hosts defined anywhere), and the ossec.conf
// <command>, <active-response> and <integration> blocks that make OSSEC or
// Wazuh run the bridge.
//
// Who is paged is the caller's choice (Settings); Silent lists the services
// that would page nobody. The output fits the stock Debian configurations:
// it never defines a host they define (Config.Existing, Icinga's NodeName)
// and keeps their active-check apply rules off the passive hosts.
//
// It gets plain data (Config, OSSEC) and knows nothing of OSSEC alerts, the
// NSCA protocol or the mapping INI; filling the types from the INI is the
// caller's job. Every generator validates its whole input first and returns
// the complete output as a byte slice, or an error and nothing, so that a
// failing run never leaves half a file behind. Output is deterministic:
// hosts and services are sorted by name, byte-wise.
//
// Names are held to the rules that keep a result addressable end to end
// (see ValidateName): a name NSCA would cut, or one that Nagios would read as
// a comment or a list, is refused with an error naming the host and service.
package nagioscfg

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of the NSCA data packet (host_name[64], svc_description[128],
// both NUL-terminated): longer names are cut by send_nsca and the result
// no longer matches the object.
const (
	MaxHostLen    = 63
	MaxServiceLen = 127
)

// Defaults used when the corresponding field is empty.
const (
	DefaultServiceTemplate     = "ossec-passive-service"
	DefaultHostTemplate        = "ossec-passive-host"
	DefaultResetCommand        = "ossec-nagios-reset"
	DefaultCheckDummy          = "/usr/lib/nagios/plugins/check_dummy"
	DefaultCheckPeriod         = "24x7"
	DefaultNotificationCommand = "mail-service-notification"
	DefaultNotificationName    = "ossec-security"
	DefaultHeartbeatCommand    = "ossec-nagios-stale"
	// ResetText is the plugin output of the reset to OK after the quiet
	// period.
	ResetText = "No new security alerts"
)

// Sentinel errors; every returned error wraps one of them and names the
// offending host and service or field.
var (
	// ErrInvalidName: a host, service, template, group or period name that
	// Nagios, Icinga 2 or NSCA would misread.
	ErrInvalidName = errors.New("invalid name")
	// ErrDuplicate: the same (host, service) pair, or the same host, twice.
	ErrDuplicate = errors.New("duplicate definition")
	// ErrInvalidSetting: a setting out of range or not representable.
	ErrInvalidSetting = errors.New("invalid setting")
)

// Settings route and shape the notifications of one service. Config.Defaults
// go into the service template; a Service whose Settings differ from the
// defaults gets the differing directives in its own definition. Callers pass
// fully resolved settings (an INI [service] section's overrides already
// applied over the [nagios] section).
type Settings struct {
	// ContactGroups (Nagios contact groups, Icinga 2 user groups) and
	// Contacts (Nagios contacts, Icinga 2 users) to notify. Both empty in
	// Defaults: the template names none, so Nagios services inherit their
	// host's contacts. Both empty on a Service while Defaults has some:
	// nobody is notified (Nagios "null"; nagios4 -v then warns that the
	// service has no contacts). Icinga 2: no notification applies.
	ContactGroups []string
	Contacts      []string
	// NotificationPeriod is a time period name; empty means "24x7".
	NotificationPeriod string
	// NotificationInterval re-notifies while the service stays non-OK; 0
	// notifies once. Whole minutes (Nagios counts in interval_length units,
	// 60 s). A volatile service notifies on every result anyway.
	NotificationInterval time.Duration
	// NotificationOptions in Nagios letters: w, u, c, r, f, s, or n for
	// none; empty means "w,u,c" (no r: the reset to OK is not news).
	NotificationOptions string
	// QuietPeriod without results after which the service is reset to OK
	// ("No new security alerts"); 0 disables the reset, so a problem
	// stays until a human or an OK result clears it. Whole seconds.
	QuietPeriod time.Duration
	// Volatile: every non-OK result notifies, even without a state change
	// (the Nagios recommendation for security alerts). Off: only the first
	// problem notifies, then NotificationInterval applies.
	Volatile bool
}

// Heartbeat is the bridge's own liveness service: flush and follow send it
// an OK result at a fixed interval, and Nagios (a freshness check) or
// Icinga 2 (the check_interval of a passive service) turns it CRITICAL with
// HeartbeatText when none arrived for StaleAfter. It notifies the contacts
// of Config.Defaults, recoveries included (the bridge is back is news), and
// is not volatile: one outage, one page.
type Heartbeat struct {
	Host    string
	Service string        // "" means no heartbeat service
	Stale   time.Duration // whole seconds, more than 0
}

// HeartbeatText is the output of the heartbeat service when no heartbeat
// arrived for stale: what to look at first. It holds no character that
// Nagios would read as an argument separator or a comment (! ;), nor any of
// its default illegal_macro_output_chars.
func HeartbeatText(stale time.Duration) string {
	return "No heartbeat from the OSSEC/Wazuh bridge (ossec-nagios) for " + durationText(stale) +
		". Usual causes: the bridge is not running (ossec-nagios follow stopped, or no cron job running ossec-nagios flush)," +
		" a wrong NSCA password or encryption method in ossec-nagios.ini," +
		" nsca writing to a command file this Nagios does not read (nsca.cfg command_file)," +
		" or Nagios not reading check results (check_external_commands, accept_passive_service_checks)"
}

// heartbeatSettings are the heartbeat service's settings: the defaults'
// routing, w,u,c,r, not volatile.
func (c Config) heartbeatSettings() Settings {
	s := c.Defaults
	s.NotificationOptions = "w,u,c,r"
	s.Volatile = false
	s.QuietPeriod = c.Heartbeat.Stale
	return s
}

// Silent returns the services (the heartbeat's included) whose settings
// notify nobody: no contact group and no contact, or notification options
// n. Nagios may still page the contacts of a host defined elsewhere (a
// service without contacts inherits its host's); Icinga 2 pages nobody.
func Silent(c Config) []Service {
	c = c.withDefaults()
	_, svcs := c.sorted()
	if c.Heartbeat.Service != "" {
		svcs = append(svcs, Service{Host: c.Heartbeat.Host, Name: c.Heartbeat.Service, Settings: c.heartbeatSettings()})
	}
	var out []Service
	for _, s := range svcs {
		o, err := parseNotificationOptions(s.NotificationOptions)
		if err == nil && len(o.letters) > 0 && (len(s.ContactGroups) > 0 || len(s.Contacts) > 0) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Host is a host to define, for hosts the user's Nagios or Icinga does not
// define already.
type Host struct {
	Name string
	// Address is optional: an IP address or DNS name. Nagios gets it as
	// address; Icinga 2 as vars.ossec_address, since the stock
	// conf.d/services.conf applies active ping4/ping6/ssh checks to every
	// host with an address.
	Address string
	Alias   string // optional; defaults to Name
}

// Service is one passive service on one host.
type Service struct {
	Host string
	Name string
	Settings
}

// Config is the input of Nagios and Icinga2.
type Config struct {
	// Defaults go into the service template.
	Defaults Settings
	// Hosts to define (gen -with-hosts); empty: the user defines them.
	Hosts []Host
	// Existing hosts are defined by the monitoring configuration already
	// and never defined here, even when in Hosts (Debian's stock Nagios
	// objects/localhost.cfg defines localhost). Icinga 2 output also skips
	// a host named like the Icinga node (NodeName, which the stock
	// conf.d/hosts.conf defines) by a condition in the file itself.
	Existing []string
	// Services, one per (host, service) pair; no pair may repeat.
	Services []Service
	// Heartbeat is the bridge's liveness service (Service "": none).
	Heartbeat Heartbeat

	// Object names; empty fields take the Default* constants.
	ServiceTemplate string
	HostTemplate    string
	ResetCommand    string // Nagios command object running check_dummy
	// HeartbeatCommand is the Nagios command object the heartbeat's
	// freshness check runs: check_dummy 2 with HeartbeatText.
	HeartbeatCommand string
	CheckDummy       string // Nagios: absolute path of check_dummy
	CheckPeriod      string // Nagios: freshness checks run only inside it
	// Icinga 2 notification: the NotificationCommand to use and the name
	// of the apply rule.
	NotificationCommand string
	NotificationName    string
}

// withDefaults returns a copy with empty fields filled.
func (c Config) withDefaults() Config {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&c.ServiceTemplate, DefaultServiceTemplate)
	def(&c.HostTemplate, DefaultHostTemplate)
	def(&c.ResetCommand, DefaultResetCommand)
	def(&c.HeartbeatCommand, DefaultHeartbeatCommand)
	def(&c.CheckDummy, DefaultCheckDummy)
	def(&c.CheckPeriod, DefaultCheckPeriod)
	def(&c.NotificationCommand, DefaultNotificationCommand)
	def(&c.NotificationName, DefaultNotificationName)
	c.Defaults = c.Defaults.withDefaults()
	c.Hosts = slices.Clone(c.Hosts)
	c.Existing = slices.Clone(c.Existing)
	c.Services = slices.Clone(c.Services)
	for i := range c.Services {
		c.Services[i].Settings = c.Services[i].Settings.withDefaults()
	}
	return c
}

func (s Settings) withDefaults() Settings {
	if s.NotificationPeriod == "" {
		s.NotificationPeriod = DefaultCheckPeriod
	}
	if s.NotificationOptions == "" {
		s.NotificationOptions = "w,u,c"
	}
	return s
}

// ValidateName reports whether name can be used as a Nagios or Icinga 2
// host or service name that NSCA delivers unchanged. Allowed: letters and
// digits (any script), and . _ : / @ - and inner spaces. Refused: an empty
// name, leading or trailing space, ';' (starts a comment in Nagios object
// files and shifts fields in the command file), ',' (a list in Nagios), '!'
// (Icinga 2's host!service separator), Nagios' illegal_object_name_chars,
// quotes, backslashes, control characters and invalid UTF-8. max is the
// byte limit (MaxHostLen or MaxServiceLen), 0 for none.
func ValidateName(name string, max int) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrInvalidName)
	}
	if max > 0 && len(name) > max {
		return fmt.Errorf("%w: %d bytes, more than the %d NSCA delivers", ErrInvalidName, len(name), max)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidName)
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' {
		return fmt.Errorf("%w: leading or trailing space", ErrInvalidName)
	}
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
		case strings.ContainsRune("._:/@- ", r):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		default:
			return fmt.Errorf("%w: holds %q", ErrInvalidName, r)
		}
	}
	return nil
}

// validate checks the whole (defaulted) config.
func (c Config) validate() error {
	for _, f := range []struct{ what, v string }{
		{"service template", c.ServiceTemplate},
		{"host template", c.HostTemplate},
		{"reset command", c.ResetCommand},
		{"heartbeat command", c.HeartbeatCommand},
		{"check period", c.CheckPeriod},
		{"notification command", c.NotificationCommand},
		{"notification name", c.NotificationName},
	} {
		if err := ValidateName(f.v, 0); err != nil {
			return fmt.Errorf("nagioscfg: %s %q: %w", f.what, f.v, err)
		}
	}
	if !strings.HasPrefix(c.CheckDummy, "/") || strings.ContainsAny(c.CheckDummy, "\"'$;`\\ \t\r\n\x00|&<>") {
		return fmt.Errorf("nagioscfg: check_dummy path %q: %w: must be absolute, without spaces, quotes or shell characters", c.CheckDummy, ErrInvalidSetting)
	}
	if err := c.Defaults.validate(); err != nil {
		return fmt.Errorf("nagioscfg: defaults: %w", err)
	}
	hosts := make(map[string]bool, len(c.Hosts))
	for _, h := range c.Hosts {
		if err := ValidateName(h.Name, MaxHostLen); err != nil {
			return fmt.Errorf("nagioscfg: host %q: %w", h.Name, err)
		}
		if hosts[h.Name] {
			return fmt.Errorf("nagioscfg: host %q: %w", h.Name, ErrDuplicate)
		}
		hosts[h.Name] = true
		if h.Alias != "" {
			if err := validateText(h.Alias); err != nil {
				return fmt.Errorf("nagioscfg: host %q: alias: %w", h.Name, err)
			}
		}
		if h.Address != "" {
			if err := validateAddress(h.Address); err != nil {
				return fmt.Errorf("nagioscfg: host %q: address %q: %w", h.Name, h.Address, err)
			}
		}
	}
	for _, h := range c.Existing {
		if err := ValidateName(h, MaxHostLen); err != nil {
			return fmt.Errorf("nagioscfg: existing host %q: %w", h, err)
		}
	}
	type pair struct{ h, s string }
	seen := make(map[pair]bool, len(c.Services))
	if hb := c.Heartbeat; hb.Service != "" {
		if err := ValidateName(hb.Host, MaxHostLen); err != nil {
			return fmt.Errorf("nagioscfg: heartbeat host %q: %w", hb.Host, err)
		}
		if err := ValidateName(hb.Service, MaxServiceLen); err != nil {
			return fmt.Errorf("nagioscfg: heartbeat service %q: %w", hb.Service, err)
		}
		if hb.Stale <= 0 || hb.Stale%time.Second != 0 {
			return fmt.Errorf("nagioscfg: heartbeat: %w: stale after %s: must be a whole number of seconds, more than 0", ErrInvalidSetting, hb.Stale)
		}
		seen[pair{hb.Host, hb.Service}] = true
	}
	for _, s := range c.Services {
		if err := ValidateName(s.Host, MaxHostLen); err != nil {
			return fmt.Errorf("nagioscfg: service %q on host %q: host name: %w", s.Name, s.Host, err)
		}
		if err := ValidateName(s.Name, MaxServiceLen); err != nil {
			return fmt.Errorf("nagioscfg: service %q on host %q: service name: %w", s.Name, s.Host, err)
		}
		p := pair{s.Host, s.Name}
		if seen[p] {
			return fmt.Errorf("nagioscfg: service %q on host %q: %w", s.Name, s.Host, ErrDuplicate)
		}
		seen[p] = true
		if err := s.Settings.validate(); err != nil {
			return fmt.Errorf("nagioscfg: service %q on host %q: %w", s.Name, s.Host, err)
		}
	}
	return nil
}

func (s Settings) validate() error {
	for _, g := range s.ContactGroups {
		if err := ValidateName(g, 0); err != nil {
			return fmt.Errorf("contact group %q: %w", g, err)
		}
	}
	for _, g := range s.Contacts {
		if err := ValidateName(g, 0); err != nil {
			return fmt.Errorf("contact %q: %w", g, err)
		}
	}
	if err := ValidateName(s.NotificationPeriod, 0); err != nil {
		return fmt.Errorf("notification period %q: %w", s.NotificationPeriod, err)
	}
	if s.NotificationInterval < 0 || s.NotificationInterval%time.Minute != 0 {
		return fmt.Errorf("%w: notification interval %s: must be a whole number of minutes, 0 or more", ErrInvalidSetting, s.NotificationInterval)
	}
	if s.QuietPeriod < 0 || s.QuietPeriod%time.Second != 0 {
		return fmt.Errorf("%w: quiet period %s: must be a whole number of seconds, 0 or more", ErrInvalidSetting, s.QuietPeriod)
	}
	if _, err := parseNotificationOptions(s.NotificationOptions); err != nil {
		return err
	}
	return nil
}

// notificationOptions is the parsed form of Settings.NotificationOptions.
type notificationOptions struct {
	letters []byte // canonical order w,u,c,r,f,s; empty for n
}

func (o notificationOptions) has(b byte) bool { return slices.Contains(o.letters, b) }

func (o notificationOptions) nagios() string {
	if len(o.letters) == 0 {
		return "n"
	}
	parts := make([]string, len(o.letters))
	for i, b := range o.letters {
		parts[i] = string(b)
	}
	return strings.Join(parts, ",")
}

// parseNotificationOptions accepts Nagios' service notification letters,
// separated by commas and optional spaces.
func parseNotificationOptions(s string) (notificationOptions, error) {
	const order = "wucrfs"
	var set [256]bool
	none := false
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		switch {
		case f == "n":
			none = true
		case len(f) == 1 && strings.Contains(order, f):
			set[f[0]] = true
		default:
			return notificationOptions{}, fmt.Errorf("%w: notification option %q in %q: want letters of w,u,c,r,f,s or n", ErrInvalidSetting, f, s)
		}
	}
	var o notificationOptions
	for i := 0; i < len(order); i++ {
		if set[order[i]] {
			o.letters = append(o.letters, order[i])
		}
	}
	if none && len(o.letters) > 0 {
		return notificationOptions{}, fmt.Errorf("%w: notification options %q: n (none) mixed with other letters", ErrInvalidSetting, s)
	}
	return o, nil
}

// validateText checks free text written into a directive value (an alias).
func validateText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: not valid UTF-8", ErrInvalidName)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(";\\\"'`$!|", r) {
			return fmt.Errorf("%w: holds %q", ErrInvalidName, r)
		}
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%w: leading or trailing space", ErrInvalidName)
	}
	return nil
}

// validateAddress allows IPv4, IPv6 and DNS names.
func validateAddress(s string) error {
	if len(s) > 255 {
		return fmt.Errorf("%w: longer than 255 bytes", ErrInvalidSetting)
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '-' || b == ':' || b == '_') {
			return fmt.Errorf("%w: holds %q", ErrInvalidSetting, rune(b))
		}
	}
	return nil
}

// sorted returns hosts (without the Existing ones) and services in output
// order.
func (c Config) sorted() ([]Host, []Service) {
	hosts := slices.DeleteFunc(slices.Clone(c.Hosts), func(h Host) bool { return slices.Contains(c.Existing, h.Name) })
	slices.SortFunc(hosts, func(a, b Host) int { return strings.Compare(a.Name, b.Name) })
	svcs := slices.Clone(c.Services)
	slices.SortFunc(svcs, func(a, b Service) int {
		if d := strings.Compare(a.Host, b.Host); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	return hosts, svcs
}

// skippedHosts are the Hosts that Existing names, sorted.
func (c Config) skippedHosts() []string {
	var out []string
	for _, h := range c.Hosts {
		if slices.Contains(c.Existing, h.Name) {
			out = append(out, h.Name)
		}
	}
	slices.Sort(out)
	return out
}

// durationText renders d for comments: "1h", "30m", "90s".
func durationText(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return fmt.Sprintf("%ds", d/time.Second)
	}
}
