package follow

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"

	"github.com/ossec-nagios/ossec-nagios/bridge"

	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
)

// An alerts.json line over the 4 MiB limit used to vanish in follow mode:
// nothing sent, nothing logged. It is cut: its result carries the rule
// and agent from the line's head, and the cut is logged.
func TestOverLongJSONLineIsSentAndLogged(t *testing.T) {
	e := newEnv(t, formats[1])
	huge := strings.Repeat("A", alert.DefaultMaxJSONLine+(1<<20))
	long := fmt.Sprintf(`{"timestamp":"2026-09-24T18:50:30.095+0000","rule":{"level":12,"description":"huge event","id":"100200","groups":["web","attack"]},"agent":{"id":"002","name":"web02"},"id":"%d.1","full_log":"%s","location":"/var/log/nginx/access.log"}`+"\n", testEpoch, huge)
	appendString(t, e.path, jsonAlert(0)+long+jsonAlert(2))

	var got []string
	s := &fakeSender{}
	o := e.opts(s)
	o.Once = true
	o.Map = func(a alert.Alert) (bridge.Result, error) {
		got = append(got, fmt.Sprintf("%s rule %d level %d %s %q truncated=%v log=%d", a.ID, a.Rule.ID, a.Rule.Level, a.Agent.Name, a.Location, a.Truncated, len(strings.Join(a.FullLog, ""))))
		return idMap(a)
	}
	log, hook := logtest.NewNullLogger()
	o.Log = log
	mustFollow(t, o)
	wantExactlyOnce(t, s.ids(), 0, 3)
	if len(got) != 3 {
		t.Fatalf("%d results", len(got))
	}
	want := fmt.Sprintf(`%d.1 rule 100200 level 12 web02 "(web02) any->/var/log/nginx/access.log" truncated=true log=`, testEpoch)
	if !strings.HasPrefix(got[1], want) {
		t.Errorf("alert %s\nwant %s...", got[1], want)
	}
	var logged bool
	for _, en := range hook.AllEntries() {
		if strings.Contains(en.Message, "longer than the limit") && en.Level == logrus.WarnLevel && en.Data["bytes"] == int64(len(long)) {
			logged = true
		}
	}
	if !logged {
		t.Error("the cut line was not logged with its length")
	}
}

// An alerts.log alert over the scanner's limit was already cut and sent;
// the cut is now logged too.
func TestOverLongLogAlertIsLogged(t *testing.T) {
	e := newEnv(t, formats[0])
	long := strings.Replace(logAlert(1), "ssh2 #1\n", "ssh2 #1 "+strings.Repeat("B", alert.DefaultMaxAlertBytes)+"\n", 1)
	appendString(t, e.path, logAlert(0)+long+logAlert(2))
	s := &fakeSender{}
	o := e.opts(s)
	o.Once = true
	log, hook := logtest.NewNullLogger()
	o.Log = log
	mustFollow(t, o)
	wantExactlyOnce(t, s.ids(), 0, 3)
	var logged bool
	for _, en := range hook.AllEntries() {
		if strings.Contains(en.Message, "longer than the limit") && en.Level == logrus.WarnLevel && en.Data["bytes"] == int64(len(long)) {
			logged = true
		}
	}
	if !logged {
		t.Error("the cut alert was not logged with its length")
	}
}
