package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/nsca"
)

func load(t *testing.T, text string) (*Config, error) {
	t.Helper()
	return Load(strings.NewReader(text), "ossec-nagios.ini")
}

func mustLoad(t *testing.T, text string) *Config {
	t.Helper()
	c, err := load(t, text)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return c
}

// One invalid fixture per rule; the exact error text is the contract.
var invalidTests = map[string]string{
	"ar-integration-name":            `ossec-nagios.ini: [ar] integration_name: "nagios": integratord runs only names starting with custom-`,
	"ar-no-alerts":                   `ossec-nagios.ini: [ar] level: 0 and no rules: no alert would reach the bridge`,
	"delivery-unknown":               `ossec-nagios.ini: [delivery] transport: unknown transport "snmp" (want nsca or icinga2)`,
	"duplicate-key":                  `ossec-nagios.ini: [nsca] server: duplicate: the key appears 2 times`,
	"duplicate-section":              `ossec-nagios.ini: [states]: duplicate: the section appears twice`,
	"encryption-number-out-of-range": `ossec-nagios.ini: [nsca] encryption: unknown method "27" (use a number 0 to 26 or a name such as xor, 3des, rijndael-128)`,
	"encryption-unknown":             `ossec-nagios.ini: [nsca] encryption: unknown method "3dez" (use a number 0 to 26 or a name such as xor, 3des, rijndael-128)`,
	"encryption-unsupported":         `ossec-nagios.ini: [nsca] encryption: encryption method 12 (ARCFOUR, libmcrypt "arcfour"): nsca: encryption method rejected by the nsca daemon: stream cipher: libmcrypt refuses CFB mode; the daemon closes every connection before the init packet`,
	"follow-format":                  `ossec-nagios.ini: [follow] format: unknown format "xml" (want auto, log or json)`,
	"heartbeat-stale-after":          `ossec-nagios.ini: [heartbeat] stale_after: 6m0s is less than twice the interval 5m0s: Nagios would go CRITICAL between two heartbeats`,
	"hosts-bad-glob":                 `ossec-nagios.ini: [hosts] db[: bad glob "db[": syntax error in pattern`,
	"hosts-bad-template":             `ossec-nagios.ini: [hosts] default: template "{agnet}.example.com": unknown placeholder {agnet}`,
	"hosts-control":                  `ossec-nagios.ini: [hosts] web01: host name "web\t01" holds the control character U+0009`,
	"hosts-fallback-template":        `ossec-nagios.ini: [hosts] fallback: "{agent}": want a literal host name, not a template`,
	"hosts-semicolon":                `ossec-nagios.ini: [hosts] web01: host name "web01;CRITICAL" holds ';': the command file would read it as a field separator`,
	"hosts-too-long":                 `ossec-nagios.ini: [hosts] web01: host name "` + strings.Repeat("h", 64) + `" is 64 bytes, more than the 63 NSCA delivers`,
	"hosts-unclosed-template":        `ossec-nagios.ini: [hosts] default: template "{agent": unclosed {`,
	"icinga2-credentials-in-url":     `ossec-nagios.ini: [icinga2] url: the URL holds credentials: use user and password`,
	"icinga2-http":                   `ossec-nagios.ini: [icinga2] url: "http://icinga.example.com:5665": want an https:// URL (the Icinga 2 API speaks only TLS)`,
	"icinga2-missing-user":           `ossec-nagios.ini: [icinga2] user: missing value: needed with transport icinga2`,
	"key-outside-section":            `ossec-nagios.ini: syntax error: key "server" outside any section`,
	"legacy-bad-bool":                `ossec-nagios.ini: [nsca] legacy_2_7_mode: "maybe" is not a boolean (want yes or no)`,
	"log-level":                      `ossec-nagios.ini: [log] level: unknown level "verbose" (want debug, info, warning or error)`,
	"nagios-contact-group":           `ossec-nagios.ini: [nagios] contact_groups: "on-call;root": invalid name: holds ';'`,
	"nagios-notification-options":    `ossec-nagios.ini: [nagios] notification_options: notification option "x" in "w,u,x": want letters of w,u,c,r,f,s or n`,
	"nagios-quiet-period":            `ossec-nagios.ini: [nagios] quiet_period: "1500ms" is not a whole number of seconds`,
	"output-long-legacy":             `ossec-nagios.ini: [output] long_output: needs nsca >= 2.10.1, which legacy_2_7_mode does not speak`,
	"output-max-length-legacy":       `ossec-nagios.ini: [output] max_length: 600 is more than the 511 bytes the packet carries`,
	"output-template-unknown":        `ossec-nagios.ini: [output] template: template "{description} on {hostname}": unknown placeholder {hostname}`,
	"server-bad-port":                `ossec-nagios.ini: [nsca] server: bad port in "nagios2:99999" (want 1 to 65535)`,
	"server-empty-item":              `ossec-nagios.ini: [nsca] server: empty item in list "nagios1,,nagios2"`,
	"server-missing":                 `ossec-nagios.ini: [nsca] server: missing value: at least one host[:port] is needed with transport nsca`,
	"service-bad-group":              `ossec-nagios.ini: [service "OSSEC SSH"] groups: bad group "authentication failed"`,
	"service-bad-location":           `ossec-nagios.ini: [service "OSSEC web"] location: bad glob "/var/log/[apache": syntax error in pattern`,
	"service-bad-override":           `ossec-nagios.ini: [service "OSSEC SSH"] notification_interval: "90s" is not a whole number of minutes`,
	"service-levels-out-of-range":    `ossec-nagios.ini: [service "OSSEC high"] levels: bad range "10-17": out of 0 to 16`,
	"service-nul":                    `ossec-nagios.ini: [service \"OSSEC\x00SSH\"]: service name "OSSEC\x00SSH" holds the control character U+0000`,
	"service-range-reversed":         `ossec-nagios.ini: [service "OSSEC integrity"] rules: bad range "554-550": 554 is above 550`,
	"service-range-syntax":           `ossec-nagios.ini: [service "OSSEC integrity"] rules: bad range "550-55x" (want N or N-M)`,
	"service-semicolon":              `ossec-nagios.ini: [service "OSSEC;SSH"]: service name "OSSEC;SSH" holds ';': the command file would read it as a field separator`,
	"service-too-long":               `ossec-nagios.ini: [service "` + strings.Repeat("s", 128) + `"]: service name "` + strings.Repeat("s", 128) + `" is 128 bytes, more than the 127 NSCA delivers`,
	"service-unknown-key":            `ossec-nagios.ini: [service "OSSEC"] group: unknown key (known: contact_groups, contacts, flood_window, groups, is_volatile, levels, location, notification_interval, notification_options, notification_period, quiet_period, rules, send_ok, user_groups, users)`,
	"service-unquoted":               `ossec-nagios.ini: [service OSSEC]: want [service "NAME"], with the name in double quotes`,
	"spool-relative-dir":             `ossec-nagios.ini: [spool] dir: "var/spool" is not an absolute path`,
	"states-not-a-number":            `ossec-nagios.ini: [states] critical: "high" is not a number`,
	"states-order":                   `ossec-nagios.ini: [states] warning: 12 is above critical (7)`,
	"states-out-of-range":            `ossec-nagios.ini: [states] warning: 17 is out of range 0 to 16`,
	"syntax-unclosed-section":        `ossec-nagios.ini: syntax error: unclosed section: [nsca`,
	"timeout-bad":                    `ossec-nagios.ini: [nsca] timeout: "5 seconds" is not a duration (e.g. 10s, 5m, 1h)`,
	"timeout-zero":                   `ossec-nagios.ini: [nsca] timeout: "0s" must be more than 0`,
	"unknown-key":                    `ossec-nagios.ini: [nsca] pasword: unknown key (known: confirm, confirm_min, encryption, legacy_2_7_mode, password, server, short_packets, timeout)`,
	"unknown-section":                `ossec-nagios.ini: [nagois]: unknown section (known: nsca, delivery, icinga2, alerts, states, hosts, service "NAME", output, ar, spool, log, nagios, flood, follow)`,
	"quote-unterminated":             `ossec-nagios.ini:3: [nsca] password: syntax error: the value opens with " and does not close it on the same line (a value cannot span lines)`,
	"quote-unterminated-backtick":    "ossec-nagios.ini:5: [service \"SSH\"] location: syntax error: the value opens with ` and does not close it on the same line (a value cannot span lines)",
}

func TestLoadInvalid(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.ini")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "invalid-"), ".ini")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := invalidTests[name]
			if !ok {
				t.Fatalf("fixture %s has no expected error in invalidTests", f)
			}
			r, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			c, err := Load(r, "ossec-nagios.ini")
			if err == nil {
				// What only a command that sends needs is checked there.
				err = c.CheckTransport()
			}
			if err == nil {
				t.Fatalf("Load and CheckTransport succeeded: %+v", c)
			}
			if err.Error() != want {
				t.Errorf("error\n got: %s\nwant: %s", err, want)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "ossec-nagios.ini" {
				t.Errorf("error %T is not a *config.Error naming the file", err)
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	for name := range invalidTests {
		if !seen[name] {
			t.Errorf("invalidTests[%q] has no fixture testdata/invalid-%s.ini", name, name)
		}
	}
}

func TestErrorsBranch(t *testing.T) {
	tests := []struct {
		name string
		ini  string
		want []error
	}{
		{"unknown key", "[nsca]\nserver=a\nfoo=1\n", []error{ErrUnknownKey}},
		{"unknown section", "[nsca]\nserver=a\n[foo]\n", []error{ErrUnknownSection}},
		{"unknown cipher", "[nsca]\nserver=a\nencryption=rot13\n", []error{ErrInvalid, nsca.ErrUnknownMethod}},
		{"rejected cipher", "[nsca]\nserver=a\nencryption=7\n", []error{ErrInvalid, nsca.ErrUnsupportedMethod}},
		{"duplicate", "[nsca]\nserver=a\n[hosts]\nx=a\nx=b\n", []error{ErrDuplicate}},
		{"missing", "[nsca]\n", []error{ErrMissing}},
		{"bad range", "[nsca]\nserver=a\n[service \"x\"]\nrules=1-\n", []error{ErrInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.ini)
			if err == nil {
				err = c.CheckTransport()
			}
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("errors.Is(%v, %v) = false", err, w)
				}
			}
		})
	}
}

func TestLoadDefaults(t *testing.T) {
	c := mustLoad(t, "[nsca]\nserver = nagios\n")
	want := &Config{
		File:      "ossec-nagios.ini",
		NSCA:      NSCA{Servers: []string{"nagios:5667"}, Encryption: nsca.MethodXOR, Timeout: 5 * time.Second},
		Delivery:  Delivery{Transport: TransportNSCA},
		Icinga2:   Icinga2{Timeout: 10 * time.Second},
		States:    States{Warning: 7, Critical: 12},
		Hosts:     Hosts{Default: "{agent}"},
		Output:    Output{IncludeLog: true, MaxLength: 4095},
		AR:        AR{RecoveryAfter: 10 * time.Minute, CheckKeys: true, Deadline: 300 * time.Millisecond, Level: 7},
		Log:       Log{Level: "info"},
		Nagios:    Nagios{Settings: NagiosSettings{ContactGroups: []string{"admins"}, UserGroups: []string{"icingaadmins"}, QuietPeriod: time.Hour, Volatile: true}},
		Flood:     Flood{Window: 5 * time.Minute},
		Follow:    Follow{Format: FormatAuto, BatchSize: 100},
		Heartbeat: Heartbeat{Interval: time.Minute, Service: "OSSEC bridge", StaleAfter: 10 * time.Minute},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults\n got: %+v\nwant: %+v", c, want)
	}
}

func TestLoadValues(t *testing.T) {
	tests := []struct {
		name  string
		ini   string
		check func(t *testing.T, c *Config)
	}{
		{"inline comment needs a space; ';' and '#' stay in values", "[nsca]\nserver = a ; comment\npassword = se;cr#et\ntimeout = 7s # seven\n", func(t *testing.T, c *Config) {
			if c.NSCA.Password != "se;cr#et" || c.NSCA.Timeout != 7*time.Second || c.NSCA.Servers[0] != "a:5667" {
				t.Errorf("got %+v", c.NSCA)
			}
		}},
		{"quoted value keeps ' ;'", "[nsca]\nserver = a\npassword = \"pass ;word\"\n", func(t *testing.T, c *Config) {
			if c.NSCA.Password != "pass ;word" {
				t.Errorf("password %q", c.NSCA.Password)
			}
		}},
		{"trailing backslash is no continuation", "[nsca]\nserver = a\npassword = ends\\\ntimeout = 3\n", func(t *testing.T, c *Config) {
			if c.NSCA.Password != `ends\` || c.NSCA.Timeout != 3*time.Second {
				t.Errorf("got %+v", c.NSCA)
			}
		}},
		{"servers, IPv6 and ports", "[nsca]\nserver = n1:5668, [2001:db8::1], [2001:db8::2]:99, 2001:db8::3\n", func(t *testing.T, c *Config) {
			want := []string{"n1:5668", "[2001:db8::1]:5667", "[2001:db8::2]:99", "[2001:db8::3]:5667"}
			if !reflect.DeepEqual(c.NSCA.Servers, want) {
				t.Errorf("servers %q, want %q", c.NSCA.Servers, want)
			}
		}},
		{"cipher by number and name", "[nsca]\nserver = a\nencryption = 14\n", func(t *testing.T, c *Config) {
			if c.NSCA.Encryption != nsca.MethodRijndael128 {
				t.Errorf("encryption %v", c.NSCA.Encryption)
			}
		}},
		{"legacy shrinks the output", "[nsca]\nserver = a\nlegacy_2_7_mode = yes\n", func(t *testing.T, c *Config) {
			if c.Output.MaxLength != 511 {
				t.Errorf("max length %d", c.Output.MaxLength)
			}
		}},
		{"hosts: exact names before globs, file order kept", "[nsca]\nserver = a\n[hosts]\nweb* = webfarm\nweb01 = w1\ndb? = d\nfallback = mgr\ndefault = {agent}.example.com\n", func(t *testing.T, c *Config) {
			want := Hosts{Default: "{agent}.example.com", Fallback: "mgr", Rules: []HostRule{
				{Match: "web01", Host: "w1"}, {Match: "web*", Glob: true, Host: "webfarm"}, {Match: "db?", Glob: true, Host: "d"},
			}}
			if !reflect.DeepEqual(c.Hosts, want) {
				t.Errorf("hosts %+v\nwant %+v", c.Hosts, want)
			}
		}},
		{"services in file order with criteria and overrides", "[nsca]\nserver = a\n[service \"B\"]\nrules = 550-554, 594\nlevels = 10-15\nlocation = /var/log/*\ncontact_groups = ops\nflood_window = 5m\n[nagios]\ncontact_groups = admins\nis_volatile = no\n[flood]\nwindow = 60\n[service \"A\"]\ngroups = sshd ,pam,\n", func(t *testing.T, c *Config) {
			if len(c.Services) != 2 || c.Services[0].Name != "B" || c.Services[1].Name != "A" {
				t.Fatalf("services %+v", c.Services)
			}
			b, a := c.Services[0], c.Services[1]
			if !reflect.DeepEqual(b.Rules, []Range{{550, 554}, {594, 594}}) || !reflect.DeepEqual(b.Levels, []Range{{10, 15}}) || b.Location != "/var/log/*" {
				t.Errorf("B criteria %+v", b)
			}
			if !reflect.DeepEqual(b.Nagios.ContactGroups, []string{"ops"}) || b.Nagios.Volatile || b.Flood != 5*time.Minute {
				t.Errorf("B overrides %+v flood %v", b.Nagios, b.Flood)
			}
			if !reflect.DeepEqual(a.Groups, []string{"sshd", "pam"}) || !reflect.DeepEqual(a.Nagios.ContactGroups, []string{"admins"}) || a.Flood != time.Minute {
				t.Errorf("A %+v", a)
			}
			if a.CatchAll() || b.CatchAll() {
				t.Error("a service with criteria is no catch-all")
			}
		}},
		{"send_ok default, section and per-service override; flood on by default, 0 turns it off", "[nsca]\nserver = a\n[states]\nsend_ok = yes\n[service \"A\"]\nsend_ok = no\nflood_window = 0\n[service \"B\"]\n", func(t *testing.T, c *Config) {
			if !c.States.SendOK || c.Services[0].SendOK || !c.Services[1].SendOK {
				t.Errorf("send_ok: states %v, A %v, B %v; want yes, no, yes", c.States.SendOK, c.Services[0].SendOK, c.Services[1].SendOK)
			}
			if c.Flood.Window != DefaultFloodWindow || c.Services[0].Flood != 0 || c.Services[1].Flood != DefaultFloodWindow {
				t.Errorf("flood: [flood] %v, A %v, B %v", c.Flood.Window, c.Services[0].Flood, c.Services[1].Flood)
			}
		}},
		{"empty contact list override", "[nsca]\nserver = a\n[nagios]\ncontact_groups = admins\n[service \"S\"]\ncontact_groups =\n", func(t *testing.T, c *Config) {
			if g := c.Services[0].Nagios.ContactGroups; g == nil || len(g) != 0 {
				t.Errorf("contact groups %#v, want empty non-nil", g)
			}
		}},
		{"ar level follows warning unless set", "[nsca]\nserver = a\n[states]\nwarning = 3\n", func(t *testing.T, c *Config) {
			if c.AR.Level != 3 {
				t.Errorf("ar level %d", c.AR.Level)
			}
		}},
		{"ar rules alone", "[nsca]\nserver = a\n[ar]\nrules = 5712\n", func(t *testing.T, c *Config) {
			if c.AR.Level != 0 || !reflect.DeepEqual(c.AR.Rules, []Range{{5712, 5712}}) {
				t.Errorf("ar %+v", c.AR)
			}
		}},
		{"spool max_results 0 is no limit", "[nsca]\nserver = a\n[spool]\nmax_results = 0\ndir = /var/x/../spool\n", func(t *testing.T, c *Config) {
			if c.Spool.MaxResults != -1 || c.Spool.Dir != "/var/spool" {
				t.Errorf("spool %+v", c.Spool)
			}
		}},
		{"icinga2 transport needs no nsca server", "[delivery]\ntransport = icinga2\n[icinga2]\nurl = https://icinga:5665/\nuser = u\n", func(t *testing.T, c *Config) {
			if c.Icinga2.URL != "https://icinga:5665" || c.Output.MaxLength != 4095 {
				t.Errorf("icinga2 %+v output %+v", c.Icinga2, c.Output)
			}
		}},
		{"icinga2 urls tried in order", "[delivery]\ntransport = icinga2\n[icinga2]\nurl = https://m1:5665/, https://m2:5665\nuser = u\n", func(t *testing.T, c *Config) {
			if c.Icinga2.URL != "https://m1:5665" || len(c.Icinga2.URLs) != 2 || c.Icinga2.URLs[1] != "https://m2:5665" {
				t.Errorf("URL %q URLs %q", c.Icinga2.URL, c.Icinga2.URLs)
			}
		}},
		{"output template with literal braces and fields", "[nsca]\nserver = a\n[output]\ntemplate = {{x}} {state} {field.url}\n", func(t *testing.T, c *Config) {
			if c.Output.Template != "{{x}} {state} {field.url}" {
				t.Errorf("template %q", c.Output.Template)
			}
		}},
		{"host names at the limits", "[nsca]\nserver = a\n[hosts]\na = " + strings.Repeat("h", 63) + "\n[service \"" + strings.Repeat("s", 127) + "\"]\n", func(t *testing.T, c *Config) {
			if len(c.Hosts.Rules[0].Host) != 63 || len(c.Services[0].Name) != 127 {
				t.Error("names at the limit refused or changed")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t, mustLoad(t, tt.ini)) })
	}
}

func TestParseRanges(t *testing.T) {
	tests := []struct {
		in      string
		want    []Range
		wantErr string
	}{
		{"5", []Range{{5, 5}}, ""},
		{"550-554, 594", []Range{{550, 554}, {594, 594}}, ""},
		{" 1 - 3 ,", []Range{{1, 3}}, ""},
		{"", nil, `empty item in list ""`},
		{"3-1", nil, `bad range "3-1": 3 is above 1`},
		{"-1", nil, `bad range "-1" (want N or N-M)`},
		{"+1", nil, `bad range "+1" (want N or N-M)`},
		{"1-2-3", nil, `bad range "1-2-3" (want N or N-M)`},
		{"0", nil, `bad range "0": out of 1 to 999999`},
		{"1000000", nil, `bad range "1000000": out of 1 to 999999`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRanges(tt.in, 1, maxRuleID)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"plain", "web01.example.com", true},
		{"utf8", "serveur-été", true},
		{"inner space", "OSSEC SSH", true},
		{"empty", "", false},
		{"semicolon", "a;b", false},
		{"newline", "a\nb", false},
		{"cr", "a\rb", false},
		{"nul", "a\x00b", false},
		{"del", "a\x7fb", false},
		{"c1", "a\u0085b", false},
		{"invalid utf8", "a\xffb", false},
		{"leading space", " a", false},
		{"too long", strings.Repeat("x", 64), false},
		{"at limit", strings.Repeat("x", 63), true},
		{"replacement character", "a\ufffdb", false},
		{"line separator", "a\u2028b", false},
		{"paragraph separator", "a\u2029b", false},
		{"right-to-left override", "a\u202eb", false},
		{"zero width space", "a\u200bb", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckName(tt.in, "host", MaxHostLen)
			if (err == nil) != tt.ok {
				t.Errorf("CheckName(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			}
		})
	}
}

func TestLint(t *testing.T) {
	tests := []struct {
		name string
		ini  string
		want []string
	}{
		{"clean", "[nsca]\nserver=a\n[service \"SSH\"]\ngroups=sshd\n[service \"OSSEC\"]\n", nil},
		{"no services", "[nsca]\nserver=a\n", []string{`no [service] section: no alert can be sent (add [service "OSSEC"] with no criteria)`}},
		{"no catch-all", "[nsca]\nserver=a\n[service \"SSH\"]\ngroups=sshd\n", []string{`no catch-all [service] (one with no criteria, last): alerts that no section matches are not sent`}},
		{"shadowed service", "[nsca]\nserver=a\n[service \"OSSEC\"]\n[service \"SSH\"]\ngroups=sshd\n", []string{`[service "SSH"] can never match: [service "OSSEC"] before it has no criteria and takes every alert`}},
		{"shadowed glob", "[nsca]\nserver=a\n[hosts]\n* = all\nweb* = web\n[service \"OSSEC\"]\n", []string{`[hosts] web* can never match: the glob * before it matches every agent`}},
		{"name gen refuses", "[nsca]\nserver=a\n[service \"OSSEC (ssh)\"]\n", []string{`[service "OSSEC (ssh)"]: gen will refuse the name: invalid name: holds '('`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustLoad(t, tt.ini).Lint()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lint\n got: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestLoadFileWarnings(t *testing.T) {
	const secret = "Sup3r-s3cret"
	tests := []struct {
		name  string
		ini   string
		mode  os.FileMode
		warns bool
	}{
		{"password, world-readable", "[nsca]\nserver=a\npassword=" + secret + "\n[service \"O\"]\n", 0o644, true},
		{"password, owner only", "[nsca]\nserver=a\npassword=" + secret + "\n[service \"O\"]\n", 0o600, false},
		{"icinga password, group-readable (root group)", "[delivery]\ntransport=icinga2\n[icinga2]\nurl=https://i\nuser=u\npassword=" + secret + "\n[service \"O\"]\n", 0o640, true},
		{"no password, world-readable", "[nsca]\nserver=a\n[service \"O\"]\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "ossec-nagios.ini")
			if err := os.WriteFile(p, []byte(tt.ini), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, warns, err := LoadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if (len(warns) > 0) != tt.warns {
				t.Fatalf("warnings %q, want some: %v", warns, tt.warns)
			}
			for _, w := range warns {
				if strings.Contains(w, secret) {
					t.Errorf("warning quotes the password: %s", w)
				}
				if !strings.Contains(w, "chmod 600") {
					t.Errorf("warning without a fix: %s", w)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		_, _, err := LoadFile(filepath.Join(t.TempDir(), "nope.ini"))
		if err == nil || !strings.HasPrefix(err.Error(), "nope.ini: open: ") || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("errors do not quote the password", func(t *testing.T) {
		_, err := load(t, "[nsca]\nserver=a\npassword="+secret+"\nencryption=bogus\n")
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("err %v", err)
		}
	})
}

func TestPermissionWarningsGroup(t *testing.T) {
	c := &Config{NSCA: NSCA{Password: "x"}}
	tests := []struct {
		name  string
		perm  os.FileMode
		group string
		warn  bool
	}{
		{"ossec group may read", 0o640, "ossec", false},
		{"wazuh group may read", 0o640, "wazuh", false},
		{"other group", 0o640, "users", true},
		{"other may read", 0o604, "ossec", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := permissionWarnings(c, "f.ini", tt.perm, tt.group); (len(got) > 0) != tt.warn {
				t.Errorf("warnings %q, want warn=%v", got, tt.warn)
			}
		})
	}
}

// The documented example loads, without warnings but the file mode one,
// and documents every key the loader knows.
func TestContribExample(t *testing.T) {
	const path = "../../contrib/ossec-nagios.ini"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(strings.NewReader(string(data)), "ossec-nagios.ini")
	if err != nil {
		t.Fatalf("contrib example: %v", err)
	}
	if w := c.Lint(); len(w) != 0 {
		t.Errorf("contrib example has lint warnings: %q", w)
	}
	if len(c.Services) == 0 || !c.Services[len(c.Services)-1].CatchAll() {
		t.Error("contrib example does not end with a catch-all")
	}
	l := &loader{cfg: defaults("x")}
	var o serviceOverrides
	keys := map[string][]string{"hosts": {"default", "fallback"}, `service "OSSEC SSH"`: nil}
	for _, sec := range sectionNames {
		f, ok := l.fields(sec)
		if !ok {
			t.Fatalf("no fields for %s", sec)
		}
		for k := range f {
			keys[sec] = append(keys[sec], k)
		}
	}
	for k := range nagiosOverrideKeys(&o.nagios) {
		keys[`service "OSSEC SSH"`] = append(keys[`service "OSSEC SSH"`], k)
	}
	keys[`service "OSSEC SSH"`] = append(keys[`service "OSSEC SSH"`], "groups", "rules", "levels", "location", "flood_window", "send_ok")
	text := string(data)
	for sec, ks := range keys {
		if !strings.Contains(text, "["+sec+"]") {
			t.Errorf("contrib example has no [%s] section", sec)
		}
		for _, k := range ks {
			if !regexp.MustCompile(`(?m)^;?` + regexp.QuoteMeta(k) + `\s*=|\b` + regexp.QuoteMeta(k) + `\b`).MatchString(text) {
				t.Errorf("contrib example does not document [%s] %s", sec, k)
			}
		}
	}
}

func FuzzLoad(f *testing.F) {
	seeds := []string{
		"[nsca]\nserver = a\n[service \"O\"]\n",
		"[nsca]\nserver=a:1,[::1]\npassword=\"x ;y\"\nencryption=3des\n[hosts]\ndb*={agent}.x\n[service \"S\"]\nrules=1-5,7\nlevels=3\nlocation=/var/*\n",
		"[states]\nwarning=1\ncritical=0\n",
		"[service \"a;b\"]\n",
		"[output]\ntemplate={{{x}\n",
	}
	files, _ := filepath.Glob("testdata/invalid-*.ini")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err == nil {
			seeds = append(seeds, string(b))
		}
	}
	if len(seeds) < 10 {
		f.Fatal("seed corpus is (almost) empty")
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Load(strings.NewReader(s), "f.ini")
		if err != nil {
			if c != nil {
				t.Error("config returned with an error")
			}
			if strings.ContainsAny(err.Error(), "\n\r\x00") {
				t.Errorf("error is not one clean line: %q", err)
			}
			return
		}
		for _, svc := range c.Services {
			if err := CheckName(svc.Name, "service", MaxServiceLen); err != nil {
				t.Errorf("accepted service: %v", err)
			}
		}
		for _, r := range append(c.Hosts.Rules, HostRule{Host: c.Hosts.Default}) {
			if !strings.ContainsAny(r.Host, "{}") {
				if err := CheckName(r.Host, "host", MaxHostLen); err != nil {
					t.Errorf("accepted host: %v", err)
				}
			}
		}
		if c.States.Warning > c.States.Critical || c.States.Critical > 16 || c.States.Warning < 0 {
			t.Errorf("accepted states %+v", c.States)
		}
		if c.Output.MaxLength < 1 || c.Output.MaxLength > MaxOutputLen {
			t.Errorf("max length %d", c.Output.MaxLength)
		}
	})
}

// TestLoadNeedsNoTransport: a mapping without a server loads (resolve
// -config and the generators send nothing); CheckTransport, which the
// commands that send and check-config call, names what is missing.
func TestLoadNeedsNoTransport(t *testing.T) {
	tests := []struct{ name, ini, want string }{
		{"nsca without server", "[service \"OSSEC\"]\n", `ossec-nagios.ini: [nsca] server: missing value: at least one host[:port] is needed with transport nsca`},
		{"icinga2 without user", "[delivery]\ntransport = icinga2\n[icinga2]\nurl = https://icinga:5665\n[service \"OSSEC\"]\n", `ossec-nagios.ini: [icinga2] user: missing value: needed with transport icinga2`},
		{"icinga2 without url", "[delivery]\ntransport = icinga2\n[service \"OSSEC\"]\n", `ossec-nagios.ini: [icinga2] url: missing value: needed with transport icinga2`},
		{"nsca with server", "[nsca]\nserver = nagios\n[service \"OSSEC\"]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(t, tt.ini)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			err = c.CheckTransport()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckTransport: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrMissing) {
				t.Errorf("CheckTransport = %v, want %s", err, tt.want)
			}
		})
	}
}

// TestShortPackets: [nsca] short_packets is on by itself for the costly
// ciphers only; yes and no override.
func TestShortPackets(t *testing.T) {
	for _, tc := range []struct {
		ini  string
		want bool
	}{
		{"encryption = xor\n", false},
		{"encryption = none\n", false},
		{"encryption = 3des\n", true},
		{"encryption = rijndael-128\n", true},
		{"encryption = 3des\nshort_packets = auto\n", true},
		{"encryption = 3des\nshort_packets = no\n", false},
		{"encryption = xor\nshort_packets = yes\n", true},
	} {
		cfg, err := Load(strings.NewReader("[nsca]\nserver = n\npassword = x\n"+tc.ini), "t.ini")
		if err != nil {
			t.Fatalf("%q: %v", tc.ini, err)
		}
		if got := cfg.NSCA.Short(); got != tc.want {
			t.Errorf("%q: Short() = %v, want %v", tc.ini, got, tc.want)
		}
	}
	if _, err := Load(strings.NewReader("[nsca]\nserver = n\nshort_packets = sometimes\n"), "t.ini"); err == nil || !strings.Contains(err.Error(), "want auto, yes or no") {
		t.Errorf("short_packets = sometimes: %v", err)
	}
}
