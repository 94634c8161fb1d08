package alert

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseLegacyArgs(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		want    LegacyRequest
		wantErr bool
	}{
		{name: "OSSEC 2.x agent location split in two",
			args: "add - 10.0.0.1 1359725403.1533356 5501 (theHost) 192.168.1.1->/var/log/secure -",
			want: LegacyRequest{Action: ActionAdd, SrcIP: "10.0.0.1", AlertID: "1359725403.1533356", ID: ID{1359725403, 1533356}, RuleID: 5501,
				Location: "(theHost) 192.168.1.1->/var/log/secure", Extra: []string{"-"}}},
		{name: "Wazuh 3.5+ filename and extra_args placeholders",
			args: "add root - 1790275830.2512248 5715 sanji->journald - -",
			want: LegacyRequest{Action: ActionAdd, User: "root", AlertID: "1790275830.2512248", ID: ID{1790275830, 2512248}, RuleID: 5715,
				Location: "sanji->journald", Extra: []string{"-", "-"}}},
		{name: "command location with spaces and pipes",
			args: "add - - 1780296857.2295 533 (web01) any->netstat -tan |grep LISTEN |egrep -v '(127.0.0.1| ::1)' | sort - -",
			want: LegacyRequest{Action: ActionAdd, AlertID: "1780296857.2295", ID: ID{1780296857, 2295}, RuleID: 533,
				Location: "(web01) any->netstat -tan |grep LISTEN |egrep -v '(127.0.0.1| ::1)' | sort", Extra: []string{"-", "-"}}},
		{name: "syscheck file name with a space, shell-escaped",
			args: `add - - 1297452000.35246 550 host->syscheck /etc/my\ file\(1\) -`,
			want: LegacyRequest{Action: ActionAdd, AlertID: "1297452000.35246", ID: ID{1297452000, 35246}, RuleID: 550,
				Location: "host->syscheck", Filename: "/etc/my file(1)", Extra: []string{"-"}}},
		{name: "delete with IPv4-mapped srcip, no location",
			args: "delete - ::ffff:172.16.0.1 1304756247.60385 31151",
			want: LegacyRequest{Action: ActionDelete, SrcIP: "172.16.0.1", AlertID: "1304756247.60385", ID: ID{1304756247, 60385}, RuleID: 31151}},
		{name: "too few", args: "add - - 1.2", wantErr: true},
		{name: "bad action", args: "restart - - 1.2 5 loc", wantErr: true},
		{name: "bad id", args: "add - - 1-2 5 loc", wantErr: true},
		{name: "bad rule", args: "add - - 1.2 5x loc", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLegacyArgs(strings.Split(tc.args, " "))
			if tc.wantErr {
				if !errors.Is(err, ErrBadARArgs) {
					t.Fatalf("err = %v, want ErrBadARArgs", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	// The fallback carries what the arguments know.
	r, _ := ParseLegacyArgs(strings.Split("add - 10.0.0.1 1359725403.1533356 5501 (theHost) 192.168.1.1->/var/log/secure -", " "))
	fb := r.Fallback()
	if fb.Resolved || fb.Agent.Name != "theHost" || fb.Agent.IP != "192.168.1.1" || fb.Rule.ID != 5501 || fb.Source != SourceARLegacy || fb.SrcIP != "10.0.0.1" {
		t.Errorf("fallback = %+v", fb)
	}
}

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in   string
		want Where
	}{
		{"(web01) 10.0.0.1->/var/log/secure", Where{Agent: "web01", IP: "10.0.0.1", Location: "(web01) 10.0.0.1->/var/log/secure", Source: "/var/log/secure"}},
		{"(win10-clean) any->EventChannel", Where{Agent: "win10-clean", Location: "(win10-clean) any->EventChannel", Source: "EventChannel"}},
		{"(192.168.192.196) any->/var/log/messages", Where{Agent: "192.168.192.196", Location: "(192.168.192.196) any->/var/log/messages", Source: "/var/log/messages"}},
		{"(db) 10.1.0.0/24->df -h -> x", Where{Agent: "db", IP: "10.1.0.0/24", Location: "(db) 10.1.0.0/24->df -h -> x", Source: "df -h -> x"}},
		{"myhost->/var/log/messages", Where{Host: "myhost", Location: "/var/log/messages", Source: "/var/log/messages"}},
		{"kali->netstat listening ports", Where{Host: "kali", Location: "netstat listening ports", Source: "netstat listening ports"}},
		{"myhost->syscheck", Where{Host: "myhost", Location: "syscheck", Source: "syscheck"}},
		{"(ssh_integrity_check_linux) admin@10.0.0.5->syscheck", Where{Agent: "10.0.0.5", IP: "10.0.0.5", Location: "(ssh_integrity_check_linux) admin@10.0.0.5->syscheck", Source: "syscheck", AgentlessScript: "ssh_integrity_check_linux", AgentlessUser: "admin"}},
		{"(ssh_generic_diff) root@fw1.example.com->ls -la /etc", Where{Agent: "fw1.example.com", Location: "(ssh_generic_diff) root@fw1.example.com->ls -la /etc", Source: "ls -la /etc", AgentlessScript: "ssh_generic_diff", AgentlessUser: "root"}},
		{"/var/log/nmap-out.log", Where{Location: "/var/log/nmap-out.log", Source: "/var/log/nmap-out.log"}},
		{"netstat -tan | grep -> x", Where{Location: "netstat -tan | grep -> x", Source: "netstat -tan | grep -> x"}},
		{"(broken", Where{Location: "(broken", Source: "(broken"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := ParseLocation(tc.in); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// blockingReader hands out its data and then blocks, as execd's stdin does
// (execd never closes it before reading our stdout).
type blockingReader struct {
	data    []byte
	blocked chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	if len(b.data) == 0 {
		close(b.blocked)
		select {} // a read past the line would hang here
	}
	n := copy(p, b.data)
	b.data = b.data[n:]
	return n, nil
}

func TestReadARMessageReadsOneLineOnly(t *testing.T) {
	msg := `{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"add","parameters":{"extra_args":[],"alert":{"id":"1.2","rule":{"id":"5715","level":3,"description":"d"},"agent":{"id":"001","name":"web01","ip":"10.0.0.1"},"location":"/var/log/secure","data":{"srcip":"10.9.9.9"}},"program":"active-response/bin/ossec-nagios"}}` + "\n"
	br := &blockingReader{data: []byte(msg), blocked: make(chan struct{})}
	done := make(chan *ARMessage, 1)
	go func() {
		m, err := ReadARMessage(bufio.NewReader(br))
		if err != nil {
			t.Error(err)
		}
		done <- m
	}()
	select {
	case m := <-done:
		act, err := m.Action()
		if err != nil || act != ActionAdd || m.Alert.Rule.ID != 5715 || m.Alert.SrcIP != "10.9.9.9" || m.Alert.Source != SourceARJSON ||
			m.Alert.Location != "(web01) 10.0.0.1->/var/log/secure" || m.Program != "active-response/bin/ossec-nagios" {
			t.Errorf("message = %+v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("ReadARMessage blocked after the first line: it reads past the message")
	}
}

func TestParseARMessage(t *testing.T) {
	tests := []struct {
		name, in string
		rule     int
		command  string
		wantErr  bool
	}{
		{name: "agent prefix and numeric rule id", in: `#!-execd {"version":1,"origin":{"name":"","module":"wazuh-analysisd"},"command":"firewall-drop5","parameters":{"extra_args":[],"alert":{"rule":{"level":5,"description":"Test.","id":5715}}}}`, rule: 5715, command: "firewall-drop5"},
		{name: "4.2.0-4.2.4 \\x escapes", in: `{"version":1,"command":"add","parameters":{"alert":{"rule":{"id":"1","level":1,"description":"it\x27s \x24HOME\x21"}}}}`, rule: 1, command: "add"},
		{name: "delete", in: `{"version":1,"command":"delete","parameters":{"alert":{"rule":{"id":"2"}}}}`, rule: 2, command: "delete"},
		{name: "not JSON", in: `add - - 1.2 3`, wantErr: true},
		{name: "no parameters", in: `{"version":1,"command":"add"}`, wantErr: true},
		{name: "alert without rule", in: `{"command":"add","parameters":{"alert":{"id":"1.2"}}}`, wantErr: true},
		{name: "rule id not a number", in: `{"command":"add","parameters":{"alert":{"rule":{"id":"x"}}}}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseARMessage([]byte(tc.in))
			if tc.wantErr {
				if !errors.Is(err, ErrBadARMessage) {
					t.Fatalf("err = %v, want ErrBadARMessage", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Alert.Rule.ID != tc.rule || m.Command != tc.command {
				t.Errorf("rule %d command %q", m.Alert.Rule.ID, m.Command)
			}
			if strings.Contains(tc.in, `\x27`) && m.Alert.Rule.Description != "it's $HOME!" {
				t.Errorf("description %q", m.Alert.Rule.Description)
			}
		})
	}
	if _, err := ReadARMessage(bufio.NewReader(strings.NewReader(""))); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("empty stdin: err = %v", err)
	}
}

func TestCheckKeys(t *testing.T) {
	tests := []struct {
		name, answer string
		want         Verdict
		wantErr      bool
	}{
		{"continue", `{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"continue","parameters":{}}`, VerdictContinue, false},
		{"abort", `{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"abort","parameters":{}}`, VerdictAbort, false},
		{"odd answer", `{"version":1,"command":"add","parameters":{}}`, "", true},
		{"stdin closed", ``, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			r := bufio.NewReader(strings.NewReader(tc.answer + "\n"))
			if tc.answer == "" {
				r = bufio.NewReader(strings.NewReader(""))
			}
			a := Alert{Rule: Rule{ID: 5712}, Agent: Agent{ID: "001", Name: "web01"}}
			v, err := CheckKeys(r, &out, "ossec-nagios", Keys(a))
			if (err != nil) != tc.wantErr || v != tc.want {
				t.Fatalf("verdict %q err %v", v, err)
			}
			want := `{"version":1,"origin":{"module":"active-response","name":"ossec-nagios"},"command":"check_keys","parameters":{"keys":["5712","001"]}}` + "\n"
			if out.String() != want {
				t.Errorf("wrote %q\nwant  %q", out.String(), want)
			}
			// execd accepts it as a control message.
			m, err := ParseARMessage(out.Bytes())
			if err != nil || m.Command != "check_keys" || m.Version != 1 || !reflect.DeepEqual(m.Keys, []string{"5712", "001"}) {
				t.Errorf("control message %+v, %v", m, err)
			}
		})
	}
}

func TestParseIntegrationArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want IntegrationRequest
	}{
		{"3.9-4.1", []string{"/tmp/custom-nagios-1790275830-123.alert", "", "", " > /dev/null 2>&1"},
			IntegrationRequest{AlertFile: "/tmp/custom-nagios-1790275830-123.alert"}},
		{"4.2-4.6 debug", []string{"/tmp/a.alert", "key", "https://hook", "debug"},
			IntegrationRequest{AlertFile: "/tmp/a.alert", APIKey: "key", HookURL: "https://hook", Debug: true}},
		{"4.7 options", []string{"/tmp/a.alert", "", "", "", "/tmp/custom-nagios-1-2.options", "> /dev/null 2>&1"},
			IntegrationRequest{AlertFile: "/tmp/a.alert", OptionsFile: "/tmp/custom-nagios-1-2.options"}},
		{"4.8+ timeout retries", []string{"/tmp/a.alert", "", "", "", "/tmp/o.options", "10", "3", "> /dev/null 2>&1"},
			IntegrationRequest{AlertFile: "/tmp/a.alert", OptionsFile: "/tmp/o.options", Timeout: 10, Retries: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseIntegrationArgs(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if _, err := ParseIntegrationArgs(nil); !errors.Is(err, ErrBadIntegration) {
		t.Errorf("no args: err = %v", err)
	}
}

const integrationText = "alertdate='2026-09-24T18:50:30.095+0000'\nalertlocation='journald'\nruleid='5715'\nalertlevel='3'\nruledescription='sshd: authentication success, it's ok.'\nalertlog='Sep 24 18:50:30 sanji sshd[63622]: Accepted password for sanji from 192.168.1.37 port 49220 ssh2'\nsrcip='192.168.1.37'"

func TestReadIntegrationFile(t *testing.T) {
	dir := t.TempDir()
	jsonAlert, err := os.ReadFile(filepath.Join("testdata", "samples", "wazuh-alert-json-frequency-rule.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, content string
		rule, level   int
		srcip, desc   string
		wantErr       bool
	}{
		{name: "json", content: string(jsonAlert), rule: 5712, level: 10, srcip: "172.17.1.1", desc: "sshd: brute force trying to get access to the system. Non existent user."},
		{name: "text", content: integrationText, rule: 5715, level: 3, srcip: "192.168.1.37", desc: "sshd: authentication success, it's ok."},
		{name: "text missing key", content: "alertdate='x'\nruleid='1'", wantErr: true},
		{name: "empty", content: "", wantErr: true},
		{name: "text bad rule", content: strings.Replace(integrationText, "5715", "57x", 1), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".alert")
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			a, err := ReadIntegrationFile(p)
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Rule.ID != tc.rule || a.Rule.Level != tc.level || a.SrcIP != tc.srcip || a.Rule.Description != tc.desc || a.Source != SourceIntegration || len(a.FullLog) == 0 {
				t.Errorf("alert = %+v", a)
			}
		})
	}
	if _, err := ReadIntegrationFile(filepath.Join(dir, "gone.alert")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

// TestScannerEdges covers what the samples do not: a header split by the
// bufio buffer, an over-long alert, CRLF, a header-like line in the middle
// of a line, and the same alert in JSON and log form.
func TestScannerEdges(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	in := "junk before\n" +
		"** Alert 1.0: - a,\n2026 Jan 02 03:04:05 h->f\r\nRule: 1 (level 2) -> 'it's'\r\nline ** Alert 9.9: not a header\n\n" +
		"** Alert 2.99: mail  - b\n2026 Jan 02 03:04:06 h->f\nRule: 2 (level 3) -> 'x'\n" + long + "\n\n" +
		"** Alert 3.1: - c\n"
	sc := NewScanner(strings.NewReader(in))
	sc.MaxAlertBytes = 1024
	var got []Alert
	var offs []int64
	for sc.Scan() {
		got = append(got, sc.Alert())
		offs = append(offs, sc.Offset())
	}
	if sc.Err() != nil || len(got) != 3 {
		t.Fatalf("%d alerts, err %v", len(got), sc.Err())
	}
	if sc.Skipped() != int64(len("junk before\n")) || offs[0] != 12 {
		t.Errorf("skipped %d, first offset %d", sc.Skipped(), offs[0])
	}
	a := got[0]
	if a.Rule.Description != "it's" || a.Agent.Name != "h" || len(a.FullLog) != 1 || a.FullLog[0] != "line ** Alert 9.9: not a header" {
		t.Errorf("first = %+v", a)
	}
	if !got[1].Truncated || len(got[1].Raw) != 1024 || got[1].Rule.Groups[0] != "b" {
		t.Errorf("second: truncated %v, raw %d", got[1].Truncated, len(got[1].Raw))
	}
	if offs[2] != int64(strings.LastIndex(in, "** Alert 3.1")) || got[2].ID != "3.1" {
		t.Errorf("third at %d id %s", offs[2], got[2].ID)
	}

	// The JSON and the log form of one alert agree on what matters.
	logRaw, _ := os.ReadFile(filepath.Join("testdata", "samples", "wazuh4-alerts-windows-eventchannel-tail.log"))
	jsonRaw, _ := os.ReadFile(filepath.Join("testdata", "samples", "wazuh4-alerts-subset.json"))
	byID := map[string]Alert{}
	ls := NewScanner(bytes.NewReader(logRaw))
	for ls.Scan() {
		byID[ls.Alert().ID] = ls.Alert()
	}
	js := NewJSONScanner(bytes.NewReader(jsonRaw), 0)
	shared := 0
	for js.Scan() {
		j := js.Alert()
		l, ok := byID[j.ID]
		if !ok {
			continue
		}
		shared++
		if l.Rule.ID != j.Rule.ID || l.Rule.Level != j.Rule.Level || l.Rule.Description != j.Rule.Description ||
			l.Agent.Name != j.Agent.Name || l.SrcIP != j.SrcIP || l.User != j.User || !l.Time.Equal(j.Time.Truncate(time.Second)) {
			t.Errorf("%s: log %+v\njson %+v", j.ID, l.Rule, j.Rule)
		}
	}
	if shared != 3 {
		t.Errorf("%d shared ids, want 3", shared)
	}
	var anyJSON map[string]any
	if json.Unmarshal(jsonRaw[:bytes.IndexByte(jsonRaw, '\n')], &anyJSON) != nil {
		t.Error("sample is not JSON")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestCheckKeysContext: execd's answer, or no answer within the deadline,
// never a wait beyond it.
func TestCheckKeysContext(t *testing.T) {
	const cont = `{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"continue","parameters":{}}` + "\n"
	silent, _ := io.Pipe() // open and silent, like execd's stdin
	tests := []struct {
		name     string
		in       io.Reader
		out      io.Writer
		want     Verdict
		noAnswer bool // error wraps ErrNoAnswer
		badReply bool // error, but not ErrNoAnswer
	}{
		{name: "continue", in: strings.NewReader(cont), want: VerdictContinue},
		{name: "abort", in: strings.NewReader(strings.Replace(cont, "continue", "abort", 1)), want: VerdictAbort},
		{name: "odd answer", in: strings.NewReader(`{"version":1,"command":"add","parameters":{}}` + "\n"), badReply: true},
		{name: "stdin closed", in: strings.NewReader(""), noAnswer: true},
		{name: "stdin silent", in: silent, noAnswer: true},
		{name: "stdout closed", in: strings.NewReader(cont), out: failWriter{}, noAnswer: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			w := tc.out
			if w == nil {
				w = &out
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			v, err := CheckKeysContext(ctx, NewLineReader(tc.in), w, "ossec-nagios", []string{"5712", "001"})
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v with a 100ms deadline", took)
			}
			if v != tc.want {
				t.Errorf("verdict %q, want %q (err %v)", v, tc.want, err)
			}
			if got := errors.Is(err, ErrNoAnswer); got != tc.noAnswer {
				t.Errorf("err %v: no answer %v, want %v", err, got, tc.noAnswer)
			}
			if tc.badReply && (err == nil || errors.Is(err, ErrNoAnswer)) {
				t.Errorf("err %v, want a bad-answer error", err)
			}
			if tc.out == nil && !strings.HasPrefix(out.String(), `{"version":1,"origin":{"module":"active-response","name":"ossec-nagios"},"command":"check_keys"`) {
				t.Errorf("wrote %q", out.String())
			}
		})
	}
}

// TestReadARMessageContext: a message is read; an open, silent stdin ends
// with the context's error at the deadline; a line arriving after a
// timed-out wait is the next read's.
func TestReadARMessageContext(t *testing.T) {
	pr, pw := io.Pipe()
	l := NewLineReader(pr)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := ReadARMessageContext(ctx, l); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("silent stdin: err %v, want deadline exceeded", err)
	}
	go pw.Write([]byte(`{"version":1,"command":"add","origin":{"name":"","module":"wazuh-execd"},"parameters":{"alert":{"id":"1.2","rule":{"id":"5712","level":10}}}}` + "\n"))
	m, err := ReadARMessageContext(context.Background(), l)
	if err != nil || m.Command != "add" || !m.HasAlert || m.Alert.Rule.ID != 5712 {
		t.Fatalf("message %+v, err %v", m, err)
	}
	pw.Close()
	if _, err := ReadARMessageContext(context.Background(), l); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("closed stdin: err %v", err)
	}
}
