package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestWazuh5Keys: the INI expresses Wazuh 5 levels and rule ids in the
// keys it has.
func TestWazuh5Keys(t *testing.T) {
	c := mustLoad(t, `[nsca]
server = 127.0.0.1
[states]
warning  = 7 | medium
critical = 12|CRITICAL
[service "SSH"]
groups = sshd, attack.credential-access
rules  = 5710-5712, D5CC0E71-bcbb-4adc-98de-caed210cebf2, 5716
levels = 10-16, medium
[service "All"]
`)
	if c.States.Warning != 7 || c.States.Critical != 12 || c.States.WarningSeverity != "medium" || c.States.CriticalSeverity != "critical" {
		t.Errorf("states %+v", c.States)
	}
	s := c.Services[0]
	if !reflect.DeepEqual(s.Rules, []Range{{5710, 5712}, {5716, 5716}}) || !reflect.DeepEqual(s.RuleUIDs, []string{"d5cc0e71-bcbb-4adc-98de-caed210cebf2"}) {
		t.Errorf("rules %v %v", s.Rules, s.RuleUIDs)
	}
	if !reflect.DeepEqual(s.Levels, []Range{{10, 16}, {7, 9}}) {
		t.Errorf("levels %v", s.Levels)
	}
	if !reflect.DeepEqual(s.Groups, []string{"sshd", "attack.credential-access"}) {
		t.Errorf("groups %v", s.Groups)
	}
	// Without "| keyword" nothing is set: the band of the number decides.
	c = mustLoad(t, "[nsca]\nserver = h\n[states]\nwarning = 7\n[service \"A\"]\nrules = d5cc0e71-bcbb-4adc-98de-caed210cebf2\n")
	if c.States.WarningSeverity != "" || len(c.Services[0].Rules) != 0 || len(c.Services[0].RuleUIDs) != 1 {
		t.Errorf("%+v %+v", c.States, c.Services[0])
	}
}

func TestWazuh5KeyErrors(t *testing.T) {
	for text, want := range map[string]string{
		"[states]\nwarning = 7 | severe\n":                       `"severe" after | is not a Wazuh 5 level`,
		"[states]\nwarning = medium\n":                           `"medium" is not a number`,
		"[states]\nwarning = 7 | high\ncritical = 12 | medium\n": "Wazuh 5 level high is above critical's medium",
		"[states]\nwarning = 7 | critical\n":                     "Wazuh 5 level critical is above critical's high",
		"[service \"A\"]\nrules = d5cc0e71-bcbb-4adc-98de\n":     "neither a rule id, a range nor a Wazuh 5 rule UUID",
		"[service \"A\"]\nrules = 5710-5712, zz\n":               `"zz"`,
		"[service \"A\"]\nlevels = severe\n":                     `"severe"`,
	} {
		_, err := load(t, "[nsca]\nserver = h\n"+text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}
