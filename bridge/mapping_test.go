package bridge

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// testMapping is the mapping of the example INI.
func testMapping() *Mapping {
	return &Mapping{
		Warning:  7,
		Critical: 12,
		Hosts: HostMap{
			Default: "{agent}",
			Rules: []HostRule{
				{Match: "web01", Host: "web01.example.com"},
				{Match: "db*", Glob: true, Host: "database-cluster"},
				{Match: "app-?", Glob: true, Host: "{agent}.apps"},
			},
		},
		Services: []ServiceRule{
			{Name: "OSSEC SSH", Groups: []string{"sshd"}},
			{Name: "OSSEC integrity", Rules: []Range{{550, 554}, {594, 594}}},
			{Name: "OSSEC high", Levels: []Range{{13, 16}}},
			{Name: "OSSEC web", Location: "/var/log/apache2/*"},
			{Name: "OSSEC", Groups: nil},
		},
	}
}

func sshAlert() alert.Alert {
	return alert.Alert{
		ID:       "1790275830.2512248",
		Time:     time.Date(2026, 9, 24, 10, 10, 30, 0, time.UTC),
		Rule:     alert.Rule{ID: 5712, Level: 10, Description: "SSHD brute force trying to get access to the system.", Groups: []string{"syslog", "sshd", "authentication_failures"}},
		Agent:    alert.Agent{Name: "web01", IP: "10.0.0.5", ID: "001"},
		Location: "(web01) 10.0.0.5->/var/log/secure",
		SrcIP:    "203.0.113.50",
		User:     "root",
		FullLog: []string{
			"Sep 24 10:10:28 web01 sshd[811]: Failed password for root from 203.0.113.50 port 52334 ssh2",
			"Sep 24 10:10:29 web01 sshd[811]: Failed password for root from 203.0.113.50 port 52334 ssh2",
		},
		Resolved: true,
	}
}

func TestMap(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(a *alert.Alert)
		host    string
		service string
		state   State
	}{
		{"exact agent name, first matching service by group", nil, "web01.example.com", "OSSEC SSH", Warning},
		{"glob agent name", func(a *alert.Alert) { a.Agent.Name = "db07" }, "database-cluster", "OSSEC SSH", Warning},
		{"glob with template", func(a *alert.Alert) { a.Agent.Name = "app-3" }, "app-3.apps", "OSSEC SSH", Warning},
		{"glob does not match", func(a *alert.Alert) { a.Agent.Name = "app-33" }, "app-33", "OSSEC SSH", Warning},
		{"default template", func(a *alert.Alert) { a.Agent.Name = "mail02" }, "mail02", "OSSEC SSH", Warning},
		{"group match is case-insensitive", func(a *alert.Alert) { a.Rule.Groups = []string{"SSHD"} }, "web01.example.com", "OSSEC SSH", Warning},
		{"rule range low end", func(a *alert.Alert) { a.Rule = alert.Rule{ID: 550, Level: 7} }, "web01.example.com", "OSSEC integrity", Warning},
		{"rule range high end", func(a *alert.Alert) { a.Rule = alert.Rule{ID: 554, Level: 7} }, "web01.example.com", "OSSEC integrity", Warning},
		{"single rule id", func(a *alert.Alert) { a.Rule = alert.Rule{ID: 594, Level: 5} }, "web01.example.com", "OSSEC integrity", OK},
		{"just outside the range", func(a *alert.Alert) { a.Rule = alert.Rule{ID: 555, Level: 5} }, "web01.example.com", "OSSEC", OK},
		{"level range", func(a *alert.Alert) { a.Rule = alert.Rule{ID: 1, Level: 13} }, "web01.example.com", "OSSEC high", Critical},
		{"first match wins over later sections", func(a *alert.Alert) { a.Rule.Level = 15 }, "web01.example.com", "OSSEC SSH", Critical},
		{"location glob on the log source", func(a *alert.Alert) {
			a.Rule = alert.Rule{ID: 31101, Level: 5}
			a.Location = "(web01) 10.0.0.5->/var/log/apache2/access.log"
		}, "web01.example.com", "OSSEC web", OK},
		{"location glob, manager-local", func(a *alert.Alert) {
			a.Rule = alert.Rule{ID: 31101, Level: 5}
			a.Location = "/var/log/apache2/error.log"
		}, "web01.example.com", "OSSEC web", OK},
		{"catch-all", func(a *alert.Alert) { a.Rule = alert.Rule{ID: 1002, Level: 2} }, "web01.example.com", "OSSEC", OK},
		{"level at warning", func(a *alert.Alert) { a.Rule.Level = 7 }, "web01.example.com", "OSSEC SSH", Warning},
		{"level below warning", func(a *alert.Alert) { a.Rule.Level = 6 }, "web01.example.com", "OSSEC SSH", OK},
		{"level at critical", func(a *alert.Alert) { a.Rule.Level = 12 }, "web01.example.com", "OSSEC SSH", Critical},
		{"unresolved is UNKNOWN, levels never match", func(a *alert.Alert) {
			*a = alert.Alert{ID: a.ID, Rule: alert.Rule{ID: 5712}, Agent: alert.Agent{Name: "web01"}}
		}, "web01.example.com", "OSSEC", Unknown},
		{"unresolved matches by rule id", func(a *alert.Alert) {
			*a = alert.Alert{ID: a.ID, Rule: alert.Rule{ID: 551}, Agent: alert.Agent{Name: "db1"}}
		}, "database-cluster", "OSSEC integrity", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := sshAlert()
			if tt.mod != nil {
				tt.mod(&a)
			}
			r, err := testMapping().Map(a)
			if err != nil {
				t.Fatal(err)
			}
			if r.Host != tt.host || r.Service != tt.service || r.State != tt.state {
				t.Errorf("got %q / %q / %v, want %q / %q / %v", r.Host, r.Service, r.State, tt.host, tt.service, tt.state)
			}
			if r.AlertID != "1790275830.2512248" {
				t.Errorf("alert id %q", r.AlertID)
			}
		})
	}
}

func TestMapOutput(t *testing.T) {
	const first = "OSSEC rule 5712 (level 10): SSHD brute force trying to get access to the system. src=203.0.113.50 user=root"
	const log1 = "Sep 24 10:10:28 web01 sshd[811]: Failed password for root from 203.0.113.50 port 52334 ssh2"
	const log2 = "Sep 24 10:10:29 web01 sshd[811]: Failed password for root from 203.0.113.50 port 52334 ssh2"
	tests := []struct {
		name string
		out  OutputOptions
		mod  func(a *alert.Alert)
		want string
	}{
		{"flattened by default", OutputOptions{}, nil, first + " :: " + log1 + " :: " + log2},
		{"long output", OutputOptions{LongOutput: true}, nil, first + "\n" + log1 + "\n" + log2},
		{"without log", OutputOptions{OmitLog: true}, nil, first},
		{"template", OutputOptions{Template: "[{state}] {description} rule={rule_id} lvl={level} on {host}/{service} {{literal}} url={field.url} at {time}", OmitLog: true},
			func(a *alert.Alert) { a.Fields = map[string]string{"url": "/admin|x"} },
			"[WARNING] SSHD brute force trying to get access to the system. rule=5712 lvl=10 on web01.example.com/OSSEC SSH {literal} url=/admin\u2502x at 2026-09-24 10:10:30 UTC"},
		{"no src or user when OSSEC says (none)", OutputOptions{OmitLog: true}, func(a *alert.Alert) { a.SrcIP = "(none)"; a.User = "" },
			"OSSEC rule 5712 (level 10): SSHD brute force trying to get access to the system."},
		{"unresolved says so and what argv knew", OutputOptions{}, func(a *alert.Alert) {
			*a = alert.Alert{ID: a.ID, Rule: alert.Rule{ID: 5712}, Agent: alert.Agent{Name: "web01"}, Location: "(web01) 10.0.0.5->/var/log/secure", SrcIP: "203.0.113.50"}
		}, "OSSEC rule 5712: alert 1790275830.2512248 not resolved in the alerts log; only the active-response arguments are known: location=(web01) 10.0.0.5->/var/log/secure -> host=web01.example.com src=203.0.113.50"},
		{"unresolved without rule", OutputOptions{}, func(a *alert.Alert) {
			*a = alert.Alert{ID: "1.2", Agent: alert.Agent{Name: "web01"}}
		}, "OSSEC rule unknown: alert 1.2 not resolved in the alerts log; only the active-response arguments are known: -> host=web01.example.com"},
		{"cut to max length with an ellipsis", OutputOptions{MaxLength: 40}, nil, "OSSEC rule 5712 (level 10): SSHD brut\u2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMapping()
			m.Output = tt.out
			a := sshAlert()
			if tt.mod != nil {
				tt.mod(&a)
			}
			r, err := m.Map(a)
			if err != nil {
				t.Fatal(err)
			}
			if r.Output != tt.want {
				t.Errorf("output\n got: %q\nwant: %q", r.Output, tt.want)
			}
		})
	}
}

func TestMapErrors(t *testing.T) {
	tests := []struct {
		name    string
		m       func(m *Mapping)
		a       func(a *alert.Alert)
		wantErr error
		want    string
	}{
		{"no service matches", func(m *Mapping) { m.Services = m.Services[:1] }, func(a *alert.Alert) { a.Rule.Groups = nil },
			ErrNoService, `map alert "1790275830.2512248": rule 5712: no service matches (add a catch-all [service])`},
		{"empty agent name", nil, func(a *alert.Alert) { a.Agent.Name = "" },
			ErrBadName, `map alert "1790275830.2512248": host template "{agent}": name not deliverable: empty host name`},
		{"agent name with ';'", nil, func(a *alert.Alert) { a.Agent.Name = "x;CRITICAL" },
			ErrBadName, `map alert "1790275830.2512248": host template "{agent}": name not deliverable: host name "x;CRITICAL" holds ';'`},
		{"agent name NSCA would cut", nil, func(a *alert.Alert) { a.Agent.Name = strings.Repeat("a", 64) },
			ErrBadName, `map alert "1790275830.2512248": host template "{agent}": name not deliverable: host name "` + strings.Repeat("a", 64) + `" is 64 bytes, more than the 63 NSCA delivers`},
		{"template result too long", func(m *Mapping) { m.Hosts.Default = "{agent}.very-long-domain-name.example.com" }, func(a *alert.Alert) { a.Agent.Name = "abcdefghijklmnopqrstuvwxyz0123" },
			ErrBadName, `map alert "1790275830.2512248": host template "{agent}.very-long-domain-name.example.com": name not deliverable: host name "abcdefghijklmnopqrstuvwxyz0123.very-long-domain-name.example.com" is 64 bytes, more than the 63 NSCA delivers`},
		{"hostile id is quoted", func(m *Mapping) { m.Services = nil }, func(a *alert.Alert) { a.ID = "1.2\n[1700000000] RESTART_PROGRAM" },
			ErrNoService, `map alert "1.2__1700000000__RESTART_PROGRAM": rule 5712: no service matches (add a catch-all [service])`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMapping()
			if tt.m != nil {
				tt.m(m)
			}
			a := sshAlert()
			tt.a(&a)
			r, err := m.Map(a)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v (result %+v), want %v", err, r, tt.wantErr)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestMapFallback(t *testing.T) {
	m := testMapping()
	m.Hosts.Fallback = "ossec-manager"
	a := sshAlert()
	a.Agent.Name = "evil;host\n[1700000000] RESTART_PROGRAM"
	m.Output.OmitLog = true
	r, err := m.Map(a)
	if err != nil {
		t.Fatal(err)
	}
	if r.Host != "ossec-manager" || r.Service != "OSSEC SSH" {
		t.Errorf("got %q / %q", r.Host, r.Service)
	}
	want := `OSSEC rule 5712 (level 10): SSHD brute force trying to get access to the system. src=203.0.113.50 user=root [host "evil;host\n[1700000000] RESTART_PROGRAM" refused: host name "evil;host\n[1700000000] RESTART_PROGRAM" holds ';']`
	if r.Output != want {
		t.Errorf("output\n got: %q\nwant: %q", r.Output, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(m *Mapping)
		want string // "" means valid
	}{
		{"example", func(m *Mapping) {}, ""},
		{"zero value", func(m *Mapping) { *m = Mapping{} }, ""},
		{"warning above critical", func(m *Mapping) { m.Warning = 13 }, "invalid mapping: levels warning 13, critical 12: want 0 <= warning <= critical <= 16"},
		{"bad host template", func(m *Mapping) { m.Hosts.Default = "{agnet}" }, `invalid mapping: host "{agnet}": unknown placeholder {agnet}`},
		{"literal host with ;", func(m *Mapping) { m.Hosts.Rules[0].Host = "a;b" }, `invalid mapping: name not deliverable: host name "a;b" holds ';'`},
		{"bad host glob", func(m *Mapping) { m.Hosts.Rules[1].Match = "db[" }, `invalid mapping: host glob "db[": syntax error in pattern`},
		{"service name too long", func(m *Mapping) { m.Services[0].Name = strings.Repeat("s", 128) }, `invalid mapping: name not deliverable: service name "` + strings.Repeat("s", 80) + `"... is 128 bytes, more than the 127 NSCA delivers`},
		{"bad location glob", func(m *Mapping) { m.Services[3].Location = "[" }, `invalid mapping: service "OSSEC web": location glob "[": syntax error in pattern`},
		{"bad output template", func(m *Mapping) { m.Output.Template = "{rule_id" }, `invalid mapping: output template: unclosed {`},
		{"lone brace", func(m *Mapping) { m.Output.Template = "a}b" }, `invalid mapping: output template: } without { (write }} for a literal brace)`},
		{"bad fallback", func(m *Mapping) { m.Hosts.Fallback = "a\nb" }, `invalid mapping: fallback: name not deliverable: host name "a\nb" holds the control character U+000A`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMapping()
			tt.mod(m)
			err := m.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrBadMapping) {
				t.Errorf("Validate\n got: %v\nwant: %s", err, tt.want)
			}
		})
	}
}

// Hostile alerts change nothing but their own output: host and service
// stay those of the mapping, and the output holds no byte that would end
// the command-file line or start perfdata.
func TestMapHostile(t *testing.T) {
	forged := "x\n[1700000000] RESTART_PROGRAM\n[1700000000] PROCESS_SERVICE_CHECK_RESULT;web01;OSSEC;0;ok"
	big := strings.Repeat("A", 100*1024)
	tests := []struct {
		name string
		mod  func(a *alert.Alert)
	}{
		{"forged command in log", func(a *alert.Alert) { a.FullLog = []string{forged} }},
		{"forged command in description", func(a *alert.Alert) { a.Rule.Description = forged }},
		{"CR line end", func(a *alert.Alert) { a.FullLog = []string{"a\r[1700000000] RESTART_PROGRAM"} }},
		{"pipe perfdata", func(a *alert.Alert) { a.FullLog = []string{"GET /?a=1|load=99;1;2"}; a.User = "x|y=1" }},
		{"semicolons", func(a *alert.Alert) { a.SrcIP = "1.2.3.4;CRITICAL"; a.FullLog = []string{";;;"} }},
		{"nul", func(a *alert.Alert) { a.FullLog = []string{"a\x00b"}; a.Rule.Description = "d\x00" }},
		{"invalid utf8", func(a *alert.Alert) { a.FullLog = []string{"\xff\xfe\xc3"}; a.User = "\xc3\x28" }},
		{"100 kB log line", func(a *alert.Alert) { a.FullLog = []string{big, big} }},
		{"100 kB description", func(a *alert.Alert) { a.Rule.Description = big }},
		{"long UTF-8 at the cut point", func(a *alert.Alert) { a.FullLog = []string{strings.Repeat("é", 5000)} }},
		{"escape sequences and bidi", func(a *alert.Alert) { a.FullLog = []string{"\x1b[2J\u202eevil\u2028next"} }},
	}
	for _, long := range []bool{false, true} {
		for _, legacy := range []bool{false, true} {
			for _, tt := range tests {
				name := tt.name
				if long {
					name += "/long"
				}
				if legacy {
					name += "/legacy"
				}
				t.Run(name, func(t *testing.T) {
					m := testMapping()
					m.Output.LongOutput = long
					if legacy {
						m.Output.MaxLength = MaxOutputLenLegacy
					}
					a := sshAlert()
					tt.mod(&a)
					r, err := m.Map(a)
					if err != nil {
						t.Fatal(err)
					}
					if r.Host != "web01.example.com" || r.Service != "OSSEC SSH" {
						t.Errorf("host/service changed: %q / %q", r.Host, r.Service)
					}
					checkOutput(t, r.Output, m.Output.MaxLength, long)
					if !strings.HasPrefix(r.Output, "OSSEC rule 5712 (level 10): ") {
						t.Errorf("first line lost: %.80q", r.Output)
					}
				})
			}
		}
	}
}

// checkOutput asserts the output invariants.
func checkOutput(t *testing.T, out string, max int, multiline bool) {
	t.Helper()
	if max <= 0 {
		max = MaxOutputLen
	}
	if len(out) > max {
		t.Errorf("output is %d bytes, more than %d", len(out), max)
	}
	if !utf8Valid(out) {
		t.Errorf("output is not valid UTF-8: %.80q", out)
	}
	for i, r := range out {
		switch {
		case r == '\n' && multiline:
		case r == '|', r == '\r', r == 0, r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029', isBidiControl(r):
			t.Errorf("output holds %U at %d: %.80q", r, i, out)
			return
		}
	}
	if multiline && strings.Contains(out, "\n\n") {
		t.Errorf("output has an empty line: %.80q", out)
	}
}

func TestHostFor(t *testing.T) {
	m := testMapping()
	m.Hosts.Rules = append(m.Hosts.Rules, HostRule{Match: "ip-*", Glob: true, Host: "{agent_id}-{agent_ip}"})
	withFallback := *m
	withFallback.Hosts.Fallback = "ossec-manager"
	tests := []struct {
		name  string
		m     *Mapping
		agent alert.Agent
		want  string
		err   error
	}{
		{"exact rule", m, alert.Agent{Name: "web01"}, "web01.example.com", nil},
		{"glob rule", m, alert.Agent{Name: "db07", ID: "007"}, "database-cluster", nil},
		{"template", m, alert.Agent{Name: "app-3"}, "app-3.apps", nil},
		{"default", m, alert.Agent{Name: "mail01"}, "mail01", nil},
		{"id and ip", m, alert.Agent{Name: "ip-x", ID: "004", IP: "10.0.0.4"}, "004-10.0.0.4", nil},
		// The same agent in an alert: the generator's host is where the alert lands.
		{"bad name without fallback", m, alert.Agent{Name: "web;01"}, "", ErrBadName},
		{"bad name with fallback", &withFallback, alert.Agent{Name: "web;01"}, "ossec-manager", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.m.HostFor(tt.agent)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("HostFor(%+v) = %q, %v; want %q, %v", tt.agent, got, err, tt.want, tt.err)
			}
			if err != nil {
				return
			}
			a := sshAlert()
			a.Agent = tt.agent
			a.Location = "(" + tt.agent.Name + ") any->/var/log/secure"
			if r, err := tt.m.Map(a); err != nil || r.Host != got {
				t.Errorf("Map of an alert from the agent: host %q, %v; HostFor gave %q", r.Host, err, got)
			}
		})
	}
}

// TestSendable is the state decision: only news changes state.
func TestSendable(t *testing.T) {
	sendOK := func(m *Mapping) { m.Services[0].SendOK = true } // OSSEC SSH only
	tests := []struct {
		name   string
		mod    func(m *Mapping)
		alert  func(a *alert.Alert)
		state  State
		send   bool
		reason string
	}{
		{"level 10 brute force: WARNING is sent", nil, nil, Warning, true, ""},
		{"level 12: CRITICAL is sent", nil, func(a *alert.Alert) { a.Rule.Level = 12 }, Critical, true, ""},
		{"level 3 authentication success: OK is not sent", nil, func(a *alert.Alert) { a.Rule.ID, a.Rule.Level = 5715, 3 }, OK, false, ReasonNotNews},
		{"level 6, just below warning: not sent", nil, func(a *alert.Alert) { a.Rule.Level = 6 }, OK, false, ReasonNotNews},
		{"level 0: not sent", nil, func(a *alert.Alert) { a.Rule.Level = 0 }, OK, false, ReasonNotNews},
		{"unresolved: UNKNOWN is sent", nil, func(a *alert.Alert) { a.Resolved = false; a.Rule.Level = 0 }, Unknown, true, ""},
		{"send_ok on the service: OK is sent", sendOK, func(a *alert.Alert) { a.Rule.Level = 3 }, OK, true, ""},
		{"send_ok on another service: OK is not sent", sendOK, func(a *alert.Alert) { a.Rule.Level = 3; a.Rule.Groups = []string{"syslog"} }, OK, false, ReasonNotNews},
		{"warning 0: every resolved alert is at least WARNING", func(m *Mapping) { m.Warning = 0 }, func(a *alert.Alert) { a.Rule.Level = 0 }, Warning, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMapping()
			if tt.mod != nil {
				tt.mod(m)
			}
			a := sshAlert()
			if tt.alert != nil {
				tt.alert(&a)
			}
			r, err := m.Map(a)
			if err != nil {
				t.Fatal(err)
			}
			if r.State != tt.state {
				t.Fatalf("state %v, want %v", r.State, tt.state)
			}
			send, reason := m.Sendable(r)
			if send != tt.send || reason != tt.reason {
				t.Errorf("Sendable = %v, %q; want %v, %q", send, reason, tt.send, tt.reason)
			}
		})
	}
}
