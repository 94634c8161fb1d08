package bridge

import (
	"strings"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// TestNamesNagiosCannotKnowGoToFallback: an agent name that cannot be a
// Nagios object name sends the alert to the fallback host, whichever input
// it came from: invalid UTF-8 (which the parsers turn into U+FFFD) and the
// invisible format, bidi and separator characters, as ';' already did.
func TestNamesNagiosCannotKnowGoToFallback(t *testing.T) {
	logAlert := func(agent string) []byte {
		return []byte("** Alert 1700000000.0: - syslog,sshd,\n" +
			"2023 Nov 14 22:13:20 (" + agent + ") 10.0.0.5->/var/log/secure\n" +
			"Rule: 5712 (level 10) -> 'SSHD brute force'\n" +
			"Src IP: 203.0.113.50\n" +
			"Nov 14 22:13:20 web01 sshd[1]: Failed password for root\n")
	}
	jsonAlert := func(agent string) []byte {
		return []byte(`{"timestamp":"2023-11-14T22:13:20.000+0000","rule":{"level":10,"description":"SSHD brute force","id":"5712","groups":["syslog","sshd"]},` +
			`"agent":{"id":"001","name":"` + agent + `","ip":"10.0.0.5"},"id":"1700000000.0","full_log":"Failed password for root","location":"/var/log/secure"}`)
	}
	names := []struct {
		name, agent, why string
	}{
		{"invalid utf8", "\xff\xfe", "U+FFFD"},
		{"invalid utf8 inside", "web\xff01", "U+FFFD"},
		{"line separator", "web01\u2028x", "U+2028"},
		{"paragraph separator", "web\u202901", "U+2029"},
		{"right-to-left override", "web\u202e10", "U+202E"},
		{"zero width joiner", "web\u200d01", "U+200D"},
		{"semicolon", "web;01", "';'"},
	}
	parsers := []struct {
		name  string
		parse func(agent string) (alert.Alert, error)
	}{
		{"alerts.log", func(agent string) (alert.Alert, error) { return alert.ParseLogAlert(logAlert(agent)) }},
		{"alerts.json", func(agent string) (alert.Alert, error) { return alert.ParseJSONAlert(jsonAlert(agent)) }},
	}
	for _, p := range parsers {
		for _, n := range names {
			t.Run(p.name+"/"+n.name, func(t *testing.T) {
				a, err := p.parse(n.agent)
				if err != nil {
					t.Fatal(err)
				}
				m := testMapping()
				m.Hosts.Fallback = "ossec-manager"
				r, err := m.Map(a)
				if err != nil {
					t.Fatal(err)
				}
				if r.Host != "ossec-manager" {
					t.Errorf("agent %q (parsed %q) went to host %q, want the fallback", n.agent, a.Agent.Name, r.Host)
				}
				if !strings.Contains(r.Output, "refused: host name") || !strings.Contains(r.Output, n.why) {
					t.Errorf("output does not say why the host was refused (%s): %q", n.why, r.Output)
				}
				checkOutput(t, r.Output, m.Output.MaxLength, m.Output.LongOutput)
			})
		}
	}
	t.Run("a name Nagios knows is kept", func(t *testing.T) {
		a, err := alert.ParseJSONAlert(jsonAlert("dépôt-01"))
		if err != nil {
			t.Fatal(err)
		}
		m := testMapping()
		m.Hosts.Fallback = "ossec-manager"
		if r, err := m.Map(a); err != nil || r.Host == "ossec-manager" {
			t.Errorf("Map = %q, %v", r.Host, err)
		}
	})
}
