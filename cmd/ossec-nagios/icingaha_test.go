package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// TestEndToEndIcinga2URLList runs the active response with two [icinga2]
// URLs, the first a port where nothing listens (a master that is down):
// the result reaches the second, once, and the active response succeeds
// without spooling it.
func TestEndToEndIcinga2URLList(t *testing.T) {
	ic := lab.StartIcinga(t, lab.IcingaOptions{
		Objects: []string{lab.IcingaPassiveObjects("web01", "OSSEC SSH", "OSSEC")},
	})
	down := fmt.Sprintf("https://127.0.0.1:%d", lab.FreePort(t))
	ini := icingaTransport(down+", "+ic.URL, ic.User, ic.Password, ic.CAFile) + `[states]
warning  = 7
critical = 12
[hosts]
default = {agent}
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
[ar]
deadline = 10s
`
	root := newOSSECRoot(t, ini)
	root.bruteForceAR(t)
	var got lab.IcingaCheckable
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = ic.Service(t, "web01", "OSSEC SSH")
		if got.HasResult || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got.State != 1 || !strings.Contains(got.Output, "src=203.0.113.50") {
		t.Fatalf("web01!OSSEC SSH state %d output %q, want 1 WARNING from the alert\nlog: %s", got.State, got.Output, root.log(t))
	}
	if log := root.log(t); strings.Contains(log, "spooled") && !strings.Contains(log, "spooled=0") {
		t.Errorf("the result was spooled although the second URL took it:\n%s", log)
	}
}
