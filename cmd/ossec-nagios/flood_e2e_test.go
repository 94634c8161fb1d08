package main

// "Paged or told" against the real nsca and nagios4, with the objects the
// generator writes by default: one incident pages once (flood control),
// and an informational alert does not clear a problem (state decision).

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// floodWindowE2E is the test's flood window: long enough to hold most of
// a burst of 200 active responses on a loaded machine (7.5 s idle, 28 s
// measured with other tests running), short enough to wait for.
const floodWindowE2E = 30 * time.Second

func floodINI(port int) string {
	return labINI(port) + fmt.Sprintf("[flood]\nwindow = %ds\n", int(floodWindowE2E/time.Second))
}

// arMessage is Wazuh >= 4.2 execd's message for one alert.
func arMessage(id string, rule, level int, desc string, groups []string, agent string, at time.Time) []byte {
	msg, _ := json.Marshal(map[string]any{
		"version": 1, "command": "add",
		"origin": map[string]any{"name": "", "module": "wazuh-execd"},
		"parameters": map[string]any{"extra_args": []string{}, "program": "active-response/bin/ossec-nagios",
			"alert": map[string]any{
				"id": id, "timestamp": at.UTC().Format("2006-01-02T15:04:05.000+0000"),
				"rule":     map[string]any{"id": strconv.Itoa(rule), "level": level, "description": desc, "groups": groups},
				"agent":    map[string]any{"id": "001", "name": agent, "ip": "10.0.0.11"},
				"location": "/var/log/secure",
				"full_log": "sshd[4411]: " + desc + " " + id,
			}},
	})
	return append(msg, '\n')
}

// notificationRE matches nagios.log's notification lines for one service.
func notificationRE(host, service string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\[(\d+)\] SERVICE NOTIFICATION: lab;` + regexp.QuoteMeta(host) + `;` + regexp.QuoteMeta(service) + `;([A-Z]+);lab-notify;(.*)$`)
}

type notification struct {
	at     int64
	state  string
	output string
}

func notifications(l *lab.NagiosLab, host, service string) []notification {
	var out []notification
	for _, m := range notificationRE(host, service).FindAllStringSubmatch(l.Log(), -1) {
		at, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, notification{at, m[2], m[3]})
	}
	return out
}

// summaryCountRE reads the count of a flood summary's output.
var summaryCountRE = regexp.MustCompile(`^flood: (\d+) more alerts? `)

// TestEndToEndFloodOnePage: 200 level-10 alerts for one host/service in
// well under 60 s, then one level-12, through the active response into a
// real nagios4 with the generated defaults (volatile services, notifying
// the configured contact group): at most 3 notifications for the burst,
// the summary counting every alert not sent at once, and the CRITICAL
// notified within a second of its alert.
func TestEndToEndFloodOnePage(t *testing.T) {
	l, root := startNagios(t, floodINI, "web01", "db01")
	const burst = 200
	const host, svc = "web01", "OSSEC SSH"
	groups := []string{"syslog", "sshd", "authentication_failures"}

	burstStart := time.Now()
	for i := range burst {
		msg := arMessage(fmt.Sprintf("1796000000.%d", i), 5712, 10, "SSHD brute force trying to get access to the system.", groups, host, time.Now())
		if rc, stderr := root.run(t, root.ar, msg); rc != 0 {
			t.Fatalf("alert %d: rc %d: %s\n%s", i, rc, stderr, root.log(t))
		}
	}
	burstTook := time.Since(burstStart)
	t.Logf("%d active responses in %v", burst, burstTook.Round(time.Millisecond))
	if burstTook > 60*time.Second {
		t.Fatalf("the burst took %v, more than the 60 s the test is about", burstTook)
	}

	critAt := time.Now()
	msg := arMessage("1796000999.1", 5720, 12, "Multiple authentication failures.", groups, host, critAt)
	if rc, stderr := root.run(t, root.ar, msg); rc != 0 {
		t.Fatalf("level-12 alert: rc %d: %s\n%s", rc, stderr, root.log(t))
	}
	// The CRITICAL pages at once: a rise in severity is news.
	var crit notification
	deadline := time.Now().Add(10 * time.Second)
	for crit.state == "" {
		for _, n := range notifications(l, host, svc) {
			if n.state == "CRITICAL" && strings.Contains(n.output, "1796000999.1") {
				crit = n
			}
		}
		if crit.state == "" {
			if time.Now().After(deadline) {
				t.Fatalf("no CRITICAL notification for the level-12 alert within 10 s\nnagios.log:\n%s\nactive-responses.log:\n%s", l.Log(), root.log(t))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	seen := time.Since(critAt)
	delay := crit.at - critAt.Unix() // nagios.log has whole seconds
	t.Logf("CRITICAL notified at %d (alert at %.3f): %d s by nagios.log, seen in the log %v after the alert", crit.at, float64(critAt.UnixNano())/1e9, delay, seen.Round(time.Millisecond))
	if delay > 1 {
		t.Errorf("CRITICAL notified %d s after its alert by nagios.log, want within a second", delay)
	}

	// The window closes; cron's flush emits the summary. A burst slower
	// than the window spans two windows, and so two summaries: flush
	// until every alert of the burst is accounted for.
	account := func() (sentAtOnce, summarised, summaries int, burstPages []notification) {
		for _, n := range notifications(l, host, svc) {
			if m := summaryCountRE.FindStringSubmatch(n.output); m != nil {
				c, _ := strconv.Atoi(m[1])
				summarised += c
				summaries++
				burstPages = append(burstPages, n)
				continue
			}
			if n != crit {
				sentAtOnce++
				burstPages = append(burstPages, n)
			}
		}
		return
	}
	time.Sleep(time.Until(burstStart.Add(floodWindowE2E)))
	var sentAtOnce, summarised, summaries int
	var burstPages []notification
	for deadline := burstStart.Add(4 * floodWindowE2E); ; {
		cmd := exec.Command(root.ar, "flush", "-config", root.ini)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("flush: %v: %s\n%s", err, out, root.log(t))
		}
		sentAtOnce, summarised, summaries, burstPages = account()
		if sentAtOnce+summarised >= burst || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("burst of %d: %d notified at once, %d in %d summaries; %d notifications for the burst", burst, sentAtOnce, summarised, summaries, len(burstPages))
	for _, n := range burstPages {
		t.Logf("  [%d] %s %.120s", n.at, n.state, n.output)
	}
	if len(burstPages) > 3 {
		t.Errorf("%d notifications for one burst, want at most 3", len(burstPages))
	}
	if summaries == 0 || sentAtOnce+summarised != burst {
		t.Errorf("%d sent at once + %d in summaries = %d, want all %d alerts of the burst accounted for", sentAtOnce, summarised, sentAtOnce+summarised, burst)
	}
	st := l.WaitService(t, host, svc, 5*time.Second, func(lab.ServiceStatus) bool { return true })
	if st.State != 2 {
		t.Errorf("after the summary the service is in state %d, want 2: a summary must not lower what the CRITICAL set", st.State)
	}
}

// TestEndToEndInfoDoesNotClear: a level-3 "authentication success" after
// a level-10 brute force on the same service is not sent, and the service
// stays WARNING in the real nagios4.
func TestEndToEndInfoDoesNotClear(t *testing.T) {
	l, root := startNagios(t, floodINI, "db01")
	groups := []string{"syslog", "sshd", "authentication_failures"}
	now := time.Now()
	if rc, stderr := root.run(t, root.ar, arMessage("1796001000.1", 5712, 10, "SSHD brute force trying to get access to the system.", groups, "db01", now)); rc != 0 {
		t.Fatalf("rc %d: %s", rc, stderr)
	}
	l.WaitService(t, "db01", "OSSEC SSH", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 1 })
	rc, stderr := root.run(t, root.ar, arMessage("1796001000.2", 5715, 3, "sshd: authentication success.", []string{"syslog", "sshd", "authentication_success"}, "db01", now))
	if rc != 0 {
		t.Fatalf("level-3 alert: rc %d, want 0 (not sending it is no error): %s", rc, stderr)
	}
	if log := root.log(t); !strings.Contains(log, "not sent: below the warning level") {
		t.Errorf("active-responses.log does not say why the level-3 alert was not sent:\n%s", log)
	}
	// A later result on another service proves nsca and Nagios have had
	// every earlier one.
	if rc, stderr := root.run(t, root.ar, arMessage("1796001000.3", 1002, 8, "Unknown problem somewhere in the system.", []string{"syslog", "errors"}, "db01", now)); rc != 0 {
		t.Fatalf("rc %d: %s", rc, stderr)
	}
	l.WaitService(t, "db01", "OSSEC", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 1 })
	st := l.WaitService(t, "db01", "OSSEC SSH", 5*time.Second, func(lab.ServiceStatus) bool { return true })
	if st.State != 1 || !strings.Contains(st.Output, "1796001000.1") {
		t.Errorf("db01/OSSEC SSH state %d output %q after the level-3 alert, want still WARNING from the brute force", st.State, st.Output)
	}
	if strings.Contains(l.Log(), "1796001000.2") {
		t.Errorf("the level-3 alert reached Nagios")
	}
}

// TestEndToEndIcinga2InfoDoesNotClear is TestEndToEndInfoDoesNotClear
// against a real icinga2 through its API.
func TestEndToEndIcinga2InfoDoesNotClear(t *testing.T) {
	ic := lab.StartIcinga(t, lab.IcingaOptions{
		Objects: []string{lab.IcingaPassiveObjects("db01", "OSSEC SSH", "OSSEC")},
	})
	root := newOSSECRoot(t, icingaTransport(ic.URL, ic.User, ic.Password, ic.CAFile)+`[hosts]
default = {agent}
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
[ar]
check_keys = no
`)
	wait := func(svc string, ok func(lab.IcingaCheckable) bool) lab.IcingaCheckable {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			got := ic.Service(t, "db01", svc)
			if ok(got) {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("db01!%s: %+v\nactive-responses.log:\n%s", svc, got, root.log(t))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	groups := []string{"syslog", "sshd", "authentication_failures"}
	now := time.Now()
	if rc, stderr := root.run(t, root.ar, arMessage("1796002000.1", 5712, 10, "SSHD brute force trying to get access to the system.", groups, "db01", now)); rc != 0 {
		t.Fatalf("rc %d: %s", rc, stderr)
	}
	wait("OSSEC SSH", func(c lab.IcingaCheckable) bool { return c.HasResult && c.State == 1 })
	if rc, stderr := root.run(t, root.ar, arMessage("1796002000.2", 5715, 3, "sshd: authentication success.", []string{"syslog", "sshd", "authentication_success"}, "db01", now)); rc != 0 {
		t.Fatalf("level-3 alert: rc %d, want 0: %s", rc, stderr)
	}
	// A later result on another service: the API has had every earlier one.
	if rc, stderr := root.run(t, root.ar, arMessage("1796002000.3", 1002, 8, "Unknown problem somewhere in the system.", []string{"syslog", "errors"}, "db01", now)); rc != 0 {
		t.Fatalf("rc %d: %s", rc, stderr)
	}
	wait("OSSEC", func(c lab.IcingaCheckable) bool { return c.HasResult && c.State == 1 })
	if got := ic.Service(t, "db01", "OSSEC SSH"); got.State != 1 || !strings.Contains(got.Output, "1796002000.1") {
		t.Errorf("db01!OSSEC SSH state %d output %q after the level-3 alert, want still WARNING from the brute force", got.State, got.Output)
	}
	if log := root.log(t); !strings.Contains(log, "not sent: below the warning level") {
		t.Errorf("active-responses.log does not say why the level-3 alert was not sent:\n%s", log)
	}
}
