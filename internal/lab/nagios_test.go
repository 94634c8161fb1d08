package lab

import (
	"strings"
	"testing"
	"time"
)

const labService = `define host {
    host_name           web01
    max_check_attempts  1
    check_period        24x7
    contact_groups      security
}

define service {
    host_name               web01
    service_description     ossec-alert
    check_command           lab-reset
    max_check_attempts      1
    active_checks_enabled   0
    passive_checks_enabled  1
    check_period            24x7
    notification_period     24x7
    notification_options    w,u,c
    contact_groups          security
}

define command {
    command_name  lab-reset
    command_line  ` + CheckDummy + ` 0 reset
}
`

func TestVerifyNagios(t *testing.T) {
	tests := []struct {
		name    string
		objects []string
		clean   bool
		problem string
	}{
		{name: "lab objects and one service", objects: []string{labService}, clean: true},
		{name: "no services", objects: nil, problem: "There are no"},
		{
			name: "duplicate service warns with zero total",
			objects: []string{labService, `define service {
    host_name               web01
    service_description     ossec-alert
    check_command           lab-reset
    max_check_attempts      1
}
`},
			problem: "Duplicate definition",
		},
		{
			name:    "unknown contact group",
			objects: []string{strings.Replace(labService, "contact_groups          security", "contact_groups          nobody", 1)},
			problem: "nobody",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := NewNagiosLab(t, tc.objects...).Verify(t)
			if v.Clean() != tc.clean {
				t.Fatalf("Clean() = %v, want %v: %s", v.Clean(), tc.clean, v)
			}
			if tc.problem != "" && !strings.Contains(strings.Join(v.Problems, "\n"), tc.problem) {
				t.Fatalf("problems %q do not mention %q\n%s", v.Problems, tc.problem, v.Output)
			}
		})
	}
}

func TestStockNagiosConfig(t *testing.T) {
	dir := ShortTempDir(t)
	v := VerifyNagios(t, StockNagiosConfig(t, dir))
	if !v.Clean() {
		t.Fatalf("the stock configuration copy is not clean: %s", v)
	}
}

func TestNagiosLabRoundTrip(t *testing.T) {
	l := NewNagiosLab(t, labService)
	l.Start(t)
	l.SendNSCA(t,
		PassiveResult{Host: "web01", Service: "ossec-alert", Code: 2, Output: "rule 5710: attempt to login\nsecond line"},
		PassiveResult{Host: "web01", Service: "no-such-service", Code: 1, Output: "dropped"},
	)
	st := l.WaitService(t, "web01", "ossec-alert", 10*time.Second, func(s ServiceStatus) bool { return s.State == 2 })
	if st.Output != "rule 5710: attempt to login" || st.LongOutput != "second line" || st.StateType != 1 {
		t.Errorf("status = %+v", st)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(l.Log(), "could not be found") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(l.Log(), "no-such-service") {
		t.Errorf("nagios.log does not mention the unknown service:\n%s", l.Log())
	}
	for time.Now().Before(deadline) && len(l.Notifications()) == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	if n := l.Notifications(); len(n) != 1 || !strings.HasPrefix(n[0], "CRITICAL\tweb01\tossec-alert\t") {
		t.Errorf("notifications = %q", n)
	}
}

func TestParseStatus(t *testing.T) {
	in := `info {
	created=1
	}

hoststatus {
	host_name=web01
	current_state=0
	}

servicestatus {
	host_name=web01
	service_description=OSSEC SSH
	check_type=1
	current_state=2
	state_type=1
	plugin_output=a=b; c
	long_plugin_output=x\ny
	performance_data=level=10
	last_check=1700000000
	}
`
	got, err := ParseStatus(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d services, want 1: %+v", len(got), got)
	}
	s := got[0]
	if s.Host != "web01" || s.Service != "OSSEC SSH" || s.State != 2 || s.StateType != 1 || s.CheckType != 1 ||
		s.Output != "a=b; c" || s.LongOutput != `x\ny` || s.PerfData != "level=10" || s.LastCheck != 1700000000 {
		t.Errorf("got %+v", s)
	}
}

func TestVerifyIcinga2(t *testing.T) {
	const good = `object Host "web01" { check_command = "dummy" }
object Service "ossec-alert" { host_name = "web01"; check_command = "dummy" }
`
	tests := []struct {
		name    string
		stock   bool
		objects string
		clean   bool
		problem string
	}{
		{name: "itl only", objects: good, clean: true},
		{name: "stock", stock: true, objects: good, clean: true},
		{name: "nagios attribute", objects: good + `object Service "x" { host_name = "web01"; check_command = "dummy"; is_volatile = 1 }`, problem: "is_volatile"},
		{name: "unknown host", objects: `object Service "x" { host_name = "web02"; check_command = "dummy" }`, problem: "web02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := VerifyIcinga2(t, tc.stock, tc.objects)
			if v.Clean() != tc.clean {
				t.Fatalf("Clean() = %v, want %v: %s", v.Clean(), tc.clean, v)
			}
			if tc.problem != "" && !strings.Contains(v.Output, tc.problem) {
				t.Fatalf("output does not mention %q: %s", tc.problem, v)
			}
		})
	}
}
