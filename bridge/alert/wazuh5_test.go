package alert

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func readWazuh5(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wazuh5", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWazuh5Samples: every upstream sample (verbatim, doc, derived,
// synthesised) through ParseARMessage, as the bridge reads its stdin: the
// dialect, the command and the Alert the mapping sees.
func TestWazuh5Samples(t *testing.T) {
	type want struct {
		dialect  int
		command  string
		action   Action // "": Action() must fail
		agent    string // agent name, id
		agentID  string
		uid      string
		severity string
		level    int
		title    string
		groups   []string
		srcIP    string
		srcPort  string
		user     string
		location string
		log0     string
		id       string
		time     string
		ar       *Wazuh5AR
	}
	synthA := want{dialect: 5, agent: "ubuntu24", agentID: "003", uid: "d5cc0e71-bcbb-4adc-98de-caed210cebf2",
		severity: "low", level: 6, title: "Failed authentication attempt - vagrant from 192.168.56.1",
		groups: []string{"low", "wazuh-generic", "attack.credential-access", "attack.initial-access", "attack.t1110", "attack.t1078", "linux", "system-activity"},
		srcIP:  "192.168.56.1", srcPort: "52312", user: "vagrant", location: "journald",
		log0: "Aug 20 14:03:11 ubuntu-2404 sshd[20417]: Failed password for vagrant from 192.168.56.1 port 52312 ssh2",
		id:   "f166aa6b-3b97-42c6-9700-37e0863a425d", time: "2026-08-20T14:03:11.482Z",
		ar: &Wazuh5AR{Name: "block-ip-ssh-local", Executable: "block-ip", Type: "stateful", Location: "local"}}
	unit := func(ip, typ, command string, action Action) want {
		return want{dialect: 5, command: command, action: action, srcIP: ip, user: "root", log0: "Test event",
			ar: &Wazuh5AR{Name: "block-ip", Executable: "block-ip", Type: typ, Location: "agent", AgentID: "001"}}
	}
	with := func(w want, command string, action Action) want { w.command, w.action = command, action; return w }
	docAR := &Wazuh5AR{Name: "block-ip", Executable: "block-ip", Type: "stateless", Location: "defined-agent", AgentID: "001"}
	cases := map[string]want{
		"wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson": with(synthA, "enable", ActionAdd),
		"wazuh5-SYNTH-A-stdin2-continue.ndjson":            with(synthA, "continue", ""),
		"wazuh5-SYNTH-A-stdin-disable.ndjson":              with(synthA, "disable", ActionDelete),
		"wazuh5-SYNTH-B-stdin1-enable-stateless-defined-agent.ndjson": {dialect: 5, command: "enable", action: ActionAdd,
			agent: "web-fe-01", agentID: "012", uid: "5af54681-df95-4c26-854f-2565e13cfab0", severity: "high", level: 13,
			title: "SQL injection attempt", groups: []string{"attack.initial-access", "attack.t1190", "apache-http", "applications"},
			srcIP: "203.0.113.77", location: "/var/log/apache2/access.log",
			log0: `203.0.113.77 - - [20/Aug/2026:16:41:56 +0000] "GET /index.php?id=1%27%20UNION%20SELECT%201,2,3-- HTTP/1.1" 404 492 "-" "sqlmap/1.8"`,
			id:   "0b6b3f9e-6a0e-4d8c-9a51-2f1f4c1e9d77", time: "2026-08-20T16:41:57.030Z",
			ar: &Wazuh5AR{Name: "nagios-passive", Executable: "ossec-nagios", ExtraArguments: "--service WAZUH", Type: "stateless", Location: "defined-agent", AgentID: "007"}},
		"wazuh5-execd-unit-stdin1-enable-stateless.ndjson": unit("10.0.0.1", "stateless", "enable", ActionAdd),
		"wazuh5-execd-unit-stdin2-continue.ndjson":         unit("10.0.0.1", "stateless", "continue", ""),
		"wazuh5-execd-unit-stdin1-enable-stateful.ndjson":  unit("10.0.0.2", "stateful", "enable", ActionAdd),
		"wazuh5-execd-unit-stdin-disable-stateful.ndjson":  unit("10.0.0.2", "stateful", "disable", ActionDelete),
		"wazuh5-execd-unit-stdin2-abort.ndjson":            unit("10.0.0.1", "stateful", "abort", ""),
		"wazuh5-execd-unit-queue-in-stateful.json":         unit("10.0.0.2", "stateful", "", ""),
		"wazuh5-integration-test-task-payload.json":        {dialect: 5, srcIP: "3.3.3.3", user: "Test.", log0: "Test event", ar: &Wazuh5AR{Name: "block-ip", Executable: "block-ip", Type: "stateful", Location: "agent", AgentID: "001"}},
		"wazuh5-stdin-enable.docs-README.json":             {dialect: 5, command: "enable", action: ActionAdd, agent: "test-agent", agentID: "001", srcIP: "192.168.1.100", user: "username", ar: docAR},
		"wazuh5-stdin-enable.migration-guide.json":         {dialect: 5, command: "enable", action: ActionAdd, agent: "test-agent", agentID: "001", srcIP: "192.168.1.100", user: "username", ar: docAR},
		"wazuh5-stdin-disable.docs-README.json":            {dialect: 5, command: "disable", action: ActionDelete, agent: "test-agent", agentID: "001", srcIP: "192.168.1.100", user: "username", ar: &Wazuh5AR{Name: "block-ip", Executable: "block-ip", Type: "stateful", Location: "defined-agent", AgentID: "001"}},
		"wazuh5-stdin-enable-extra-arguments.migration-guide.json": {dialect: 5, command: "enable", action: ActionAdd, agent: "wazuh-agent", agentID: "001", srcIP: "1.2.3.4",
			ar: &Wazuh5AR{Name: "block-ssh-args-local", Executable: "block-ssh.sh", ExtraArguments: "--severity high --queue urgent", Type: "stateful", Location: "local"}},
		"wazuh5-wazuh-active-responses-doc.migration-guide.json": {dialect: 5, agent: "ubuntu24", agentID: "003", uid: "d5cc0e71-bcbb-4adc-98de-caed210cebf2", severity: "low", level: 6,
			title: "Failed authentication attempt - vagrant from 192.168.56.1", id: "f166aa6b-3b97-42c6-9700-37e0863a425d",
			groups: []string{"low", "wazuh-generic", "attack.credential-access", "attack.initial-access", "attack.t1110", "attack.t1078", "linux", "system-activity"}, location: "journald",
			ar: &Wazuh5AR{Name: "block-ip-ssh-local", Executable: "block-ip", Type: "stateful", Location: "local"}},
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "wazuh5", "*.*json"))
	seen := 0
	for _, f := range files {
		name := filepath.Base(f)
		w, ok := cases[name]
		if !ok {
			continue
		}
		seen++
		t.Run(name, func(t *testing.T) {
			m, err := ParseARMessage(readWazuh5(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if m.Dialect != w.dialect || m.Command != w.command {
				t.Fatalf("dialect %d command %q, want %d %q", m.Dialect, m.Command, w.dialect, w.command)
			}
			act, err := m.Action()
			if w.action == "" && err == nil || w.action != "" && act != w.action {
				t.Errorf("action %q, %v; want %q", act, err, w.action)
			}
			if w.ar != nil {
				if w.ar.Name != "" && (m.Wazuh5 == nil || *m.Wazuh5 != *w.ar) {
					t.Errorf("active_response %+v, want %+v", m.Wazuh5, w.ar)
				}
			}
			a := m.Alert
			if !m.HasAlert || a.Source != SourceARWazuh5 || !a.Resolved {
				t.Errorf("HasAlert %v source %q resolved %v", m.HasAlert, a.Source, a.Resolved)
			}
			got := []string{a.Agent.Name, a.Agent.ID, a.Rule.UID, a.Rule.Severity, a.Rule.Description, a.SrcIP, a.SrcPort, a.User, a.Location, a.ID}
			exp := []string{w.agent, w.agentID, w.uid, w.severity, w.title, w.srcIP, w.srcPort, w.user, w.location, w.id}
			if !slices.Equal(got, exp) {
				t.Errorf("agent, id, uid, severity, title, src, port, user, location, id:\n got %q\nwant %q", got, exp)
			}
			if a.Rule.Level != w.level || a.Rule.ID != 0 {
				t.Errorf("level %d id %d, want %d 0", a.Rule.Level, a.Rule.ID, w.level)
			}
			if !slices.Equal(a.Rule.Groups, w.groups) {
				t.Errorf("groups %q, want %q", a.Rule.Groups, w.groups)
			}
			if w.log0 == "" && len(a.FullLog) > 0 || w.log0 != "" && (len(a.FullLog) != 1 || a.FullLog[0] != w.log0) {
				t.Errorf("full log %q, want %q", a.FullLog, w.log0)
			}
			if w.time != "" && !a.Time.Equal(mustTime(t, w.time)) {
				t.Errorf("time %v, want %s", a.Time, w.time)
			}
		})
	}
	if seen != len(cases) {
		t.Fatalf("%d of %d samples found in testdata/wazuh5", seen, len(cases))
	}
}

func mustTime(t *testing.T, s string) time.Time {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestWazuh5NotAnARMessage: samples that are not a message execd writes,
// and the control messages, stay what they are.
func TestWazuh5NotAnARMessage(t *testing.T) {
	for _, name := range []string{"wazuh5-engine-processed-event.docs.json", "wazuh5-engine-file-output-line.derived.ndjson", "wazuh5-SYNTH-A-finding-doc.json"} {
		_, err := ParseARMessage(readWazuh5(t, name))
		if !errors.Is(err, ErrBadARMessage) {
			t.Errorf("%s: %v, want ErrBadARMessage (no wazuh.active_response, no parameters)", name, err)
		}
	}
	// The finding itself decodes as a Wazuh 5 alert.
	a, err := ParseWazuh5Alert(readWazuh5(t, "wazuh5-SYNTH-A-finding-doc.json"))
	if err != nil || a.Rule.UID != "d5cc0e71-bcbb-4adc-98de-caed210cebf2" || a.Agent.Name != "ubuntu24" {
		t.Errorf("finding: %+v, %v", a.Rule, err)
	}
	for _, name := range []string{"wazuh5-check-keys.helper-derived.ndjson", "wazuh5-execd-unit-stdout-check-keys.ndjson"} {
		m, err := ParseARMessage(readWazuh5(t, name))
		if err != nil || m.Dialect != 4 || m.Command != "check_keys" || len(m.Keys) == 0 || m.Keys[0] != "10.0.0.1" {
			t.Errorf("%s: %+v, %v", name, m, err)
		}
	}
	m, err := ParseARMessage(readWazuh5(t, "wazuh4-stdin-add.migration-guide.json"))
	if err != nil || m.Dialect != 4 || m.Wazuh5 != nil {
		t.Fatalf("4.x sample: %+v, %v", m, err)
	}
	if act, err := m.Action(); act != ActionAdd || err != nil {
		t.Errorf("4.x sample: %q, %v", act, err)
	}
}

// TestWazuh5Verdicts: execd's answer is the whole line with command set
// to continue or abort.
func TestWazuh5Verdicts(t *testing.T) {
	for name, want := range map[string]Verdict{
		"wazuh5-execd-unit-stdin2-continue.ndjson": VerdictContinue,
		"wazuh5-execd-unit-stdin2-abort.ndjson":    VerdictAbort,
		"wazuh5-SYNTH-A-stdin2-continue.ndjson":    VerdictContinue,
	} {
		v, err := ParseVerdict(readWazuh5(t, name))
		if v != want || err != nil {
			t.Errorf("%s: %q, %v; want %q", name, v, err, want)
		}
	}
	if _, err := ParseVerdict(readWazuh5(t, "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson")); err == nil {
		t.Error("enable taken as a verdict")
	}
}

// TestWazuh5Edges: what a real 5.x dispatch can send besides the samples,
// and each dialect's message sent with the other's command.
func TestWazuh5Edges(t *testing.T) {
	base := string(bytes.TrimSpace(readWazuh5(t, "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson")))
	big := strings.Repeat("A", 60<<10)
	cases := []struct {
		name   string
		line   string
		check  func(t *testing.T, m *ARMessage)
		errHas string // ParseARMessage or Action fails with this
	}{
		{"no wazuh.rule.level", strings.Replace(base, `"level":"low",`, "", 1), func(t *testing.T, m *ARMessage) {
			if m.Alert.Rule.Severity != "" || m.Alert.Rule.Level != 0 || m.Alert.Rule.UID == "" {
				t.Errorf("rule %+v", m.Alert.Rule)
			}
		}, ""},
		{"no event.original", strings.Replace(base, `"original":"Aug 20 14:03:11 ubuntu-2404 sshd[20417]: Failed password for vagrant from 192.168.56.1 port 52312 ssh2",`, "", 1), func(t *testing.T, m *ARMessage) {
			if len(m.Alert.FullLog) != 0 || m.Alert.Rule.Description == "" {
				t.Errorf("full log %q", m.Alert.FullLog)
			}
		}, ""},
		{"extra_arguments null and a string", strings.Replace(base, `"extra_arguments":null`, `"extra_arguments":"--x y"`, 1), func(t *testing.T, m *ARMessage) {
			if m.Wazuh5.ExtraArguments != "--x y" {
				t.Errorf("extra %q", m.Wazuh5.ExtraArguments)
			}
		}, ""},
		{"60 KiB event.original", strings.Replace(base, `"original":"Aug 20`, `"original":"`+big+`Aug 20`, 1), func(t *testing.T, m *ARMessage) {
			if len(m.Alert.FullLog) != 1 || len(m.Alert.FullLog[0]) < 60<<10 {
				t.Errorf("full log of %d lines", len(m.Alert.FullLog))
			}
		}, ""},
		{"command twice: execd's, the last, counts", strings.Replace(base, `{"@timestamp"`, `{"command":"disable","@timestamp"`, 1), func(t *testing.T, m *ARMessage) {
			if m.Command != "enable" {
				t.Errorf("command %q", m.Command)
			}
		}, ""},
		{"rule level a number", strings.Replace(base, `"level":"low"`, `"level":12`, 1), func(t *testing.T, m *ARMessage) {
			if m.Alert.Rule.Level != 12 || m.Alert.Rule.Severity != "high" {
				t.Errorf("rule %+v", m.Alert.Rule)
			}
		}, ""},
		{"unknown level keyword", strings.Replace(base, `"level":"low"`, `"level":"severe"`, 1), func(t *testing.T, m *ARMessage) {
			if m.Alert.Rule.Level != 0 || SeverityRank(m.Alert.Rule.Severity) != 0 {
				t.Errorf("rule %+v", m.Alert.Rule)
			}
		}, ""},
		{"the #!-execd prefix", "#!-execd " + base, nil, ""},
		{"5.x message with 4.x command", strings.Replace(base, `"command":"enable"`, `"command":"add"`, 1), nil, `Wazuh 5 message: command "add" is not enable or disable`},
		{"4.x message with 5.x command", `{"version":1,"origin":{"name":"n","module":"wazuh-analysisd"},"command":"enable","parameters":{"alert":{"rule":{"id":"5712","level":10}}}}`, nil, `command "enable" is Wazuh 5's`},
		{"active_response not an object", strings.Replace(base, `"active_response":{`, `"active_response":"x","y":{`, 1), nil, "Wazuh 5 message"},
		{"no command at all", strings.Replace(base, `,"command":"enable"`, "", 1), nil, `command "" is not enable or disable`},
		{"truncated line", base[:len(base)/2], nil, "bad active-response message"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseARMessage([]byte(tc.line))
			if err == nil {
				_, err = m.Action()
			}
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %v, want one line with %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Dialect != 5 {
				t.Fatalf("dialect %d", m.Dialect)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

// TestWazuh5Keys: the stateful key of a 5.x alert is its rule UUID and agent.
func TestWazuh5Keys(t *testing.T) {
	m, err := ParseARMessage(readWazuh5(t, "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if k := Keys(m.Alert); !slices.Equal(k, []string{"d5cc0e71-bcbb-4adc-98de-caed210cebf2", "003"}) {
		t.Errorf("keys %q", k)
	}
}

func TestSeverityBands(t *testing.T) {
	for lvl, want := range map[int]string{0: "informational", 1: "informational", 3: "informational", 4: "low", 6: "low", 7: "medium", 9: "medium", 10: "high", 13: "high", 14: "critical", 16: "critical", 20: "critical"} {
		if got := SeverityForLevel(lvl); got != want {
			t.Errorf("level %d: %s, want %s", lvl, got, want)
		}
		if lo, hi, ok := SeverityBand(want); !ok || lvl >= 1 && lvl <= 16 && (lvl < lo || lvl > hi) {
			t.Errorf("band of %s: %d-%d, %v", want, lo, hi, ok)
		}
	}
	if SeverityRank("HIGH") != 4 || SeverityRank("") != 0 || SeverityRank("severe") != 0 {
		t.Error("SeverityRank")
	}
}

// FuzzParseWazuh5: any line through the 5.x detection and decoder never
// panics, gives one-line errors, and, when it is a Wazuh 5 message, the
// fast decoder agrees with encoding/json on it.
func FuzzParseWazuh5(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "wazuh5", "*json"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseARMessage(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		if _, err := m.Action(); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of more than one line: %q", err)
		}
		if m.Dialect != 5 {
			return
		}
		if m.Wazuh5 == nil || !m.HasAlert || m.Alert.Source != SourceARWazuh5 {
			t.Fatalf("5.x message without its parts: %+v", m)
		}
		raw := string(bytes.TrimRight(bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(b), []byte("#!-execd "))), "\r\n"))
		if fast, ok := fastDecodeJSON(raw); ok {
			slow, err := slowDecodeJSON([]byte(raw))
			if err != nil || !reflect.DeepEqual(fast, slow) {
				t.Fatalf("fast and encoding/json differ on %q:\nfast %+v\nslow %+v (%v)", raw, fast, slow, err)
			}
		}
	})
}

// TestWazuh5TablesDriveBothDecoders: every field of the Wazuh 5 tables is
// read by the fast path and by encoding/json alike, and the samples take
// the fast path.
func TestWazuh5TablesDriveBothDecoders(t *testing.T) {
	samples := map[fieldKind][]string{
		kindString:  {`"v1"`, `null`},
		kindFlex:    {`"7"`, `7`, `null`},
		kindStrings: {`["a","b"]`, `null`},
		kindNumber:  {`60`, `null`},
		kindLabels:  {`{"k":"v"}`, `null`},
	}
	wrap := func(path ...string) func(string) string {
		return func(m string) string {
			s := m
			for i := len(path) - 1; i >= 0; i-- {
				s = `"` + path[i] + `":{` + s + `}`
			}
			return "{" + s + "}"
		}
	}
	containers := []struct {
		obj  *jsonObject
		wrap func(string) string
	}{
		{eventObject, wrap("event")},
		{endpointObject, wrap("source")},
		{userObject, wrap("user")},
		{logFileObject, wrap("log", "file")},
		{rule5Object, wrap("wazuh", "rule")},
		{integrationObject, wrap("wazuh", "integration")},
		{protocolObject, wrap("wazuh", "protocol")},
		{wazuhEventObject, wrap("wazuh", "event")},
		{activeResponseObject, wrap("wazuh", "active_response")},
		{agentObject, wrap("wazuh", "agent")},
	}
	n := 0
	for _, c := range containers {
		for _, f := range c.obj.fields {
			if f.kind == kindObject {
				continue
			}
			for _, v := range samples[f.kind] {
				raw := c.wrap(`"` + f.name + `":` + v)
				n++
				fast, ok := fastDecodeJSON(raw)
				if !ok {
					t.Errorf("fast path not taken for %s", raw)
					continue
				}
				slow, err := slowDecodeJSON([]byte(raw))
				if err != nil || !reflect.DeepEqual(fast, slow) {
					t.Errorf("%s:\nfast %+v\nslow %+v %v", raw, fast, slow, err)
				}
				if v != "null" && reflect.DeepEqual(slow, jsonDoc{}) {
					t.Errorf("%s: the value went nowhere", raw)
				}
			}
		}
	}
	if n < 30 {
		t.Fatalf("only %d cases", n)
	}
	for _, name := range []string{"wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson", "wazuh5-SYNTH-B-stdin1-enable-stateless-defined-agent.ndjson", "wazuh5-execd-unit-stdin1-enable-stateless.ndjson"} {
		raw := string(bytes.TrimSpace(readWazuh5(t, name)))
		fast, ok := fastDecodeJSON(raw)
		slow, err := slowDecodeJSON([]byte(raw))
		if !ok || err != nil || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: fast path %v, %v", name, ok, err)
		}
	}
}
