package nagioscfg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// security is the template default used by most cases: the lab's contact
// group, a one-hour quiet period, volatile.
var security = Settings{ContactGroups: []string{"security"}, QuietPeriod: time.Hour, Volatile: true}

func with(s Settings, f func(*Settings)) Settings {
	s.ContactGroups = append([]string(nil), s.ContactGroups...)
	s.Contacts = append([]string(nil), s.Contacts...)
	f(&s)
	return s
}

// configCases are the generator inputs with golden files.
var configCases = []struct {
	name string
	cfg  Config
}{
	{
		name: "hosts-and-overrides",
		cfg: Config{
			Defaults: security,
			Hosts: []Host{
				{Name: "web01", Address: "192.0.2.10"},
				{Name: "db-02.example.com", Address: "2001:db8::2", Alias: "Database 2"},
				{Name: "ossec-manager"},
			},
			// Deliberately unsorted: the output is sorted.
			Services: []Service{
				{Host: "web01", Name: "OSSEC SSH", Settings: security},
				{Host: "db-02.example.com", Name: "OSSEC", Settings: security},
				{Host: "web01", Name: "OSSEC", Settings: security},
				{Host: "ossec-manager", Name: "OSSEC integrity", Settings: with(security, func(s *Settings) {
					s.ContactGroups = []string{"security", "ops"}
					s.QuietPeriod = 24 * time.Hour
					s.NotificationOptions = "w,c,r"
				})},
				{Host: "web01", Name: "OSSEC integrity", Settings: with(security, func(s *Settings) {
					s.Volatile = false
					s.NotificationInterval = 30 * time.Minute
					s.QuietPeriod = 0
				})},
			},
		},
	},
	{
		name: "no-hosts-no-reset",
		cfg: Config{
			Defaults: Settings{Contacts: []string{"oncall"}, NotificationPeriod: "workhours",
				NotificationInterval: 2 * time.Hour, NotificationOptions: "c,u,f"},
			Services: []Service{
				{Host: "web01", Name: "OSSEC", Settings: Settings{Contacts: []string{"oncall"}, NotificationPeriod: "workhours",
					NotificationInterval: 2 * time.Hour, NotificationOptions: "c, u, f"}},
				{Host: "web01", Name: "OSSEC rootcheck", Settings: Settings{Contacts: []string{"oncall"}, NotificationOptions: "n", QuietPeriod: 90 * time.Second}},
			},
			ServiceTemplate: "sec-passive", ResetCommand: "sec-reset", CheckDummy: "/opt/plugins/check_dummy",
			CheckPeriod: "always", NotificationCommand: "sec-notify", NotificationName: "sec",
		},
	},
	{name: "heartbeat-cluster-existing", cfg: heartbeatCase},
}

// heartbeatCase: a cluster host, a host the Nagios configuration defines
// already, and the heartbeat on it.
var heartbeatCase = Config{
	Defaults: security,
	Hosts: []Host{
		{Name: "database-cluster", Alias: "OSSEC agents db01, db02"},
		{Name: "localhost", Address: "127.0.0.1", Alias: "OSSEC agent mgr"},
		{Name: "web01", Address: "192.0.2.10", Alias: "OSSEC agent web01"},
	},
	Existing: []string{"localhost"},
	Services: []Service{
		{Host: "database-cluster", Name: "OSSEC", Settings: security},
		{Host: "localhost", Name: "OSSEC", Settings: security},
		{Host: "web01", Name: "OSSEC", Settings: security},
	},
	Heartbeat: Heartbeat{Host: "localhost", Service: "OSSEC bridge", Stale: 10 * time.Minute},
}

var ossecCases = []struct {
	name string
	in   OSSEC
}{
	{name: "level-rules-recovery", in: OSSEC{Level: 7, RuleIDs: []int{550, 551, 552, 553, 554}, Recovery: 10 * time.Minute}},
	{name: "level-only", in: OSSEC{Level: 10}},
	{name: "rules-integration", in: OSSEC{RuleIDs: []int{5710, 5712}, Integration: true, Command: "nagios", Executable: "ossec-nagios.bin", IntegrationName: "custom-nsca"}},
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test -update rewrites it)\n--- got\n%s", p, got)
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range configCases {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Nagios(tc.cfg)
			if err != nil {
				t.Fatalf("Nagios: %v", err)
			}
			golden(t, tc.name+".nagios.cfg", n)
			i, err := Icinga2(tc.cfg)
			if err != nil {
				t.Fatalf("Icinga2: %v", err)
			}
			golden(t, tc.name+".icinga2.conf", i)
			// Deterministic whatever the input order.
			rev := tc.cfg
			rev.Services = reversed(tc.cfg.Services)
			rev.Hosts = reversed(tc.cfg.Hosts)
			if n2, _ := Nagios(rev); !bytes.Equal(n, n2) {
				t.Errorf("Nagios output depends on the input order")
			}
			if i2, _ := Icinga2(rev); !bytes.Equal(i, i2) {
				t.Errorf("Icinga2 output depends on the input order")
			}
		})
	}
	for _, tc := range ossecCases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := OSSECConf(tc.in)
			if err != nil {
				t.Fatalf("OSSECConf: %v", err)
			}
			golden(t, tc.name+".ossec.xml", b)
		})
	}
}

func reversed[T any](xs []T) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}

func TestRefused(t *testing.T) {
	svc := func(host, name string) Config {
		return Config{Defaults: security, Services: []Service{{Host: host, Name: name, Settings: security}}}
	}
	tests := []struct {
		name    string
		cfg     Config
		want    error
		message string // must appear in the error
	}{
		{name: "duplicate pair", cfg: Config{Defaults: security, Services: []Service{
			{Host: "web01", Name: "OSSEC", Settings: security}, {Host: "web02", Name: "OSSEC", Settings: security},
			{Host: "web01", Name: "OSSEC", Settings: security}}}, want: ErrDuplicate, message: `service "OSSEC" on host "web01"`},
		{name: "duplicate host", cfg: Config{Defaults: security, Hosts: []Host{{Name: "web01"}, {Name: "web01"}}}, want: ErrDuplicate, message: `host "web01"`},
		{name: "host of 64 bytes", cfg: svc(strings.Repeat("h", 64), "OSSEC"), want: ErrInvalidName, message: "64 bytes"},
		{name: "service of 128 bytes", cfg: svc("web01", strings.Repeat("s", 128)), want: ErrInvalidName, message: "128 bytes"},
		{name: "semicolon in service", cfg: svc("web01", "ossec;alert"), want: ErrInvalidName, message: `service "ossec;alert" on host "web01"`},
		{name: "semicolon in host", cfg: svc("web;01", "OSSEC"), want: ErrInvalidName, message: `';'`},
		{name: "newline", cfg: svc("web01", "OSSEC\nPROCESS_SERVICE_CHECK_RESULT"), want: ErrInvalidName, message: `'\n'`},
		{name: "NUL", cfg: svc("web01\x00", "OSSEC"), want: ErrInvalidName, message: `'\x00'`},
		{name: "comma makes a host list", cfg: svc("web,01", "OSSEC"), want: ErrInvalidName, message: "','"},
		{name: "bang is Icinga's separator", cfg: svc("web01", "ossec!alert"), want: ErrInvalidName, message: "'!'"},
		{name: "pipe", cfg: svc("web01", "ossec|alert"), want: ErrInvalidName, message: "'|'"},
		{name: "quote", cfg: svc("web01", `ossec"alert`), want: ErrInvalidName, message: `'"'`},
		{name: "empty service", cfg: svc("web01", ""), want: ErrInvalidName, message: "empty"},
		{name: "trailing space", cfg: svc("web01", "OSSEC "), want: ErrInvalidName, message: "trailing"},
		{name: "invalid UTF-8", cfg: svc("web01", "OSSEC \xff"), want: ErrInvalidName, message: "UTF-8"},
		{name: "contact group with comma", cfg: Config{Defaults: Settings{ContactGroups: []string{"a,b"}}}, want: ErrInvalidName, message: `contact group "a,b"`},
		{name: "host address", cfg: Config{Hosts: []Host{{Name: "web01", Address: "1.2.3.4;x"}}}, want: ErrInvalidSetting, message: "address"},
		{name: "notification option", cfg: Config{Defaults: Settings{NotificationOptions: "w,x"}}, want: ErrInvalidSetting, message: `"x"`},
		{name: "n with others", cfg: Config{Defaults: Settings{NotificationOptions: "n,w"}}, want: ErrInvalidSetting, message: "mixed"},
		{name: "interval in seconds", cfg: Config{Defaults: Settings{NotificationInterval: 90 * time.Second}}, want: ErrInvalidSetting, message: "minutes"},
		{name: "negative quiet period", cfg: Config{Defaults: Settings{QuietPeriod: -time.Second}}, want: ErrInvalidSetting, message: "quiet period"},
		{name: "relative check_dummy", cfg: Config{CheckDummy: "check_dummy"}, want: ErrInvalidSetting, message: "absolute"},
		{name: "heartbeat without threshold", cfg: Config{Heartbeat: Heartbeat{Host: "m", Service: "OSSEC bridge"}}, want: ErrInvalidSetting, message: "heartbeat"},
		{name: "heartbeat threshold in ms", cfg: Config{Heartbeat: Heartbeat{Host: "m", Service: "OSSEC bridge", Stale: 1500 * time.Millisecond}}, want: ErrInvalidSetting, message: "whole number of seconds"},
		{name: "heartbeat host", cfg: Config{Heartbeat: Heartbeat{Host: "m;x", Service: "OSSEC bridge", Stale: time.Minute}}, want: ErrInvalidName, message: `heartbeat host "m;x"`},
		{name: "heartbeat on a service", cfg: Config{Heartbeat: Heartbeat{Host: "m", Service: "OSSEC", Stale: time.Minute},
			Services: []Service{{Host: "m", Name: "OSSEC"}}}, want: ErrDuplicate, message: `service "OSSEC" on host "m"`},
		{name: "existing host", cfg: Config{Existing: []string{"local,host"}}, want: ErrInvalidName, message: "existing host"},
		{name: "template name", cfg: Config{ServiceTemplate: "a;b"}, want: ErrInvalidName, message: "service template"},
		{name: "service override bad", cfg: Config{Services: []Service{{Host: "h", Name: "s", Settings: Settings{NotificationOptions: "z"}}}}, want: ErrInvalidSetting, message: `service "s" on host "h"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for dialect, gen := range map[string]func(Config) ([]byte, error){"nagios": Nagios, "icinga2": Icinga2} {
				out, err := gen(tc.cfg)
				if err == nil {
					t.Fatalf("%s: accepted; output:\n%s", dialect, out)
				}
				if out != nil {
					t.Errorf("%s: returned output with the error", dialect)
				}
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: error %q is not %v", dialect, err, tc.want)
				}
				if !strings.Contains(err.Error(), tc.message) || !strings.HasPrefix(err.Error(), "nagioscfg: ") {
					t.Errorf("%s: error %q does not start with nagioscfg: and hold %q", dialect, err, tc.message)
				}
			}
		})
	}
}

func TestLimitsAccepted(t *testing.T) {
	host, svc := strings.Repeat("h", MaxHostLen), strings.Repeat("s", MaxServiceLen)
	cfg := Config{Defaults: security, Services: []Service{
		{Host: host, Name: svc, Settings: security},
		{Host: "web-01.example.com", Name: "OSSEC: sshd/auth @ intégrité", Settings: security},
	}}
	if _, err := Nagios(cfg); err != nil {
		t.Fatal(err)
	}
	if _, err := Icinga2(cfg); err != nil {
		t.Fatal(err)
	}
}

func TestOSSECRefused(t *testing.T) {
	tests := []struct {
		name    string
		in      OSSEC
		message string
	}{
		{name: "nothing triggers", in: OSSEC{}, message: "neither a level nor rule ids"},
		{name: "level 17", in: OSSEC{Level: 17}, message: "level 17"},
		{name: "rule id 0", in: OSSEC{RuleIDs: []int{0}}, message: "rule id 0"},
		{name: "executable path", in: OSSEC{Level: 7, Executable: "../bin/sh"}, message: "executable"},
		{name: "markup in command", in: OSSEC{Level: 7, Command: "a<b>"}, message: "command name"},
		{name: "double dash breaks the comment", in: OSSEC{Level: 7, Command: "a--b"}, message: `"--"`},
		{name: "integration not custom", in: OSSEC{Level: 7, IntegrationName: "slack"}, message: "custom-"},
		{name: "recovery not whole seconds", in: OSSEC{Level: 7, Recovery: 1500 * time.Millisecond}, message: "recovery"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := OSSECConf(tc.in)
			if err == nil || out != nil {
				t.Fatalf("accepted (err %v); output:\n%s", err, out)
			}
			if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q: want ErrInvalidSetting holding %q", err, tc.message)
			}
		})
	}
}

// ossecConfig is what the test reads back from the generated blocks.
type ossecConfig struct {
	Commands []struct {
		Name           string  `xml:"name"`
		Executable     string  `xml:"executable"`
		Expect         *string `xml:"expect"`
		TimeoutAllowed string  `xml:"timeout_allowed"`
	} `xml:"command"`
	ActiveResponses []struct {
		Command  string `xml:"command"`
		Location string `xml:"location"`
		Level    string `xml:"level"`
		RulesID  string `xml:"rules_id"`
		Timeout  string `xml:"timeout"`
	} `xml:"active-response"`
	Integrations []struct {
		Name        string `xml:"name"`
		Level       string `xml:"level"`
		RuleID      string `xml:"rule_id"`
		AlertFormat string `xml:"alert_format"`
	} `xml:"integration"`
	Comments string `xml:",comment"`
}

func parseOSSEC(t *testing.T, b []byte) ossecConfig {
	t.Helper()
	var c ossecConfig
	dec := xml.NewDecoder(bytes.NewReader(append(append([]byte("<ossec_config>\n"), b...), "</ossec_config>\n"...)))
	dec.Strict = true
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("the blocks wrapped in <ossec_config> are not XML: %v\n%s", err, b)
	}
	return c
}

func TestOSSECConfXML(t *testing.T) {
	t.Run("active response", func(t *testing.T) {
		b, err := OSSECConf(OSSEC{Level: 7, RuleIDs: []int{550, 554}, Recovery: 10 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		c := parseOSSEC(t, b)
		if len(c.Commands) != 1 || len(c.ActiveResponses) != 1 || len(c.Integrations) != 0 {
			t.Fatalf("want 1 command, 1 active-response and the integration commented out; got %+v", c)
		}
		cmd, ar := c.Commands[0], c.ActiveResponses[0]
		if cmd.Name != "ossec-nagios" || cmd.Executable != "ossec-nagios" || cmd.Expect == nil || *cmd.Expect != "" || cmd.TimeoutAllowed != "yes" {
			t.Errorf("command = %+v", cmd)
		}
		if ar.Command != "ossec-nagios" || ar.Location != "server" || ar.Level != "7" || ar.RulesID != "550,554" || ar.Timeout != "600" {
			t.Errorf("active-response = %+v", ar)
		}
		if !strings.Contains(c.Comments, "<name>custom-nagios</name>") {
			t.Errorf("the alternative integration block is not in a comment")
		}
	})
	t.Run("no recovery", func(t *testing.T) {
		b, _ := OSSECConf(OSSEC{Level: 12})
		c := parseOSSEC(t, b)
		if c.Commands[0].TimeoutAllowed != "no" || c.ActiveResponses[0].Timeout != "" || c.ActiveResponses[0].RulesID != "" {
			t.Errorf("got %+v", c)
		}
	})
	t.Run("integration", func(t *testing.T) {
		b, _ := OSSECConf(OSSEC{RuleIDs: []int{5710}, Integration: true})
		c := parseOSSEC(t, b)
		if len(c.Commands) != 0 || len(c.ActiveResponses) != 0 || len(c.Integrations) != 1 {
			t.Fatalf("want only the integration active; got %+v", c)
		}
		in := c.Integrations[0]
		if in.Name != "custom-nagios" || in.RuleID != "5710" || in.Level != "" || in.AlertFormat != "json" {
			t.Errorf("integration = %+v", in)
		}
		if !strings.Contains(c.Comments, "<location>server</location>") {
			t.Errorf("the alternative active-response block is not in a comment")
		}
	})
	for _, tc := range ossecCases {
		t.Run("golden input "+tc.name, func(t *testing.T) {
			b, _ := OSSECConf(tc.in)
			parseOSSEC(t, b)
		})
	}
}

func TestOutputHoldsEveryPair(t *testing.T) {
	cfg := configCases[0].cfg
	n, _ := Nagios(cfg)
	i, _ := Icinga2(cfg)
	for _, s := range cfg.Services {
		block := fmt.Sprintf("    host_name                %s\n    service_description      %s\n", s.Host, s.Name)
		if strings.Count(string(n), block) != 1 {
			t.Errorf("Nagios: (%s, %s) not defined exactly once", s.Host, s.Name)
		}
	}
	applied := icingaApplied(t, string(i))
	for _, s := range cfg.Services {
		if n := applied[ServiceKey{s.Host, s.Name}]; n != 1 {
			t.Errorf("Icinga2: (%s, %s) applied %d times, want 1", s.Host, s.Name, n)
		}
	}
	if len(applied) != len(cfg.Services) {
		t.Errorf("Icinga2: %d (host, service) pairs applied, want %d: %v", len(applied), len(cfg.Services), applied)
	}
}

// icingaApplied counts the (host, service) pairs of the apply Service
// rules of generated Icinga 2 output ("assign where host.name in [ ... ]"
// or "== ...").
func icingaApplied(t *testing.T, out string) map[ServiceKey]int {
	t.Helper()
	got := map[ServiceKey]int{}
	var name string
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "apply Service "); ok {
			var err error
			if name, err = strconv.Unquote(strings.TrimSuffix(rest, " {")); err != nil {
				t.Fatalf("apply line %q: %v", line, err)
			}
			continue
		}
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "assign where host.name in [ "); ok && name != "" {
			for _, h := range strings.Split(strings.TrimSuffix(rest, " ]"), ", ") {
				h, err := strconv.Unquote(h)
				if err != nil {
					t.Fatalf("assign line %q: %v", line, err)
				}
				got[ServiceKey{h, name}]++
			}
			name = ""
		} else if rest, ok := strings.CutPrefix(line, "assign where host.name == "); ok && name != "" {
			h, err := strconv.Unquote(rest)
			if err != nil {
				t.Fatalf("assign line %q: %v", line, err)
			}
			got[ServiceKey{h, name}]++
			name = ""
		}
	}
	return got
}

func FuzzValidateName(f *testing.F) {
	seeds := []string{"web01", "OSSEC SSH", "ossec;alert", "a\nb", "intégrité", " x", "h!s", strings.Repeat("x", 200), "\xff"}
	for _, s := range seeds {
		f.Add(s)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateName(name, MaxServiceLen) != nil {
			return
		}
		if len(name) > MaxServiceLen || strings.ContainsAny(name, ";,!|\n\r\x00\"'`$\\=()<>?*&^%~{}[]#+\t") ||
			strings.TrimSpace(name) != name {
			t.Fatalf("accepted %q", name)
		}
		// An accepted name always generates.
		cfg := Config{Services: []Service{{Host: "web01", Name: name}}}
		if _, err := Nagios(cfg); err != nil {
			t.Fatalf("Nagios refused the accepted name %q: %v", name, err)
		}
		out, err := Icinga2(cfg)
		if err != nil || !bytes.Contains(out, []byte(q(name))) {
			t.Fatalf("Icinga2 with %q: %v", name, err)
		}
	})
}
