package bridge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

func wazuh5Alert(t *testing.T, name string, edit func(string) string) alert.Alert {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("alert", "testdata", "wazuh5", name))
	if err != nil {
		t.Fatal(err)
	}
	line := string(b)
	if edit != nil {
		line = edit(line)
	}
	m, err := alert.ParseARMessage([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	return m.Alert
}

// TestMapWazuh5: host, service, state and output of 5.x alerts through
// one mapping that also serves 4.x, as the INI in the README has it.
func TestMapWazuh5(t *testing.T) {
	const sqlUID = "5af54681-df95-4c26-854f-2565e13cfab0"
	m := &Mapping{
		Warning: 7, Critical: 12,
		Hosts: HostMap{Fallback: "mail01"},
		Services: []ServiceRule{
			{Name: "OSSEC SSH", Groups: []string{"sshd", "attack.credential-access"}},
			{Name: "OSSEC web", Rules: []Range{{31100, 31199}}, RuleUIDs: []string{strings.ToUpper(sqlUID)}},
			{Name: "Sev", Levels: []Range{{14, 16}}},
			{Name: "OSSEC"},
		},
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	setLevel := func(l string) func(string) string {
		if l == "" {
			return func(s string) string { return strings.Replace(s, `"level":"low",`, "", 1) }
		}
		return func(s string) string { return strings.Replace(s, `"level":"low"`, l, 1) }
	}
	cases := []struct {
		name, file string
		edit       func(string) string
		m          *Mapping
		host, svc  string
		state      State
		outPrefix  string
	}{
		{"SSH, low: below warning = 7 (medium)", "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", nil, m, "ubuntu24", "OSSEC SSH", OK,
			"Wazuh rule d5cc0e71-bcbb-4adc-98de-caed210cebf2 (level low): Failed authentication attempt - vagrant from 192.168.56.1 src=192.168.56.1 user=vagrant :: Aug 20 14:03:11 ubuntu-2404 sshd"},
		{"medium is WARNING", "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", setLevel(`"level":"medium"`), m, "ubuntu24", "OSSEC SSH", Warning, "Wazuh rule d5cc0e71-bcbb-4adc-98de-caed210cebf2 (level medium)"},
		{"high is CRITICAL (critical = 12: band high)", "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", setLevel(`"level":"high"`), m, "ubuntu24", "OSSEC SSH", Critical, ""},
		{"no level: WARNING", "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", setLevel(``), m, "ubuntu24", "OSSEC SSH", Warning, "Wazuh rule d5cc0e71-bcbb-4adc-98de-caed210cebf2 (level unknown)"},
		{"low with warning = 7 | low", "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", nil, &Mapping{Warning: 7, Critical: 12, WarningSeverity: "low", CriticalSeverity: "critical", Services: m.Services}, "ubuntu24", "OSSEC SSH", Warning, ""},
		{"high with critical = 12 | critical", "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", setLevel(`"level":"high"`), &Mapping{Warning: 7, Critical: 12, CriticalSeverity: "critical", Services: m.Services}, "ubuntu24", "OSSEC SSH", Warning, ""},
		{"rule UUID, any case; host = the agent that saw it", "wazuh5-SYNTH-B-stdin1-enable-stateless-defined-agent.ndjson", nil, m, "web-fe-01", "OSSEC web", Critical,
			"Wazuh rule 5af54681-df95-4c26-854f-2565e13cfab0 (level high): SQL injection attempt src=203.0.113.77 :: 203.0.113.77 - - [20/Aug/2026"},
		{"levels = 14-16 takes critical", "wazuh5-SYNTH-B-stdin1-enable-stateless-defined-agent.ndjson", func(s string) string {
			return strings.Replace(strings.Replace(s, sqlUID, "00000000-0000-0000-0000-000000000000", 2), `"level":"high"`, `"level":"critical"`, 1)
		}, m, "web-fe-01", "Sev", Critical, ""},
		{"no agent, no rule: fallback host, catch-all", "wazuh5-execd-unit-stdin1-enable-stateless.ndjson", nil, m, "mail01", "OSSEC", Warning, "Wazuh rule unknown (level unknown): (no rule title) src=10.0.0.1 user=root [host \"\" refused: empty host name] :: Test event"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := wazuh5Alert(t, tc.file, tc.edit)
			r, err := tc.m.Map(a)
			if err != nil {
				t.Fatal(err)
			}
			if r.Host != tc.host || r.Service != tc.svc || r.State != tc.state {
				t.Errorf("got %s / %s / %s, want %s / %s / %s", r.Host, r.Service, r.State, tc.host, tc.svc, tc.state)
			}
			if !strings.HasPrefix(r.Output, tc.outPrefix) {
				t.Errorf("output %q\nwant prefix %q", r.Output, tc.outPrefix)
			}
		})
	}
	// A 60 KiB event.original: the output stays within the limit.
	a := wazuh5Alert(t, "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", func(s string) string {
		return strings.Replace(s, `"original":"Aug`, `"original":"`+strings.Repeat("x", 60<<10)+`Aug`, 1)
	})
	if r, err := m.Map(a); err != nil || len(r.Output) > MaxOutputLen {
		t.Errorf("60 KiB log: %d bytes, %v", len(r.Output), err)
	}
	// 4.x alerts are untouched by the 5.x keys: rule 31106 in the range.
	r, err := m.Map(alert.Alert{Resolved: true, Rule: alert.Rule{ID: 31106, Level: 12}, Agent: alert.Agent{Name: "web01"}})
	if err != nil || r.Service != "OSSEC web" || r.State != Critical {
		t.Errorf("4.x: %+v, %v", r, err)
	}
	r, err = m.Map(alert.Alert{Resolved: true, Rule: alert.Rule{ID: 5, Level: 6}, Agent: alert.Agent{Name: "web01"}})
	if err != nil || r.Service != "OSSEC" || r.State != OK {
		t.Errorf("4.x below warning: %+v, %v", r, err)
	}
}

func TestWazuh5Template(t *testing.T) {
	m := &Mapping{Warning: 7, Critical: 12, Services: []ServiceRule{{Name: "S"}},
		Output: OutputOptions{Template: "{rule_id} {level} {field.wazuh.active_response.name} {agent}", OmitLog: true}}
	r, err := m.Map(wazuh5Alert(t, "wazuh5-SYNTH-B-stdin1-enable-stateless-defined-agent.ndjson", nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := "5af54681-df95-4c26-854f-2565e13cfab0 high nagios-passive web-fe-01"; r.Output != want {
		t.Errorf("output %q, want %q", r.Output, want)
	}
}

func TestWazuh5BadThresholds(t *testing.T) {
	for _, m := range []*Mapping{
		{Warning: 7, Critical: 12, WarningSeverity: "severe"},
		{Warning: 7, Critical: 12, WarningSeverity: "critical", CriticalSeverity: "high"},
	} {
		if err := m.Validate(); err == nil {
			t.Errorf("%+v: valid", m)
		}
	}
}
