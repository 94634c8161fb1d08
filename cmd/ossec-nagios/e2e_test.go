package main

// End to end against the real peers: a throw-away OSSEC root with the binary
// installed in it, the real nsca daemon feeding a real nagios4, and the
// three ways OSSEC/Wazuh run the bridge. NSCA has no acknowledgement, so
// every assertion reads the Nagios side (status.dat, nagios.log).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// binary builds cmd/ossec-nagios once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "onbin")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "ossec-nagios")
		out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// ossecRoot is a throw-away OSSEC installation.
type ossecRoot struct {
	dir, ar, integration, ini, alerts string
}

func newOSSECRoot(t *testing.T, ini string) *ossecRoot {
	t.Helper()
	bin := binary(t)
	d := lab.ShortTempDir(t)
	r := &ossecRoot{
		dir:         d,
		ar:          filepath.Join(d, "active-response", "bin", "ossec-nagios"),
		integration: filepath.Join(d, "integrations", "custom-nagios"),
		ini:         filepath.Join(d, "etc", "ossec-nagios.ini"),
		alerts:      filepath.Join(d, "logs", "alerts", "alerts.log"),
	}
	for _, sub := range []string{"active-response/bin", "integrations", "etc", "logs/alerts"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o750); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.ar, b, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../active-response/bin/ossec-nagios", r.integration); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.ini, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	return r
}

// run runs path with args, stdin and no environment overrides, returning
// the exit code and stderr.
func (r *ossecRoot) run(t *testing.T, path string, stdin []byte, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(path, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		// execd writes one line and keeps stdin open: so does this pipe,
		// until the process has exited.
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin = pr
		defer pw.Close()
		if _, err := pw.Write(stdin); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s %v did not exit (reading stdin to EOF?)", path, args)
	}
	if stdout.Len() > 0 {
		t.Errorf("%s wrote to stdout (execd reads it): %q", filepath.Base(path), stdout.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

func (r *ossecRoot) log(t *testing.T) string {
	b, _ := os.ReadFile(filepath.Join(r.dir, "logs", "active-responses.log"))
	return string(b)
}

// alertsLog writes alerts (given without their ids) into alerts.log with
// ids = offsets, as OSSEC does, and returns the ids.
func (r *ossecRoot) alertsLog(t *testing.T, epoch int64, blocks ...string) []string {
	t.Helper()
	var buf bytes.Buffer
	var ids []string
	for i, b := range blocks {
		id := fmt.Sprintf("%d.%d", epoch+int64(i), buf.Len())
		ids = append(ids, id)
		fmt.Fprintf(&buf, "** Alert %s:%s\n", id, b)
	}
	if err := os.WriteFile(r.alerts, buf.Bytes(), 0o640); err != nil {
		t.Fatal(err)
	}
	return ids
}

const e2eINI = `[nsca]
server     = 127.0.0.1:%d
password   = %s
encryption = %d
timeout    = 3s
[states]
warning  = 7
critical = 12
[hosts]
default  = {agent}
fallback = mail01
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC integrity"]
rules = 550-554
[service "OSSEC"]
[nagios]
contact_groups = security
[ar]
recovery = yes
deadline = 5s
check_keys = %s
`

// startNagios generates the objects for the agents with the bridge itself,
// then starts nagios4 and nsca.
func startNagios(t *testing.T, iniFor func(port int) string, agents ...string) (*lab.NagiosLab, *ossecRoot) {
	t.Helper()
	return startNagiosWith(t, iniFor, nil, agents...)
}

// startNagiosWith is startNagios with setup applied to the lab before it
// starts.
func startNagiosWith(t *testing.T, iniFor func(port int) string, setup func(*lab.NagiosLab), agents ...string) (*lab.NagiosLab, *ossecRoot) {
	t.Helper()
	lab.RequireBinary(t, lab.Nagios4Bin, "nagios4-core")
	lab.RequireBinary(t, lab.NSCABin, "nsca")
	// Generate with a placeholder port, start, then write the real INI.
	root := newOSSECRoot(t, iniFor(5667))
	agentsFile := filepath.Join(root.dir, "agents")
	os.WriteFile(agentsFile, []byte(strings.Join(agents, "\n")+"\n"), 0o600)
	cmd := exec.Command(root.ar, "gen", "nagios", "-config", root.ini, "-hosts", agentsFile, "-with-hosts", "-manager", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	objects, err := cmd.Output()
	if err != nil {
		t.Fatalf("gen nagios: %v: %s", err, stderr.String())
	}
	l := lab.NewNagiosLab(t, string(objects))
	if setup != nil {
		setup(l)
	}
	l.Start(t)
	if err := os.WriteFile(root.ini, []byte(iniFor(l.NSCAPort)), 0o600); err != nil {
		t.Fatal(err)
	}
	return l, root
}

func labINI(port int) string {
	return fmt.Sprintf(e2eINI, port, lab.NSCAPassword, lab.NSCAMethod, "no")
}

func labINIHandshake(port int) string {
	return fmt.Sprintf(e2eINI, port, lab.NSCAPassword, lab.NSCAMethod, "yes")
}

func TestEndToEndActiveResponse(t *testing.T) {
	l, root := startNagios(t, labINI, "web01", "db01", "mail01")
	ids := root.alertsLog(t, 1795000000,
		` mail  - syslog,sshd,authentication_failures,
2026 Nov 18 10:26:40 (web01) 10.0.0.11->/var/log/secure
Rule: 5712 (level 10) -> 'SSHD brute force trying to get access to the system.'
Src IP: 203.0.113.50
User: root
Nov 18 10:26:38 web01 sshd[4411]: Failed password for root from 203.0.113.50 port 52144 ssh2
`,
		` mail  - web,accesslog,attack,
2026 Nov 18 10:27:00 (mail01) 10.0.0.13->/var/log/nginx/access.log
Rule: 31106 (level 12) -> 'A web attack returned code 200 (success).'
Src IP: 198.51.100.7
198.51.100.7 - - "GET /?q=1|2;3 HTTP/1.1" 200 "x"
[1795000020] RESTART_PROGRAM
[1795000021] PROCESS_SERVICE_CHECK_RESULT;web01;OSSEC integrity;0;forged
`,
		` mail  - syslog,sshd,authentication_failures,
2026 Nov 18 10:28:00 web01;OSSEC integrity->/var/log/secure
Rule: 5712 (level 10) -> 'SSHD brute force trying to get access to the system.'
Src IP: 203.0.113.51
Nov 18 10:27:59 web01 sshd[4412]: Failed password for root from 203.0.113.51 port 52145 ssh2
`,
		` mail  - syslog,errors,
2026 Nov 18 10:29:00 (db01) 10.0.0.12->/var/log/messages
Rule: 1002 (level 12) -> 'Unknown problem somewhere in the system.'
`+hugeHostileLine()+`
`)

	t.Run("legacy argv", func(t *testing.T) {
		rc, stderr := root.run(t, root.ar, nil, "add", "root", "203.0.113.50", ids[0], "5712", "(web01)", "10.0.0.11->/var/log/secure")
		if rc != 0 {
			t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
		}
		st := l.WaitService(t, "web01", "OSSEC SSH", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 1 })
		want := "OSSEC rule 5712 (level 10): SSHD brute force trying to get access to the system. src=203.0.113.50 user=root"
		if !strings.HasPrefix(st.Output, want) {
			t.Errorf("output %q, want prefix %q", st.Output, want)
		}
		if st.StateType != 1 {
			t.Errorf("state type %d, want HARD", st.StateType)
		}
	})

	t.Run("hostile log lines change only their own service", func(t *testing.T) {
		rc, stderr := root.run(t, root.ar, nil, "add", "-", "198.51.100.7", ids[1], "31106", "(mail01)", "10.0.0.13->/var/log/nginx/access.log")
		if rc != 0 {
			t.Fatalf("rc %d: %s", rc, stderr)
		}
		st := l.WaitService(t, "mail01", "OSSEC", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 2 })
		if strings.Contains(st.Output, "|") {
			t.Errorf("output keeps a '|' (would split perfdata): %q", st.Output)
		}
		if st.PerfData != "" {
			t.Errorf("perfdata %q from alert text", st.PerfData)
		}
		time.Sleep(1500 * time.Millisecond) // a forged command would have run by now
		log := l.Log()
		if strings.Contains(log, "EXTERNAL COMMAND: RESTART_PROGRAM") || strings.Contains(log, ";forged") && strings.Contains(log, "EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;web01;OSSEC integrity") {
			t.Errorf("a forged external command reached Nagios:\n%s", log)
		}
		svcs, _ := l.Services()
		for _, s := range svcs {
			if s.Host == "web01" && s.Service == "OSSEC integrity" && s.LastCheck != 0 {
				t.Errorf("web01/OSSEC integrity was changed by another alert's text: %+v", s)
			}
		}
	})

	t.Run("a ; in the location reaches the fallback host, not another service", func(t *testing.T) {
		rc, stderr := root.run(t, root.ar, nil, "add", "-", "203.0.113.51", ids[2], "5712", "web01;OSSEC", "integrity->/var/log/secure")
		if rc != 0 {
			t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
		}
		st := l.WaitService(t, "mail01", "OSSEC SSH", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 1 })
		if !strings.Contains(st.Output, "refused") || !strings.Contains(st.Output, "src=203.0.113.51") {
			t.Errorf("fallback output %q does not name the refused host and the alert", st.Output)
		}
		if log := l.Log(); strings.Contains(log, "EXTERNAL COMMAND: PROCESS_SERVICE_CHECK_RESULT;web01;OSSEC integrity;") {
			t.Errorf("a ';' in the location set web01/OSSEC integrity:\n%s", log)
		}
		svcs, _ := l.Services()
		for _, s := range svcs {
			if s.Host == "web01" && s.Service == "OSSEC integrity" && s.LastCheck != 0 {
				t.Errorf("web01/OSSEC integrity changed: %+v", s)
			}
		}
		if !strings.Contains(root.log(t), ids[2]) {
			t.Errorf("no log line for %s:\n%s", ids[2], root.log(t))
		}
	})

	t.Run("a 100 kB line of invalid UTF-8 is cut, not lost", func(t *testing.T) {
		rc, stderr := root.run(t, root.ar, nil, "add", "-", "-", ids[3], "1002", "(db01)", "10.0.0.12->/var/log/messages")
		if rc != 0 {
			t.Fatalf("rc %d: %s", rc, stderr)
		}
		st := l.WaitService(t, "db01", "OSSEC", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 2 })
		if !strings.HasPrefix(st.Output, "OSSEC rule 1002 (level 12): Unknown problem somewhere in the system.") {
			t.Errorf("output %q", st.Output[:min(len(st.Output), 200)])
		}
		if !utf8.ValidString(st.Output) || strings.Contains(st.Output, "|") || st.PerfData != "" {
			t.Errorf("output not sanitised: valid UTF-8 %v, perfdata %q", utf8.ValidString(st.Output), st.PerfData)
		}
		if len(st.Output) > 4096 {
			t.Errorf("output %d bytes, more than an NSCA packet holds", len(st.Output))
		}
	})

	t.Run("wazuh json on stdin that stays open", func(t *testing.T) {
		msg := map[string]any{
			"version": 1, "command": "add",
			"origin": map[string]any{"name": "", "module": "wazuh-execd"},
			"parameters": map[string]any{"extra_args": []string{}, "program": "active-response/bin/ossec-nagios",
				"alert": map[string]any{
					"id": "1795000100.4242", "timestamp": "2026-11-18T10:30:00.000+0000",
					"rule":     map[string]any{"id": "550", "level": 7, "description": "Integrity checksum changed.", "groups": []string{"ossec", "syscheck"}},
					"agent":    map[string]any{"id": "002", "name": "db01", "ip": "10.0.0.12"},
					"location": "syscheck",
					"full_log": "File '/etc/passwd' checksum changed.\nOld md5sum was: 'aaa'\x00\xff",
				}},
		}
		line, _ := json.Marshal(msg)
		rc, stderr := root.run(t, root.ar, append(line, '\n'))
		if rc != 0 {
			t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
		}
		st := l.WaitService(t, "db01", "OSSEC integrity", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 1 })
		if !strings.Contains(st.Output, "OSSEC rule 550 (level 7): Integrity checksum changed.") {
			t.Errorf("output %q", st.Output)
		}
	})

	t.Run("integratord custom-nagios", func(t *testing.T) {
		alertFile := filepath.Join(root.dir, "integration-alert.json")
		al := `{"timestamp":"2026-11-18T10:31:00.000+0000","rule":{"level":12,"description":"Multiple authentication failures.","id":"5720","groups":["syslog","sshd","authentication_failures"]},"agent":{"id":"003","name":"mail01","ip":"10.0.0.13"},"manager":{"name":"mgr"},"id":"1795000200.777","full_log":"Nov 18 10:31:00 mail01 sshd[1]: Failed password","location":"/var/log/secure","data":{"srcip":"192.0.2.66"}}`
		os.WriteFile(alertFile, []byte(al), 0o600)
		rc, stderr := root.run(t, root.integration, nil, alertFile, "", "", "> /dev/null 2>&1")
		if rc != 0 {
			t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
		}
		st := l.WaitService(t, "mail01", "OSSEC SSH", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 2 })
		if !strings.Contains(st.Output, "src=192.0.2.66") {
			t.Errorf("output %q lacks the source IP", st.Output)
		}
	})

	t.Run("delete sends recovery", func(t *testing.T) {
		rc, stderr := root.run(t, root.ar, nil, "delete", "root", "203.0.113.50", ids[0], "5712", "(web01)", "10.0.0.11->/var/log/secure")
		if rc != 0 {
			t.Fatalf("rc %d: %s", rc, stderr)
		}
		st := l.WaitService(t, "web01", "OSSEC SSH", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 0 })
		if !strings.Contains(st.Output, "recovered") {
			t.Errorf("output %q", st.Output)
		}
	})

	t.Run("unresolvable id is UNKNOWN, not silence", func(t *testing.T) {
		rc, stderr := root.run(t, root.ar, nil, "add", "-", "-", "1795009999.99999", "552", "(db01)", "10.0.0.12->syscheck")
		if rc != 0 {
			t.Fatalf("rc %d: %s", rc, stderr)
		}
		st := l.WaitService(t, "db01", "OSSEC integrity", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 3 })
		if !strings.Contains(st.Output, "not resolved") {
			t.Errorf("output %q", st.Output)
		}
	})

	if lines := strings.Count(root.log(t), "\n"); lines < 6 {
		t.Errorf("active-responses.log has %d lines:\n%s", lines, root.log(t))
	}
}

// hugeHostileLine is a 100 kB log line of invalid UTF-8, '|', ';' and a
// forged external command.
func hugeHostileLine() string {
	var b strings.Builder
	for b.Len() < 100<<10 {
		b.WriteString("GET /a|b;c \xff\xfe\xc3 [1795000022] RESTART_PROGRAM ")
	}
	return b.String()
}

func TestBadInputOneLineAndNonZero(t *testing.T) {
	root := newOSSECRoot(t, labINI(1))
	tests := []struct {
		name  string
		stdin []byte
		args  []string
		want  string
	}{
		{"bad alert id", nil, []string{"add", "-", "-", "not-an-id", "5712", "x"}, "ossec-nagios: error:"},
		{"too few args", nil, []string{"add", "-"}, "ossec-nagios: error:"},
		{"json garbage", []byte("{not json\n"), nil, "ossec-nagios: error:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, stderr := root.run(t, root.ar, tt.stdin, tt.args...)
			if rc == 0 {
				t.Fatalf("rc 0 for bad input")
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.HasPrefix(stderr, tt.want) {
				t.Errorf("stderr %q, want one line starting %q", stderr, tt.want)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("panicked: %s", stderr)
			}
		})
	}
}

// TestEndToEndCheckKeys plays execd's side of Wazuh's check_keys
// handshake: read the control line on stdout, answer continue or abort.
func TestEndToEndCheckKeys(t *testing.T) {
	l, root := startNagios(t, labINIHandshake, "web01")
	for _, verdict := range []string{"abort", "continue"} {
		t.Run(verdict, func(t *testing.T) {
			al := map[string]any{"id": "1795000300.1", "timestamp": "2026-11-18T10:40:00.000+0000",
				"rule":  map[string]any{"id": "5712", "level": 10, "description": "SSHD brute force " + verdict, "groups": []string{"sshd"}},
				"agent": map[string]any{"id": "001", "name": "web01", "ip": "10.0.0.11"}, "location": "/var/log/secure",
				"full_log": "sshd: Failed password"}
			msg, _ := json.Marshal(map[string]any{"version": 1, "command": "add",
				"origin":     map[string]any{"name": "", "module": "wazuh-execd"},
				"parameters": map[string]any{"extra_args": []string{}, "alert": al, "program": "active-response/bin/ossec-nagios"}})
			cmd := exec.Command(root.ar)
			cmd.Env = []string{"PATH=/usr/bin:/bin"}
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Wait()
			stdin.Write(append(msg, '\n'))
			line := make([]byte, 4096)
			n, err := stdout.Read(line)
			if err != nil {
				t.Fatalf("no check_keys line: %v", err)
			}
			var ctl struct {
				Command    string
				Parameters struct{ Keys []string }
			}
			if err := json.Unmarshal(bytes.TrimSpace(line[:n]), &ctl); err != nil || ctl.Command != "check_keys" {
				t.Fatalf("control line %q: %v", line[:n], err)
			}
			if strings.Join(ctl.Parameters.Keys, ",") != "5712,001" && strings.Join(ctl.Parameters.Keys, ",") != "5712,web01" {
				t.Logf("keys %v", ctl.Parameters.Keys)
			}
			reply, _ := json.Marshal(map[string]any{"version": 1, "origin": map[string]any{"name": "", "module": "wazuh-execd"},
				"command": verdict, "parameters": map[string]any{}})
			stdin.Write(append(reply, '\n'))
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit: %v\n%s", err, root.log(t))
			}
		})
	}
	st := l.WaitService(t, "web01", "OSSEC SSH", 10*time.Second, func(s lab.ServiceStatus) bool { return s.State == 1 })
	if !strings.Contains(st.Output, "SSHD brute force continue") {
		t.Errorf("output %q: the continued alert should be there", st.Output)
	}
	if strings.Contains(l.Log(), "SSHD brute force abort") {
		t.Errorf("an aborted alert reached Nagios")
	}
}

// TestEndToEndIcinga2 runs the active response with [delivery] transport =
// icinga2 against a real icinga2 with the API feature: the alert's service
// gets the result, its neighbour is untouched.
func TestEndToEndIcinga2(t *testing.T) {
	ic := lab.StartIcinga(t, lab.IcingaOptions{
		Objects: []string{lab.IcingaPassiveObjects("web01", "OSSEC SSH", "OSSEC integrity", "OSSEC")},
	})
	ini := icingaTransport(ic.URL, ic.User, ic.Password, ic.CAFile) + `[states]
warning  = 7
critical = 12
[hosts]
default = {agent}
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC integrity"]
rules = 550-554
[service "OSSEC"]
[ar]
deadline = 10s
`
	root := newOSSECRoot(t, ini)
	root.bruteForceAR(t)
	if strings.Contains(root.log(t), ic.Password) {
		t.Errorf("the API password reached the log:\n%s", root.log(t))
	}
	var got lab.IcingaCheckable
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = ic.Service(t, "web01", "OSSEC SSH")
		if got.HasResult || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got.State != 1 {
		t.Fatalf("web01!OSSEC SSH state %d (result %v, output %q), want 1 WARNING\nlog: %s", got.State, got.HasResult, got.Output, root.log(t))
	}
	want := "OSSEC rule 5712 (level 10): SSHD brute force trying to get access to the system. src=203.0.113.50 user=root"
	if !strings.HasPrefix(got.Output, want) {
		t.Errorf("output %q, want prefix %q", got.Output, want)
	}
	if got.Source != "ossec-nagios" {
		t.Errorf("check_source %q", got.Source)
	}
	for _, svc := range []string{"OSSEC integrity", "OSSEC"} {
		if other := ic.Service(t, "web01", svc); other.HasResult {
			t.Errorf("web01!%s got a result too: %+v", svc, other)
		}
	}
}

// icingaTransport is the [delivery] and [icinga2] sections of an INI that
// sends to url (one, or a comma-separated list) with these credentials.
func icingaTransport(url, user, password, caFile string) string {
	return fmt.Sprintf("[delivery]\ntransport = icinga2\n[icinga2]\nurl      = %s\nuser     = %s\npassword = %s\nca_file  = %s\ntimeout  = 5s\n",
		url, user, password, caFile)
}

// bruteForceAR writes bruteForceWeb01 to alerts.log and runs the active
// response for it as execd does; it fails the test on a non-zero exit.
func (r *ossecRoot) bruteForceAR(t *testing.T) {
	t.Helper()
	ids := r.alertsLog(t, 1795000000, bruteForceWeb01)
	if rc, stderr := r.run(t, r.ar, nil, "add", "root", "203.0.113.50", ids[0], "5712", "(web01)", "10.0.0.11->/var/log/secure"); rc != 0 {
		t.Fatalf("rc %d: %s\n%s", rc, stderr, r.log(t))
	}
}

// bruteForceWeb01 is an alerts.log block: rule 5712 (level 10, group
// sshd) on agent web01, from 203.0.113.50, for user root; the active
// response for it is add root 203.0.113.50 <id> 5712 (web01)
// 10.0.0.11->/var/log/secure.
const bruteForceWeb01 = ` mail  - syslog,sshd,authentication_failures,
2026 Nov 18 10:26:40 (web01) 10.0.0.11->/var/log/secure
Rule: 5712 (level 10) -> 'SSHD brute force trying to get access to the system.'
Src IP: 203.0.113.50
User: root
Nov 18 10:26:38 web01 sshd[4411]: Failed password for root from 203.0.113.50 port 52144 ssh2
`
