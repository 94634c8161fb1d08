package bridge

import (
	"strings"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// TestOutputShowsWazuhSrcUser: Wazuh's data.srcuser (who ran sudo, su...)
// is in the output line beside user= (data.dstuser), from alerts.json as
// from an alerts.log dynamic field.
func TestOutputShowsWazuhSrcUser(t *testing.T) {
	jsonAlert := `{"timestamp":"2026-06-01T12:35:21.869+0530","rule":{"level":3,"description":"Successful sudo to ROOT executed.","id":"5402","groups":["syslog","sudo"]},` +
		`"agent":{"id":"000","name":"kali"},"id":"1780297522.5825","full_log":"kali sudo: kali : TTY=pts/0 ; PWD=/home/kali ; USER=root ; COMMAND=/usr/bin/id",` +
		`"data":{"srcuser":"kali","dstuser":"root","tty":"pts/0"},"location":"journald"}`
	logAlert := "** Alert 1780297522.5825: - syslog,sudo\n2026 Jun 01 12:35:21 kali->journald\nRule: 5402 (level 3) -> 'Successful sudo to ROOT executed.'\nUser: root\n" +
		"kali sudo: kali : TTY=pts/0 ; PWD=/home/kali ; USER=root ; COMMAND=/usr/bin/id\nsrcuser: kali\n"
	tests := []struct {
		name  string
		parse func() (alert.Alert, error)
		want  string
	}{
		{"alerts.json", func() (alert.Alert, error) { return alert.ParseJSONAlert([]byte(jsonAlert)) }, " srcuser=kali user=root"},
		{"alerts.log", func() (alert.Alert, error) { return alert.ParseLogAlert([]byte(logAlert)) }, " srcuser=kali user=root"},
		{"same as user", func() (alert.Alert, error) {
			return alert.ParseJSONAlert([]byte(strings.Replace(jsonAlert, `"srcuser":"kali"`, `"srcuser":"root"`, 1)))
		}, "executed. user=root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := tt.parse()
			if err != nil {
				t.Fatal(err)
			}
			m := testMapping()
			m.Output.OmitLog = true
			r, err := m.Map(a)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(r.Output, tt.want) {
				t.Errorf("output %q lacks %q", r.Output, tt.want)
			}
		})
	}
}
