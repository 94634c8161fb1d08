package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"gopkg.in/ini.v1"
)

// MaxFileSize bounds the INI read by Load.
const MaxFileSize = 1 << 20

// Load reads the mapping INI from r, applies defaults and validates every
// field. name is the file name used in errors. It has no side effects. The
// error is an *Error naming name, the section and the key.
func Load(r io.Reader, name string) (*Config, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, &Error{File: name, Err: fmt.Errorf("read: %w", err)}
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: name, Err: invalidf("larger than %d bytes", MaxFileSize)}
	}
	return parse(data, name)
}

// LoadFile loads the mapping INI at path, like Load, and returns warnings
// about the file itself: one when it holds a password and group or other
// may read it, and those of Config.Lint. Errors name the file by its base name (as Load's do with
// name); warnings never quote a password.
func LoadFile(path string) (*Config, []string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &Error{File: filepath.Base(path), Err: fmt.Errorf("open: %w", err)}
	}
	defer f.Close()
	cfg, err := Load(f, filepath.Base(path))
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	if st, err := f.Stat(); err == nil {
		warnings = permissionWarnings(cfg, path, st.Mode().Perm(), fileGroup(st))
	}
	return cfg, append(warnings, cfg.Lint()...), nil
}

// ossecGroups are the groups OSSEC and Wazuh run their daemons as: a
// config readable by one of them (and not by other) is expected, since
// integratord runs as that user.
var ossecGroups = []string{"ossec", "wazuh"}

// permissionWarnings warns about a file holding a password that other, or
// a group that is not OSSEC's, may read. It never quotes the password.
func permissionWarnings(c *Config, path string, perm os.FileMode, group string) []string {
	var which []string
	if c.NSCA.Password != "" {
		which = append(which, "[nsca] password")
	}
	if c.Icinga2.Password != "" {
		which = append(which, "[icinga2] password")
	}
	if len(which) == 0 {
		return nil
	}
	groupOK := contains(ossecGroups, group)
	if perm&0o007 == 0 && (perm&0o070 == 0 || groupOK) {
		return nil
	}
	return []string{fmt.Sprintf("%s holds %s and is readable by group or other (mode %04o, group %q); run: chmod 600 %s (or chgrp ossec and chmod 640, for integratord)",
		path, strings.Join(which, " and "), perm, group, path)}
}

// fileGroup returns the name (or, failing that, the id) of the file's
// group, "" when unknown.
func fileGroup(st os.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	gid := strconv.FormatUint(uint64(sys.Gid), 10)
	if g, err := user.LookupGroupId(gid); err == nil {
		return g.Name
	}
	return gid
}

var serviceSection = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^service\s+"(.*)"$`) })

// loader holds the state of one Load.
type loader struct {
	file string
	cfg  *Config
	// what was set explicitly, for defaults that depend on other keys
	set map[string]bool
	// per-service overrides, resolved after every section is read
	overrides []serviceOverrides
}

type serviceOverrides struct {
	nagios nagiosOverrides
	flood  *time.Duration
	sendOK *bool
}

// iniOptions are go-ini's options for every Load. A value never spans
// lines: no backslash continuation, no indented continuation lines, and
// checkQuotes refuses a quote left open before go-ini would read on.
var iniOptions = ini.LoadOptions{
	KeyValueDelimiters:        "=",
	SpaceBeforeInlineComment:  true,
	IgnoreContinuation:        true,
	UnescapeValueDoubleQuotes: true,
	AllowShadows:              true,
	AllowNonUniqueSections:    true,
}

func parse(data []byte, name string) (*Config, error) {
	if err := checkQuotes(data, name); err != nil {
		return nil, err
	}
	f, err := ini.LoadSources(iniOptions, bytes.Clone(data))
	if err != nil {
		return nil, &Error{File: name, Err: fmt.Errorf("%w: %s", ErrSyntax, printable(strings.TrimSpace(err.Error())))}
	}
	l := &loader{file: name, cfg: defaults(name), set: map[string]bool{}}
	seen := map[string]bool{}
	for _, sec := range f.Sections() {
		sname := sec.Name()
		if sname == ini.DefaultSection {
			if keys := sec.Keys(); len(keys) > 0 {
				return nil, &Error{File: name, Err: fmt.Errorf("%w: key %q outside any section", ErrSyntax, keys[0].Name())}
			}
			continue
		}
		if seen[sname] {
			return nil, &Error{File: name, Section: sname, Err: fmt.Errorf("%w: the section appears twice", ErrDuplicate)}
		}
		seen[sname] = true
		if err := l.section(sec); err != nil {
			return nil, err
		}
	}
	if err := l.finish(); err != nil {
		return nil, err
	}
	return l.cfg, nil
}

// defaults returns the configuration of an empty file.
func defaults(name string) *Config {
	return &Config{
		File: name,
		NSCA: NSCA{
			Encryption: defaultMethod(),
			Timeout:    DefaultNSCATimeout,
		},
		Delivery: Delivery{Transport: TransportNSCA},
		Icinga2:  Icinga2{Timeout: DefaultIcinga2Timeout},
		States:   States{Warning: DefaultWarning, Critical: DefaultCritical},
		Hosts:    Hosts{Default: DefaultHostTemplate},
		Output:   Output{IncludeLog: true},
		AR: AR{
			Recovery:      false,
			RecoveryAfter: DefaultRecoveryAfter,
			CheckKeys:     true,
			Deadline:      DefaultDeadline,
		},
		Log: Log{Level: DefaultLogLevel},
		Nagios: Nagios{Settings: NagiosSettings{
			ContactGroups: []string{DefaultContactGroup},
			UserGroups:    []string{DefaultUserGroup},
			QuietPeriod:   DefaultQuietPeriod,
			Volatile:      true,
		}},
		Flood:  Flood{Window: DefaultFloodWindow},
		Follow: Follow{Format: FormatAuto, BatchSize: 100},
		Heartbeat: Heartbeat{
			Interval:   DefaultHeartbeat,
			Service:    DefaultHeartbeatSvc,
			StaleAfter: DefaultHeartbeatStale,
		},
	}
}

// keyFunc parses and stores one key's value.
type keyFunc func(v string) error

// keys applies fields to every key of sec, refusing unknown and repeated
// keys.
func (l *loader) keys(sec *ini.Section, fields map[string]keyFunc) error {
	for _, k := range sec.Keys() {
		fail := func(err error) error {
			return &Error{File: l.file, Section: sec.Name(), Key: k.Name(), Err: err}
		}
		fn, ok := fields[k.Name()]
		if !ok {
			return fail(unknownKey(fields))
		}
		if vs := k.ValueWithShadows(); len(vs) > 1 {
			return fail(fmt.Errorf("%w: the key appears %d times", ErrDuplicate, len(vs)))
		}
		if err := fn(k.Value()); err != nil {
			return fail(err)
		}
		l.set[sec.Name()+"/"+k.Name()] = true
	}
	return nil
}

func unknownKey(fields map[string]keyFunc) error {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sortStrings(names)
	return fmt.Errorf("%w (known: %s)", ErrUnknownKey, strings.Join(names, ", "))
}

// sectionNames are the fixed sections, for messages and tests.
var sectionNames = []string{"nsca", "delivery", "icinga2", "alerts", "states", "output", "ar", "spool", "log", "nagios", "flood", "follow", "heartbeat"}

func (l *loader) section(sec *ini.Section) error {
	switch sec.Name() {
	case "hosts":
		return l.hosts(sec)
	}
	if fields, ok := l.fields(sec.Name()); ok {
		return l.keys(sec, fields)
	}
	if m := serviceSection().FindStringSubmatch(sec.Name()); m != nil {
		return l.service(sec, m[1])
	}
	if strings.HasPrefix(sec.Name(), "service") {
		return &Error{File: l.file, Section: sec.Name(), Err: invalidf(`want [service "NAME"], with the name in double quotes`)}
	}
	return &Error{File: l.file, Section: sec.Name(), Err: fmt.Errorf("%w (known: nsca, delivery, icinga2, alerts, states, hosts, service \"NAME\", output, ar, spool, log, nagios, flood, follow)", ErrUnknownSection)}
}

// fields returns the keys of a fixed section.
func (l *loader) fields(name string) (map[string]keyFunc, bool) {
	c := l.cfg
	switch name {
	case "nsca":
		return map[string]keyFunc{
			"server":          func(v string) error { return parseServers(v, &c.NSCA.Servers) },
			"password":        func(v string) error { c.NSCA.Password = v; return nil },
			"encryption":      func(v string) error { return parseEncryption(v, &c.NSCA.Encryption) },
			"timeout":         durationKey(&c.NSCA.Timeout, time.Millisecond, true),
			"legacy_2_7_mode": boolKey(&c.NSCA.Legacy27),
			"confirm":         durationKey(&c.NSCA.Confirm, time.Millisecond, false),
			"confirm_min":     durationKey(&c.NSCA.ConfirmMin, time.Millisecond, false),
			"short_packets": func(v string) error {
				switch v {
				case "auto", "":
					c.NSCA.ShortPackets = "auto"
					return nil
				}
				b, err := parseBool(v)
				if err != nil {
					return invalidf("want auto, yes or no: %v", err)
				}
				c.NSCA.ShortPackets = map[bool]string{true: "yes", false: "no"}[b]
				return nil
			},
		}, true
	case "delivery":
		return map[string]keyFunc{
			"transport": func(v string) error {
				switch v {
				case TransportNSCA, TransportIcinga2:
					c.Delivery.Transport = v
					return nil
				}
				return invalidf("unknown transport %q (want nsca or icinga2)", v)
			},
		}, true
	case "icinga2":
		return map[string]keyFunc{
			"url":      func(v string) error { return parseIcingaURLs(v, &c.Icinga2.URLs, &c.Icinga2.URL) },
			"user":     func(v string) error { return textKey(&c.Icinga2.User)(v) },
			"password": func(v string) error { c.Icinga2.Password = v; return nil },
			"ca_file":  pathKey(&c.Icinga2.CAFile),
			"timeout":  durationKey(&c.Icinga2.Timeout, time.Millisecond, true),
		}, true
	case "alerts":
		return map[string]keyFunc{
			"log":  pathKey(&c.Alerts.Log),
			"json": pathKey(&c.Alerts.JSON),
		}, true
	case "states":
		return map[string]keyFunc{
			"warning":  levelKey(&c.States.Warning, &c.States.WarningSeverity),
			"critical": levelKey(&c.States.Critical, &c.States.CriticalSeverity),
			"send_ok":  boolKey(&c.States.SendOK),
		}, true
	case "output":
		return map[string]keyFunc{
			"long_output": boolKey(&c.Output.LongOutput),
			"template": func(v string) error {
				if err := checkTemplate(v, isOutputField); err != nil {
					return err
				}
				c.Output.Template = v
				return nil
			},
			"include_log": boolKey(&c.Output.IncludeLog),
			"max_length":  intKey(&c.Output.MaxLength, 1, 1<<16),
		}, true
	case "ar":
		return map[string]keyFunc{
			"recovery":          boolKey(&c.AR.Recovery),
			"recovery_after":    durationKey(&c.AR.RecoveryAfter, time.Second, true),
			"check_keys":        boolKey(&c.AR.CheckKeys),
			"deadline":          durationKey(&c.AR.Deadline, time.Millisecond, true),
			"level":             intKey(&c.AR.Level, 0, 16),
			"rules":             rangesKey(&c.AR.Rules, 1, maxRuleID),
			"command":           ossecNameKey(&c.AR.Command),
			"executable":        ossecNameKey(&c.AR.Executable),
			"integration":       boolKey(&c.AR.Integration),
			"integration_name":  ossecNameKey(&c.AR.IntegrationName),
			"integration_level": intKey(&c.AR.IntegrationLevel, 0, 16),
		}, true
	case "spool":
		return map[string]keyFunc{
			"dir":     pathKey(&c.Spool.Dir),
			"max_age": durationKey(&c.Spool.MaxAge, time.Second, false),
			"max_results": func(v string) error {
				if err := intKey(&c.Spool.MaxResults, 0, 1<<30)(v); err != nil {
					return err
				}
				if c.Spool.MaxResults == 0 {
					c.Spool.MaxResults = -1
				}
				return nil
			},
			"lock_wait": durationKey(&c.Spool.LockWait, time.Millisecond, false),
		}, true
	case "log":
		return map[string]keyFunc{
			"file": pathKey(&c.Log.File),
			"level": func(v string) error {
				switch strings.ToLower(v) {
				case "debug", "info", "error":
					c.Log.Level = strings.ToLower(v)
				case "warning", "warn":
					c.Log.Level = "warning"
				default:
					return invalidf("unknown level %q (want debug, info, warning or error)", v)
				}
				return nil
			},
		}, true
	case "nagios":
		n := &c.Nagios
		fields := map[string]keyFunc{
			"service_template":     objectNameKey(&n.ServiceTemplate),
			"host_template":        objectNameKey(&n.HostTemplate),
			"reset_command":        objectNameKey(&n.ResetCommand),
			"check_dummy":          pathKey(&n.CheckDummy),
			"check_period":         objectNameKey(&n.CheckPeriod),
			"notification_command": objectNameKey(&n.NotificationCommand),
			"notification_name":    objectNameKey(&n.NotificationName),
		}
		for k, fn := range nagiosSettingKeys(&n.Settings) {
			fields[k] = fn
		}
		return fields, true
	case "flood":
		return map[string]keyFunc{
			"window":     durationKey(&c.Flood.Window, time.Second, false),
			"state_file": pathKey(&c.Flood.StateFile),
		}, true
	case "follow":
		return map[string]keyFunc{
			"format": func(v string) error {
				switch v {
				case FormatAuto, FormatLog, FormatJSON:
					c.Follow.Format = v
					return nil
				}
				return invalidf("unknown format %q (want auto, log or json)", v)
			},
			"state_file": pathKey(&c.Follow.StateFile),
			"enabled":    boolKey(&c.Follow.Enabled),
			"min_level":  intKey(&c.Follow.MinLevel, 0, 16),
			"rules":      rangesKey(&c.Follow.Rules, 1, maxRuleID),
			"groups":     groupsKey(&c.Follow.Groups),
			// Older names of the [heartbeat] keys.
			"heartbeat":         durationKey(&c.Heartbeat.Interval, time.Second, false),
			"heartbeat_host":    nameKey(&c.Heartbeat.Host, "host", MaxHostLen),
			"heartbeat_service": nameKey(&c.Heartbeat.Service, "service", MaxServiceLen),
			"batch_size":        intKey(&c.Follow.BatchSize, 1, 100000),
		}, true
	case "heartbeat":
		return map[string]keyFunc{
			"interval":    durationKey(&c.Heartbeat.Interval, time.Second, false),
			"host":        nameKey(&c.Heartbeat.Host, "host", MaxHostLen),
			"service":     nameKey(&c.Heartbeat.Service, "service", MaxServiceLen),
			"stale_after": durationKey(&c.Heartbeat.StaleAfter, time.Second, false),
		}, true
	}
	return nil, false
}

// maxRuleID is the largest OSSEC/Wazuh rule id.
const maxRuleID = 999999

// Reserved keys of [hosts].
const (
	hostsDefault  = "default"
	hostsFallback = "fallback"
)

func (l *loader) hosts(sec *ini.Section) error {
	c := l.cfg
	var exact, globs []HostRule
	for _, k := range sec.Keys() {
		fail := func(err error) error {
			return &Error{File: l.file, Section: sec.Name(), Key: k.Name(), Err: err}
		}
		if vs := k.ValueWithShadows(); len(vs) > 1 {
			return fail(fmt.Errorf("%w: the key appears %d times", ErrDuplicate, len(vs)))
		}
		v := k.Value()
		switch k.Name() {
		case hostsDefault:
			if err := checkHostValue(v); err != nil {
				return fail(err)
			}
			c.Hosts.Default = v
			continue
		case hostsFallback:
			if strings.ContainsAny(v, "{}") {
				return fail(invalidf("%q: want a literal host name, not a template", v))
			}
			if err := CheckName(v, "host", MaxHostLen); err != nil {
				return fail(err)
			}
			c.Hosts.Fallback = v
			continue
		}
		if err := checkHostValue(v); err != nil {
			return fail(err)
		}
		r := HostRule{Match: k.Name(), Host: v, Glob: isGlob(k.Name())}
		if r.Glob {
			if err := checkGlob(r.Match); err != nil {
				return fail(err)
			}
			globs = append(globs, r)
		} else {
			exact = append(exact, r)
		}
	}
	c.Hosts.Rules = append(exact, globs...)
	return nil
}

// checkHostValue checks a [hosts] value: a literal host name now, a
// template's syntax now and its expansion at mapping time.
func checkHostValue(v string) error {
	if strings.ContainsAny(v, "{}") {
		if err := checkTemplate(v, isHostField); err != nil {
			return err
		}
		return checkNameChars(v, "host")
	}
	return CheckName(v, "host", MaxHostLen)
}

func (l *loader) service(sec *ini.Section, name string) error {
	fail := func(err error) error { return &Error{File: l.file, Section: sec.Name(), Err: err} }
	if err := CheckName(name, "service", MaxServiceLen); err != nil {
		return fail(err)
	}
	s := Service{Name: name}
	var o serviceOverrides
	fields := map[string]keyFunc{
		"groups": groupsKey(&s.Groups),
		"rules":  ruleIDsKey(&s.Rules, &s.RuleUIDs),
		"levels": levelsKey(&s.Levels),
		"location": func(v string) error {
			if v == "" {
				return invalidf("empty glob")
			}
			if err := checkGlob(v); err != nil {
				return err
			}
			s.Location = v
			return nil
		},
		"flood_window": func(v string) error {
			var d time.Duration
			if err := durationKey(&d, time.Second, false)(v); err != nil {
				return err
			}
			o.flood = &d
			return nil
		},
		"send_ok": func(v string) error {
			var b bool
			if err := boolKey(&b)(v); err != nil {
				return err
			}
			o.sendOK = &b
			return nil
		},
	}
	for k, fn := range nagiosOverrideKeys(&o.nagios) {
		fields[k] = fn
	}
	if err := l.keys(sec, fields); err != nil {
		return err
	}
	for _, prev := range l.cfg.Services {
		if prev.Name == name {
			// Section names are unique in the file; this catches
			// spellings go-ini keeps apart, like extra spaces.
			return fail(fmt.Errorf("%w: service %q is defined twice", ErrDuplicate, name))
		}
	}
	l.cfg.Services = append(l.cfg.Services, s)
	l.overrides = append(l.overrides, o)
	return nil
}

// CheckTransport reports what the configured transport lacks to send
// anything ([nsca] server, [icinga2] url and user). Load leaves it to the
// commands that send (and check-config): a dry run such as resolve or a
// generator needs no server.
func (c *Config) CheckTransport() error {
	fail := func(section, key string, err error) error {
		return &Error{File: c.File, Section: section, Key: key, Err: err}
	}
	switch c.Delivery.Transport {
	case TransportNSCA:
		if len(c.NSCA.Servers) == 0 {
			return fail("nsca", "server", fmt.Errorf("%w: at least one host[:port] is needed with transport nsca", ErrMissing))
		}
	case TransportIcinga2:
		if c.Icinga2.URL == "" {
			return fail("icinga2", "url", fmt.Errorf("%w: needed with transport icinga2", ErrMissing))
		}
		if c.Icinga2.User == "" {
			return fail("icinga2", "user", fmt.Errorf("%w: needed with transport icinga2", ErrMissing))
		}
	}
	return nil
}

// finish resolves what depends on several sections and checks the
// relations between keys.
func (l *loader) finish() error {
	c := l.cfg
	fail := func(section, key string, err error) error {
		return &Error{File: l.file, Section: section, Key: key, Err: err}
	}
	if c.States.Warning > c.States.Critical {
		return fail("states", "warning", invalidf("%d is above critical (%d)", c.States.Warning, c.States.Critical))
	}
	if w, cr := severityRank(c.States.WarningSeverity, c.States.Warning), severityRank(c.States.CriticalSeverity, c.States.Critical); w > cr {
		return fail("states", "warning", invalidf("Wazuh 5 level %s is above critical's %s", severities[w-1], severities[cr-1]))
	}
	limit := MaxOutputLen
	if c.Delivery.Transport == TransportNSCA {
		limit = c.NSCA.OutputLimit()
	}
	switch {
	case c.Output.MaxLength == 0:
		c.Output.MaxLength = limit
	case c.Output.MaxLength > limit:
		return fail("output", "max_length", invalidf("%d is more than the %d bytes the packet carries", c.Output.MaxLength, limit))
	}
	if c.Output.LongOutput && c.NSCA.Legacy27 && c.Delivery.Transport == TransportNSCA {
		return fail("output", "long_output", invalidf("needs nsca >= 2.10.1, which legacy_2_7_mode does not speak"))
	}
	if !l.set["ar/level"] && len(c.AR.Rules) == 0 {
		c.AR.Level = c.States.Warning
		if c.AR.Level == 0 {
			c.AR.Level = 1
		}
	}
	if c.AR.Level == 0 && len(c.AR.Rules) == 0 {
		return fail("ar", "level", invalidf("0 and no rules: no alert would reach the bridge"))
	}
	if c.AR.IntegrationName != "" && !strings.HasPrefix(c.AR.IntegrationName, "custom-") {
		return fail("ar", "integration_name", invalidf("%q: integratord runs only names starting with custom-", c.AR.IntegrationName))
	}
	if c.Heartbeat.Host == "" {
		c.Heartbeat.Host = c.Hosts.Fallback
	}
	if !l.set["heartbeat/stale_after"] && c.Heartbeat.StaleAfter < 2*c.Heartbeat.Interval {
		c.Heartbeat.StaleAfter = 2 * c.Heartbeat.Interval
	}
	if c.Heartbeat.Interval > 0 && c.Heartbeat.StaleAfter > 0 && c.Heartbeat.StaleAfter < 2*c.Heartbeat.Interval {
		return fail("heartbeat", "stale_after", invalidf("%s is less than twice the interval %s: Nagios would go CRITICAL between two heartbeats", c.Heartbeat.StaleAfter, c.Heartbeat.Interval))
	}
	for i := range c.Services {
		s := &c.Services[i]
		o := l.overrides[i]
		s.Nagios = o.nagios.apply(c.Nagios.Settings)
		s.Flood = c.Flood.Window
		if o.flood != nil {
			s.Flood = *o.flood
		}
		s.SendOK = c.States.SendOK
		if o.sendOK != nil {
			s.SendOK = *o.sendOK
		}
	}
	return nil
}
