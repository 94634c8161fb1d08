package nagioscfg

import (
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// heartbeatConfig has the heartbeat on a generated host, with a short
// threshold for the tests.
func heartbeatConfig(group string, stale time.Duration) Config {
	d := Settings{ContactGroups: []string{group}, QuietPeriod: time.Hour, Volatile: true}
	return Config{
		Defaults:  d,
		Hosts:     []Host{{Name: "ossec-manager"}},
		Services:  []Service{{Host: "ossec-manager", Name: "OSSEC", Settings: d}},
		Heartbeat: Heartbeat{Host: "ossec-manager", Service: "OSSEC bridge", Stale: stale},
	}
}

// TestHeartbeatNagios: in a real nagios4, the generated heartbeat service
// stays OK while heartbeats arrive, goes CRITICAL naming the causes when
// none arrived for the threshold (the freshness check runs check_dummy 2),
// pages, and pages the recovery when heartbeats come back.
func TestHeartbeatNagios(t *testing.T) {
	const stale = 3 * time.Second
	out, err := Nagios(heartbeatConfig("security", stale))
	if err != nil {
		t.Fatal(err)
	}
	l := lab.NewNagiosLab(t, string(out))
	l.Start(t)
	hb := lab.PassiveResult{Host: "ossec-manager", Service: "OSSEC bridge", Code: 0, Output: "ossec-nagios heartbeat"}
	l.SendNSCA(t, hb)
	last := time.Now()
	critical := "CRITICAL\tossec-manager\tOSSEC bridge\tCRITICAL: " + HeartbeatText(stale)
	lines := l.WaitNotifications(t, stale+20*time.Second, func(lines []string) bool {
		return len(lines) > 0
	})
	took := time.Since(last)
	if len(lines) != 1 || lines[0] != critical {
		t.Fatalf("notifications %q, want one: %q", lines, critical)
	}
	if took < stale {
		t.Errorf("CRITICAL %s after the last heartbeat, before the %s threshold", took, stale)
	}
	t.Logf("heartbeat CRITICAL and paged %s after the last heartbeat (threshold %s, freshness checked every 1 s)", took.Round(10*time.Millisecond), stale)

	l.SendNSCA(t, hb)
	l.WaitNotifications(t, 10*time.Second, func(lines []string) bool {
		return len(lines) == 2 && lines[1] == "OK\tossec-manager\tOSSEC bridge\tossec-nagios heartbeat"
	})
	if strings.Contains(l.Log(), "SERVICE NOTIFICATION: lab;ossec-manager;OSSEC;") {
		t.Errorf("the alert service notified")
	}
}

// TestHeartbeatIcinga2: the same in a real icinga2 on the stock
// configuration: check_interval is the threshold, the dummy check the
// CRITICAL, the stock user icingaadmin is notified by the stock command.
func TestHeartbeatIcinga2(t *testing.T) {
	const stale = 3 * time.Second
	out, err := Icinga2(heartbeatConfig("icingaadmins", stale))
	if err != nil {
		t.Fatal(err)
	}
	ic := lab.StartStockIcinga(t, string(out))
	ic.ProcessCheckResult(t, "ossec-manager", "OSSEC bridge", 0, "ossec-nagios heartbeat")
	last := time.Now()
	has := func(lines []string, want ...string) bool {
		for _, line := range lines {
			all := true
			for _, w := range want {
				all = all && strings.Contains(line, w)
			}
			if all {
				return true
			}
		}
		return false
	}
	crit := []string{"-e OSSEC bridge", "-l ossec-manager", "-r root@localhost", "-s CRITICAL", "-t PROBLEM", "-o " + HeartbeatText(stale)}
	ic.WaitNotifications(t, stale+20*time.Second, func(lines []string) bool { return has(lines, crit...) })
	took := time.Since(last)
	if took < stale {
		t.Errorf("CRITICAL %s after the last heartbeat, before the %s threshold", took, stale)
	}
	t.Logf("heartbeat CRITICAL and notified %s after the last heartbeat (check_interval %s)", took.Round(10*time.Millisecond), stale)
	ic.ProcessCheckResult(t, "ossec-manager", "OSSEC bridge", 0, "ossec-nagios heartbeat")
	ic.WaitNotifications(t, 10*time.Second, func(lines []string) bool {
		return has(lines, "-e OSSEC bridge", "-s OK", "-t RECOVERY")
	})
}

func TestSilent(t *testing.T) {
	none := Settings{QuietPeriod: time.Hour}
	tests := []struct {
		name string
		cfg  Config
		want []string // host!service
	}{
		{"all page", heartbeatCase, nil},
		{"no routing anywhere", Config{Defaults: none, Services: []Service{{Host: "web01", Name: "OSSEC", Settings: none}},
			Heartbeat: Heartbeat{Host: "mgr", Service: "OSSEC bridge", Stale: time.Minute}},
			[]string{"web01!OSSEC", "mgr!OSSEC bridge"}},
		{"one service with n", Config{Defaults: security, Services: []Service{
			{Host: "web01", Name: "OSSEC", Settings: security},
			{Host: "web01", Name: "OSSEC quiet", Settings: with(security, func(s *Settings) { s.NotificationOptions = "n" })},
		}}, []string{"web01!OSSEC quiet"}},
		{"one service without contacts", Config{Defaults: security, Services: []Service{
			{Host: "web01", Name: "OSSEC", Settings: with(security, func(s *Settings) { s.ContactGroups = nil })},
			{Host: "web01", Name: "OSSEC SSH", Settings: with(security, func(s *Settings) { s.ContactGroups = nil; s.Contacts = []string{"oncall"} })},
		}}, []string{"web01!OSSEC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, s := range Silent(tt.cfg) {
				got = append(got, s.Host+"!"+s.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Silent = %q, want %q", got, tt.want)
			}
		})
	}
}
