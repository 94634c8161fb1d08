package alert

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutOfRangeNumbersKeepTheAlert: a rule level or id out of range
// never makes a parser drop the alert: levels are clamped to 0..MaxLevel,
// an id that is no rule id is 0 (unknown), and the rest of the alert is
// kept, from every input an alert arrives by.
func TestOutOfRangeNumbersKeepTheAlert(t *testing.T) {
	numbers := []struct {
		name          string
		id, level     string // as written in the alert
		wantID, wantL int
	}{
		{"level 1e308", "5712", "1e308", 5712, MaxLevel},
		{"level beyond float64", "5712", "1e999", 5712, MaxLevel},
		{"level -5", "5712", "-5", 5712, 0},
		{"level 99999999999999999999", "5712", "99999999999999999999", 5712, MaxLevel},
		{"level 10.0", "5712", "10.0", 5712, 10},
		{"level 17", "5712", "17", 5712, MaxLevel},
		{"id 99999999999999999999", "99999999999999999999", "10", 0, 10},
		{"id -1", "-1", "10", 0, 10},
		{"id 5712.5", "5712.5", "10", 0, 10},
		{"both", "99999999999999999999", "1e308", 0, MaxLevel},
	}
	inputs := []struct {
		name  string
		parse func(t *testing.T, id, level string) (Alert, error)
	}{
		{"alerts.log", func(t *testing.T, id, level string) (Alert, error) {
			return ParseLogAlert([]byte("** Alert 1700000000.0: - syslog,sshd,\n2023 Nov 14 22:13:20 (web01) 10.0.0.5->/var/log/secure\n" +
				"Rule: " + id + " (level " + level + ") -> 'SSHD brute force'\nSrc IP: 203.0.113.50\nFailed password for root\n"))
		}},
		{"alerts.json", func(t *testing.T, id, level string) (Alert, error) {
			return ParseJSONAlert([]byte(jsonWith(id, level)))
		}},
		{"alerts.json strings", func(t *testing.T, id, level string) (Alert, error) {
			return ParseJSONAlert([]byte(jsonWith(`"`+id+`"`, `"`+level+`"`)))
		}},
		{"active-response message", func(t *testing.T, id, level string) (Alert, error) {
			msg := `{"version":1,"origin":{"name":"node01","module":"wazuh-execd"},"command":"add","parameters":{"extra_args":[],"alert":` +
				jsonWith(id, level) + `,"program":"active-response/bin/ossec-nagios"}}` + "\n"
			m, err := ReadARMessage(bufio.NewReader(strings.NewReader(msg)))
			if err != nil {
				return Alert{}, err
			}
			return m.Alert, nil
		}},
		{"integration file", func(t *testing.T, id, level string) (Alert, error) {
			p := filepath.Join(t.TempDir(), "alert.json")
			if err := os.WriteFile(p, []byte(jsonWith(id, level)), 0o600); err != nil {
				t.Fatal(err)
			}
			return ReadIntegrationFile(p)
		}},
		{"integration text", func(t *testing.T, id, level string) (Alert, error) {
			return ParseIntegrationText([]byte("alertdate='2023-11-14T22:13:20.000+0000'\nalertlocation='/var/log/secure'\nruleid='" + id +
				"'\nalertlevel='" + level + "'\nruledescription='SSHD brute force'\nalertlog='Failed password for root'\nsrcip='203.0.113.50'\n"))
		}},
	}
	for _, in := range inputs {
		for _, n := range numbers {
			t.Run(in.name+"/"+n.name, func(t *testing.T) {
				a, err := in.parse(t, n.id, n.level)
				if err != nil {
					t.Fatalf("alert lost: %v", err)
				}
				if a.Rule.ID != n.wantID || a.Rule.Level != n.wantL {
					t.Errorf("rule %d level %d, want rule %d level %d", a.Rule.ID, a.Rule.Level, n.wantID, n.wantL)
				}
				if a.Rule.Description != "SSHD brute force" || a.SrcIP != "203.0.113.50" {
					t.Errorf("the rest of the alert was not kept: %+v", a)
				}
			})
		}
	}
	t.Run("legacy arguments", func(t *testing.T) {
		for _, id := range []string{"99999999999999999999", "-1", "1e308"} {
			r, err := ParseLegacyArgs([]string{"add", "-", "203.0.113.50", "1700000000.0", id, "(web01)", "10.0.0.5->/var/log/secure"})
			if err != nil || r.RuleID != 0 {
				t.Errorf("rule id %s: RuleID %d, %v; want 0 (unknown: resolve by the alert id)", id, r.RuleID, err)
			}
		}
	})
}

func jsonWith(id, level string) string {
	return `{"timestamp":"2023-11-14T22:13:20.000+0000","rule":{"level":` + level + `,"description":"SSHD brute force","id":` + id +
		`,"groups":["syslog","sshd"]},"agent":{"id":"001","name":"web01","ip":"10.0.0.5"},"id":"1700000000.0",` +
		`"full_log":"Failed password for root","data":{"srcip":"203.0.113.50"},"location":"/var/log/secure"}`
}

func TestRuleNumbers(t *testing.T) {
	tests := []struct {
		in           string
		level, id    int
		isNum, idNum bool
	}{
		{"0", 0, 0, true, true},
		{"5712", MaxLevel, 5712, true, true},
		{"05", 5, 5, true, true},
		{"+3", 3, 3, true, true},
		{"2147483648", MaxLevel, 1 << 31, true, true},
		{"2147483649", MaxLevel, 0, true, true},
		{"3.9", 3, 0, true, true},
		{".5", 0, 0, true, true},
		{"-0.5", 0, 0, true, true},
		{"1E3", MaxLevel, 0, true, true},
		{"", 0, 0, false, false},
		{"abc", 0, 0, false, false},
		{"1e", 0, 0, false, false},
		{"NaN", 0, 0, false, false},
		{"Inf", 0, 0, false, false},
		{"0x10", 0, 0, false, false},
		{"1_000", 0, 0, false, false},
		{" 5", 0, 0, false, false},
	}
	for _, tt := range tests {
		l, ok := ruleLevel(tt.in)
		if l != tt.level || ok != tt.isNum {
			t.Errorf("ruleLevel(%q) = %d, %v; want %d, %v", tt.in, l, ok, tt.level, tt.isNum)
		}
		id, ok := ruleID(tt.in)
		if id != tt.id || ok != tt.idNum {
			t.Errorf("ruleID(%q) = %d, %v; want %d, %v", tt.in, id, ok, tt.id, tt.idNum)
		}
	}
}
