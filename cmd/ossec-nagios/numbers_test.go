package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/nsca"
	"github.com/ossec-nagios/ossec-nagios/nsca/nscatest"
)

// TestOutOfRangeNumbersAreSent: an alert whose rule level or id is out of
// range (level 1e308 or -5, rule id 99999999999999999999) goes through with
// the level clamped and the id unknown, from every way execd or integratord
// hands it over, instead of exit 2 with nothing sent or spooled: 1e308 is
// sent CRITICAL; -5 is level 0, below warning, which the state decision
// logs and does not send, as any level-0 alert.
func TestOutOfRangeNumbersAreSent(t *testing.T) {
	srv := nscatest.NewServer(t, nscatest.Options{Password: "pw", Method: nsca.MethodXOR})
	_, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	root := newOSSECRoot(t, fmt.Sprintf(e2eINI, p, "pw", int(nsca.MethodXOR), "no"))
	ids := root.alertsLog(t, 1795000000, ` mail  - syslog,sshd,authentication_failures,
2026 Nov 18 10:26:40 (web01) 10.0.0.11->/var/log/secure
Rule: 99999999999999999999 (level 1e308) -> 'SSHD brute force trying to get access to the system.'
Src IP: 203.0.113.50
Nov 18 10:26:38 web01 sshd[4411]: Failed password for root from 203.0.113.50 port 52144 ssh2
`)
	alertJSON := func(agent, id, level string) string {
		return `{"timestamp":"2026-11-18T10:26:40.000+0000","rule":{"level":` + level + `,"description":"SSHD brute force","id":` + id +
			`,"groups":["syslog","sshd"]},"agent":{"id":"001","name":"` + agent + `","ip":"10.0.0.11"},"id":"1795000000.0",` +
			`"full_log":"Failed password for root","location":"/var/log/secure"}`
	}
	arMessage := func(alert string) string {
		return `{"version":1,"command":"add","parameters":{"extra_args":[],"alert":` + alert + `,"program":"active-response/bin/ossec-nagios"}}` + "\n"
	}
	integrationFile := func(body string) string {
		f := filepath.Join(t.TempDir(), "alert.json")
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// One host per case: flood control holds a second CRITICAL for the
	// same host and service.
	tests := []struct {
		name  string
		path  string
		stdin string
		args  []string
		host  string
		state int // -1: not news (below warning), logged and not sent
	}{
		{"legacy argv, alerts.log", root.ar, "", []string{"add", "root", "203.0.113.50", ids[0], "99999999999999999999", "(web01)", "10.0.0.11->/var/log/secure"}, "web01", 2},
		{"json stdin, level 1e308", root.ar, arMessage(alertJSON("web02", "99999999999999999999", "1e308")), nil, "web02", 2},
		{"integration file", root.integration, "", []string{integrationFile(alertJSON("web03", `"99999999999999999999"`, `"1e308"`))}, "web03", 2},
		{"json stdin, level -5", root.ar, arMessage(alertJSON("web04", `"5712"`, "-5")), nil, "web04", -1},
	}
	sent := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdin []byte
			if tt.stdin != "" {
				stdin = []byte(tt.stdin)
			}
			rc, stderr := root.run(t, tt.path, stdin, tt.args...)
			if rc != 0 {
				t.Fatalf("exit %d: %s\n%s", rc, stderr, root.log(t))
			}
			if tt.state < 0 {
				if !strings.Contains(root.log(t), "host="+tt.host) || !strings.Contains(root.log(t), "not sent: below the warning level") {
					t.Errorf("level 0 (from -5) not logged as below warning:\n%s", root.log(t))
				}
				return
			}
			sent++
			got := srv.WaitChecks(t, sent, 10*time.Second)[sent-1]
			if got.Host != tt.host || got.Service != "OSSEC SSH" || got.State != tt.state {
				t.Errorf("sent %s / %s state %d, want %s / OSSEC SSH state %d", got.Host, got.Service, got.State, tt.host, tt.state)
			}
		})
	}
}
