package nagioscfg

import (
	"strings"
	"testing"
	"time"
)

func TestWazuh5SetupGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Wazuh5
	}{
		{"wazuh5-stateful", Wazuh5{AgentID: "007", Recovery: 10 * time.Minute, CheckKeys: true,
			Severities: []string{"medium", "high", "critical"}, RuleUIDs: []string{"5af54681-df95-4c26-854f-2565e13cfab0"}}},
		{"wazuh5-stateless", Wazuh5{Executable: "nagios-bridge", Severities: []string{"low", "medium", "high", "critical"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Wazuh5Setup(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".txt", b)
		})
	}
}

func TestWazuh5Setup(t *testing.T) {
	b, err := Wazuh5Setup(Wazuh5{Recovery: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"stateful_timeout = 60", "check_keys = no", "location         = defined-agent", "<ID of the agent that runs the bridge>", "query            = every finding"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %q in\n%s", want, b)
		}
	}
	for _, bad := range []Wazuh5{{Executable: "../x"}, {Executable: ".."}, {AgentID: "1\n2"}} {
		if _, err := Wazuh5Setup(bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
