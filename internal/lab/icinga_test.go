package lab

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestIcingaQuote(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "web01", `"web01"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"control", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"filter breakout", `x" || service.name != "`, `"x\" || service.name != \""`},
		{"unicode", "héllo ✓", `"héllo ✓"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IcingaQuote(tc.in); got != tc.want {
				t.Errorf("IcingaQuote(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// TestIcingaLab starts the real icinga2, posts one result with the lab's
// own request code and reads it back, and checks that a hostile service
// name defined through IcingaQuote exists as one object.
func TestIcingaLab(t *testing.T) {
	hostile := `x" || "1" == "1`
	t0 := time.Now()
	s := StartIcinga(t, IcingaOptions{Objects: []string{IcingaPassiveObjects("web01", "ossec-alert", hostile)}})
	t.Logf("icinga2 API ready after %v", time.Since(t0))

	if c := s.Service(t, "web01", "ossec-alert"); c.HasResult {
		t.Fatalf("fresh service already has a result: %+v", c)
	}
	code, body, err := s.do(http.MethodPost, "/v1/actions/process-check-result", map[string]any{
		"type": "Service", "service": "web01!ossec-alert", "exit_status": 2, "plugin_output": "lab test", "check_source": "lab",
	})
	if err != nil || code != http.StatusOK {
		t.Fatalf("process-check-result: %d %v %s", code, err, body)
	}
	c := s.Service(t, "web01", "ossec-alert")
	if c.State != 2 || c.Output != "lab test" || c.Source != "lab" || !c.HasResult {
		t.Errorf("read back %+v, want state 2, output %q, source lab", c, "lab test")
	}
	all := s.Services(t)
	if len(all) != 2 {
		t.Fatalf("services = %v, want 2", all)
	}
	if h, ok := all["web01!"+hostile]; !ok || h.HasResult {
		t.Errorf("hostile service %q: %+v, present %v; want present without a result", hostile, h, ok)
	}
	if h := s.Host(t, "web01"); h.Name != "web01" || h.HasResult {
		t.Errorf("host web01 = %+v, want it without a result", h)
	}

	t1 := time.Now()
	s.Stop(t)
	t.Logf("icinga2 stopped in %v", time.Since(t1))
	if s.ready() {
		t.Error("API still answers after Stop")
	}
	if strings.Contains(s.LogTail(), s.Password) {
		t.Error("the password appears in the daemon output or log")
	}
}
