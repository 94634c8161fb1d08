package nagioscfg

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// Objects that the user's configuration would define for each golden case
// (beside lab.NagiosLabObjects: 24x7 and the contact group security).
var nagiosSupport = map[string]string{
	"hosts-and-overrides": `define contactgroup {
    contactgroup_name  ops
    alias              ops
    members            lab
}
`,
	"no-hosts-no-reset": `define host {
    host_name           web01
    max_check_attempts  1
    check_period        24x7
    contact_groups      security
}

define contact {
    contact_name                   oncall
    host_notifications_enabled     0
    host_notification_period       24x7
    service_notification_period    24x7
    host_notification_options      n
    service_notification_options   w,u,c
    host_notification_commands     lab-notify
    service_notification_commands  lab-notify
}

define timeperiod {
    timeperiod_name  workhours
    alias            workhours
    monday           09:00-17:00
}

define timeperiod {
    timeperiod_name  always
    alias            always
    sunday           00:00-24:00
}
`,
	"heartbeat-cluster-existing": `define host {
    host_name           localhost
    address             127.0.0.1
    max_check_attempts  1
    check_period        24x7
    contact_groups      security
}
`,
}

// Icinga 2 objects the user would define, for the ITL-only validation.
var icingaSupport = map[string]string{
	"hosts-and-overrides": `object TimePeriod "24x7" { ranges = { monday = "00:00-24:00" } }
object UserGroup "security" { }
object UserGroup "ops" { }
object User "lab" { groups = [ "security", "ops" ] }
object NotificationCommand "mail-service-notification" { command = [ "/bin/true" ] }
`,
	"no-hosts-no-reset": `object TimePeriod "24x7" { ranges = { monday = "00:00-24:00" } }
object TimePeriod "workhours" { ranges = { monday = "09:00-17:00" } }
object User "oncall" { }
object Host "web01" { check_command = "dummy" }
object NotificationCommand "sec-notify" { command = [ "/bin/true" ] }
`,
	"heartbeat-cluster-existing": `object TimePeriod "24x7" { ranges = { monday = "00:00-24:00" } }
object UserGroup "security" { }
object User "lab" { groups = [ "security" ] }
object NotificationCommand "mail-service-notification" { command = [ "/bin/true" ] }
object Host "localhost" { check_command = "dummy" }
`,
}

func TestNagiosValidates(t *testing.T) {
	for _, tc := range configCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Nagios(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.cfg.CheckDummy != "" {
				// The file would run a check_dummy that does not exist here.
				out = []byte(strings.ReplaceAll(string(out), tc.cfg.CheckDummy, lab.CheckDummy))
			}
			v := lab.NewNagiosLab(t, string(out), nagiosSupport[tc.name]).Verify(t)
			if !v.Clean() {
				t.Fatalf("nagios4 -v: %s", v)
			}
		})
	}
	t.Run("duplicate would have passed nagios4", func(t *testing.T) {
		// Why the generator refuses duplicates itself: nagios4 -v exits 0.
		out, _ := Nagios(Config{Defaults: security, Hosts: []Host{{Name: "web01"}},
			Services: []Service{{Host: "web01", Name: "OSSEC", Settings: security}}})
		svc := out[strings.LastIndex(string(out), "define service {"):]
		v := lab.NewNagiosLab(t, string(out), string(svc)).Verify(t)
		if v.RC != 0 || v.Clean() {
			t.Fatalf("expected rc 0 with a Warning line: %s", v)
		}
	})
}

func TestNagiosValidatesInStockConfig(t *testing.T) {
	admins := Settings{ContactGroups: []string{"admins"}, QuietPeriod: time.Hour, Volatile: true}
	out, err := Nagios(Config{
		Defaults: admins,
		Hosts:    []Host{{Name: "web01", Address: "192.0.2.10"}},
		Services: []Service{
			{Host: "web01", Name: "OSSEC", Settings: admins},
			{Host: "web01", Name: "OSSEC SSH", Settings: admins},
			// localhost is defined by the stock objects/localhost.cfg.
			{Host: "localhost", Name: "OSSEC", Settings: admins},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := lab.ShortTempDir(t)
	f := filepath.Join(dir, "ossec-nagios.cfg")
	if err := os.WriteFile(f, out, 0o600); err != nil {
		t.Fatal(err)
	}
	v := lab.VerifyNagios(t, lab.StockNagiosConfig(t, dir, f))
	if !v.Clean() {
		t.Fatalf("nagios4 -v with the stock configuration: %s", v)
	}
}

func TestIcinga2Validates(t *testing.T) {
	for _, tc := range configCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Icinga2(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			v := lab.VerifyIcinga2(t, false, string(out), icingaSupport[tc.name])
			if !v.Clean() {
				t.Fatalf("icinga2 daemon -C: %s", v)
			}
		})
	}
	t.Run("stock configuration", func(t *testing.T) {
		admins := Settings{ContactGroups: []string{"icingaadmins"}, QuietPeriod: time.Hour, Volatile: true}
		out, err := Icinga2(Config{
			Defaults: admins,
			Hosts:    []Host{{Name: "web01", Address: "192.0.2.10"}, {Name: "web02", Address: "2001:db8::2"}},
			Services: []Service{
				{Host: "web01", Name: "OSSEC", Settings: admins},
				{Host: "web02", Name: "OSSEC SSH", Settings: with(admins, func(s *Settings) { s.NotificationOptions = "w,c,r"; s.QuietPeriod = 0 })},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		v := lab.VerifyIcinga2(t, true, string(out))
		if !v.Clean() {
			t.Fatalf("icinga2 daemon -C with the stock configuration: %s", v)
		}
	})
}

// TestNagiosRoundTrip starts nagios4 with the generated objects and the
// real nsca, sends one result per (host, service) with the real send_nsca,
// and finds every one in status.dat; one service then resets to OK after
// its quiet period, and a volatile one notifies on each alert.
func TestNagiosRoundTrip(t *testing.T) {
	hosts := []string{"web01", "db-02.example.com", "ossec-manager"}
	names := []string{"OSSEC", "OSSEC SSH", "OSSEC integrity"}
	cfg := Config{Defaults: security}
	for _, h := range hosts {
		cfg.Hosts = append(cfg.Hosts, Host{Name: h})
		for _, n := range names {
			s := Service{Host: h, Name: n, Settings: security}
			if h == "web01" && n == "OSSEC integrity" {
				s.QuietPeriod = 2 * time.Second
			}
			cfg.Services = append(cfg.Services, s)
		}
	}
	out, err := Nagios(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := lab.NewNagiosLab(t, string(out))
	l.Start(t)

	// What Nagios itself resolved (objects.cache) holds every pair, and
	// reading the generated file gives the same pairs.
	cache, err := os.Open(filepath.Join(l.Dir, "objects.cache"))
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	fromCache, err := ParseObjects(cache)
	if err != nil {
		t.Fatalf("objects.cache: %v", err)
	}
	fromFile, err := ParseObjects(strings.NewReader(string(out)))
	if err != nil {
		t.Fatalf("generated file: %v", err)
	}
	for _, s := range cfg.Services {
		if !fromCache.HasService(s.Host, s.Name) || !fromFile.HasService(s.Host, s.Name) {
			t.Errorf("(%s, %s): in objects.cache %v, in the generated file %v", s.Host, s.Name,
				fromCache.HasService(s.Host, s.Name), fromFile.HasService(s.Host, s.Name))
		}
	}
	if len(fromFile.Services) != len(cfg.Services) {
		t.Errorf("generated file: %d services, want %d", len(fromFile.Services), len(cfg.Services))
	}
	for _, h := range hosts {
		if !fromCache.Hosts[h] {
			t.Errorf("objects.cache lacks host %s", h)
		}
	}

	var sent []lab.PassiveResult
	for i, s := range cfg.Services {
		sent = append(sent, lab.PassiveResult{Host: s.Host, Service: s.Name, Code: 1 + i%3,
			Output: fmt.Sprintf("alert %d for %s on %s", i, s.Name, s.Host)})
	}
	l.SendNSCA(t, sent...)
	for _, r := range sent {
		if r.Host == "web01" && r.Service == "OSSEC integrity" {
			continue // may already be reset; checked below
		}
		st := l.WaitService(t, r.Host, r.Service, 10*time.Second, func(s lab.ServiceStatus) bool { return s.LastCheck > 0 })
		if st.State != r.Code || st.Output != r.Output || st.StateType != 1 || st.CheckType != 1 {
			t.Errorf("(%s, %s): status %d %q type %d check %d, want %d %q HARD passive",
				r.Host, r.Service, st.State, st.Output, st.StateType, st.CheckType, r.Code, r.Output)
		}
	}
	if strings.Contains(l.Log(), "could not be found") {
		t.Errorf("nagios dropped results:\n%s", l.Log())
	}

	// The quiet-period reset: back to OK by check_dummy.
	st := l.WaitService(t, "web01", "OSSEC integrity", 15*time.Second, func(s lab.ServiceStatus) bool {
		return s.State == 0 && s.Output != "" && s.LastCheck > 0
	})
	if !strings.Contains(st.Output, ResetText) {
		t.Errorf("reset output %q does not hold %q", st.Output, ResetText)
	}

	// Volatile: a second CRITICAL in the same state notifies again.
	count := func() int {
		n := 0
		for _, line := range l.Notifications() {
			if strings.HasPrefix(line, "CRITICAL\tweb01\tOSSEC SSH\t") {
				n++
			}
		}
		return n
	}
	before := count()
	l.SendNSCA(t, lab.PassiveResult{Host: "web01", Service: "OSSEC SSH", Code: 2, Output: "again"},
		lab.PassiveResult{Host: "web01", Service: "OSSEC SSH", Code: 2, Output: "and again"})
	deadline := time.Now().Add(10 * time.Second)
	for count() < before+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := count(); got != before+2 {
		t.Errorf("volatile service: %d CRITICAL notifications after two more alerts, want %d\n%q", got, before+2, l.Notifications())
	}
}
