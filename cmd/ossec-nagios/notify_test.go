package main

// Paged by default: the stock Debian nagios4 and icinga2, plus what gen
// writes with the default [nagios] settings, notify a member of the stock
// group for an alert through each way OSSEC/Wazuh runs the bridge.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// notifyINI has no [nagios] section: the defaults route the pages.
const notifyINI = `[nsca]
server     = 127.0.0.1:%d
password   = %s
encryption = %d
timeout    = 3s
[hosts]
fallback = mail01
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC integrity"]
rules = 550-554
[service "OSSEC"]
[ar]
deadline   = 5s
check_keys = no
`

// genObjects runs the installed binary's gen and fails on any warning.
func genObjects(t *testing.T, root *ossecRoot, dialect string, agents ...string) string {
	t.Helper()
	agentsFile := filepath.Join(root.dir, "agents")
	if err := os.WriteFile(agentsFile, []byte(strings.Join(agents, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(root.ar, "gen", dialect, "-config", root.ini, "-hosts", agentsFile, "-with-hosts", "-manager", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gen %s: %v: %s", dialect, err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Fatalf("gen %s warned with the default settings: %s", dialect, stderr.String())
	}
	return string(out)
}

func TestNotifiesStockAdminsByDefault(t *testing.T) {
	lab.RequireBinary(t, lab.Nagios4Bin, "nagios4-core")
	lab.RequireBinary(t, lab.NSCABin, "nsca")
	ini := func(port int) string { return fmt.Sprintf(notifyINI, port, lab.NSCAPassword, lab.NSCAMethod) }
	root := newOSSECRoot(t, ini(5667))
	objects := genObjects(t, root, "nagios", "web01", "db01", "mail01")
	l := lab.NewStockNagiosLab(t, objects)
	l.Start(t)
	l.QuietStockContacts(t)
	if err := os.WriteFile(root.ini, []byte(ini(l.NSCAPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	ids := root.alertsLog(t, 1795000000, bruteForceWeb01)

	// paged waits for the lab contact's page (lab is a member of the stock
	// group admins, and only of it) and Nagios' own record of it.
	paged := func(t *testing.T, state, host, service, output string) {
		t.Helper()
		prefix := strings.Join([]string{state, host, service, output}, "\t")
		l.WaitNotifications(t, 15*time.Second, func(lines []string) bool {
			for _, line := range lines {
				if strings.HasPrefix(line, prefix) {
					return true
				}
			}
			return false
		})
		want := fmt.Sprintf("SERVICE NOTIFICATION: lab;%s;%s;%s;lab-notify;%s", host, service, state, output)
		if !strings.Contains(l.Log(), want) {
			t.Errorf("nagios.log lacks %q:\n%s", want, l.Log())
		}
	}

	t.Run("legacy argv", func(t *testing.T) {
		rc, stderr := root.run(t, root.ar, nil, "add", "root", "203.0.113.50", ids[0], "5712", "(web01)", "10.0.0.11->/var/log/secure")
		if rc != 0 {
			t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
		}
		paged(t, "WARNING", "web01", "OSSEC SSH", "OSSEC rule 5712 (level 10): SSHD brute force")
	})

	t.Run("wazuh json on stdin", func(t *testing.T) {
		msg, _ := json.Marshal(map[string]any{
			"version": 1, "command": "add",
			"origin": map[string]any{"name": "", "module": "wazuh-execd"},
			"parameters": map[string]any{"extra_args": []string{}, "program": "active-response/bin/ossec-nagios",
				"alert": map[string]any{
					"id": "1795000100.4242", "timestamp": "2026-11-18T10:30:00.000+0000",
					"rule":     map[string]any{"id": "550", "level": 7, "description": "Integrity checksum changed.", "groups": []string{"ossec", "syscheck"}},
					"agent":    map[string]any{"id": "002", "name": "db01", "ip": "10.0.0.12"},
					"location": "syscheck",
					"full_log": "File '/etc/passwd' checksum changed.",
				}},
		})
		rc, stderr := root.run(t, root.ar, append(msg, '\n'))
		if rc != 0 {
			t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
		}
		paged(t, "WARNING", "db01", "OSSEC integrity", "OSSEC rule 550 (level 7): Integrity checksum changed.")
	})

	t.Run("integratord custom-nagios", func(t *testing.T) {
		alertFile := filepath.Join(root.dir, "integration-alert.json")
		al := `{"timestamp":"2026-11-18T10:31:00.000+0000","rule":{"level":12,"description":"Multiple authentication failures.","id":"5720","groups":["syslog","sshd","authentication_failures"]},"agent":{"id":"003","name":"mail01","ip":"10.0.0.13"},"id":"1795000200.777","full_log":"Nov 18 10:31:00 mail01 sshd[1]: Failed password","location":"/var/log/secure","data":{"srcip":"192.0.2.66"}}`
		if err := os.WriteFile(alertFile, []byte(al), 0o600); err != nil {
			t.Fatal(err)
		}
		rc, stderr := root.run(t, root.integration, nil, alertFile, "", "", "> /dev/null 2>&1")
		if rc != 0 {
			t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
		}
		paged(t, "CRITICAL", "mail01", "OSSEC SSH", "OSSEC rule 5720 (level 12): Multiple authentication failures.")
	})

	if strings.Contains(l.Log(), "SERVICE NOTIFICATION: nagiosadmin;") {
		t.Errorf("the stock contact was paged although the lab turned it off")
	}
}

// TestNotifiesStockIcingaAdminsByDefault: the same in a real icinga2 on the
// stock configuration (checker and notification features, the stock
// mail-service-notification command, user icingaadmin in icingaadmins),
// with transport icinga2: the generated apply Notification runs the stock
// command for the stock user.
func TestNotifiesStockIcingaAdminsByDefault(t *testing.T) {
	lab.RequireBinary(t, lab.Icinga2Bin, "icinga2-bin")
	ini := func(url, user, password, ca string) string {
		return icingaTransport(url, user, password, ca) + `[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
[ar]
deadline   = 10s
check_keys = no
`
	}
	root := newOSSECRoot(t, ini("https://127.0.0.1:5665", "ossec-bridge", "x", "/nonexistent/ca.crt"))
	objects := genObjects(t, root, "icinga2", "web01")
	ic := lab.StartStockIcinga(t, objects)
	if err := os.WriteFile(root.ini, []byte(ini(ic.URL, ic.User, ic.Password, ic.CAFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	ids := root.alertsLog(t, 1795000000, ` mail  - syslog,sshd,authentication_failures,
2026 Nov 18 10:26:40 (web01) 10.0.0.11->/var/log/secure
Rule: 5712 (level 10) -> 'SSHD brute force trying to get access to the system.'
Src IP: 203.0.113.50
Nov 18 10:26:38 web01 sshd[4411]: Failed password for root from 203.0.113.50 port 52144 ssh2
`)
	rc, stderr := root.run(t, root.ar, nil, "add", "root", "203.0.113.50", ids[0], "5712", "(web01)", "10.0.0.11->/var/log/secure")
	if rc != 0 {
		t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
	}
	// The stock script is called with -l host -e service -o output -r the
	// user's email (icingaadmin: root@localhost) -s state -t type.
	want := []string{"-e OSSEC SSH", "-l web01", "-r root@localhost", "-s WARNING", "-t PROBLEM", "-o OSSEC rule 5712 (level 10): SSHD brute force"}
	ic.WaitNotifications(t, 20*time.Second, func(lines []string) bool {
		for _, line := range lines {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(line, w)
			}
			if ok {
				return true
			}
		}
		return false
	})
}

// TestHeartbeatPagesWhenResultsAreLost: follow mode sends the heartbeat to
// the generated service; with a wrong NSCA password nsca drops every packet
// and NSCA tells the sender nothing, but the heartbeat service goes
// CRITICAL, naming the causes, and pages within its threshold.
func TestHeartbeatPagesWhenResultsAreLost(t *testing.T) {
	ini := func(port int, password string) string {
		return fmt.Sprintf(`[nsca]
server     = 127.0.0.1:%d
password   = %s
encryption = %d
timeout    = 3s
[service "OSSEC"]
[nagios]
contact_groups = security
[heartbeat]
interval    = 1s
host        = ossec-manager
stale_after = 3s
[follow]
format = json
`, port, password, lab.NSCAMethod)
	}
	root := newOSSECRoot(t, ini(5667, lab.NSCAPassword))
	if err := os.WriteFile(filepath.Join(root.dir, "logs", "alerts", "alerts.json"), nil, 0o640); err != nil {
		t.Fatal(err)
	}
	objects := genObjects(t, root, "nagios", "web01")
	l := lab.NewNagiosLab(t, objects)
	l.Start(t)
	if err := os.WriteFile(root.ini, []byte(ini(l.NSCAPort, lab.NSCAPassword)), 0o600); err != nil {
		t.Fatal(err)
	}
	arrived := func() int {
		return strings.Count(l.Log(), "PROCESS_SERVICE_CHECK_RESULT;ossec-manager;OSSEC bridge;0;")
	}
	good := startFollow(t, root)
	deadline := time.Now().Add(20 * time.Second)
	for arrived() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no heartbeats from follow:\n%s\n%s", l.Log(), root.log(t))
		}
		time.Sleep(20 * time.Millisecond)
	}
	good.stop(t, syscall.SIGTERM)
	last, n := time.Now(), arrived()

	if err := os.WriteFile(root.ini, []byte(ini(l.NSCAPort, "wrong-"+lab.NSCAPassword)), 0o600); err != nil {
		t.Fatal(err)
	}
	startFollow(t, root)
	crit := "CRITICAL\tossec-manager\tOSSEC bridge\tCRITICAL: No heartbeat from the OSSEC/Wazuh bridge (ossec-nagios) for 3s."
	l.WaitNotifications(t, 30*time.Second, func(lines []string) bool {
		for _, line := range lines {
			if strings.HasPrefix(line, crit) {
				return true
			}
		}
		return false
	})
	took := time.Since(last)
	if arrived() != n {
		t.Errorf("a heartbeat with the wrong password arrived")
	}
	t.Logf("heartbeat CRITICAL and paged %s after the last delivered heartbeat (stale_after 3s)", took.Round(10*time.Millisecond))
}
