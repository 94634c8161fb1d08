package main

// Wazuh 5 end to end: an emulator of a 5.x agent's execd (WAZUH5.md §4)
// runs the installed binary as execd does, argv = [active-response/bin/
// ossec-nagios] relative to the agent home as cwd, with the verbatim
// samples, into the real nsca and nagios4.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

const wazuh5Samples = "../../bridge/alert/testdata/wazuh5"

// wazuh5Line reads a sample as the one compact line execd writes.
func wazuh5Line(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(wazuh5Samples, name))
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		t.Fatal(err)
	}
	return c.Bytes()
}

// execd5 plays a Wazuh 5 agent's execd: it runs home/exe with argv [exe]
// in home, writes line 1, reads one line from stdout, answers with the
// whole line with command continue, or abort when a stateful key is
// already active, and waits for the exit; disable runs the stored line in
// a new process with stdout on /dev/null and no handshake.
type execd5 struct {
	t      *testing.T
	home   string
	exe    string            // relative to home, as execd runs it
	active map[string][]byte // rkey -> the stored disable line
}

// queue turns what the agent forwards (no command) into line 1.
func (x *execd5) queue(payload []byte) []byte {
	p := bytes.TrimSpace(payload)
	return append(append(p[:len(p)-1:len(p)-1], `,"command":"enable"`...), '}')
}

type execd5Run struct {
	rc     int
	ctl    []byte // the line read from stdout
	reply  []byte // what execd answered ("" when nothing was read)
	stderr string
}

func (x *execd5) enable(line []byte) execd5Run {
	t := x.t
	t.Helper()
	cmd := exec.Command(x.exe)
	cmd.Dir = x.home
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	stdin.Write(append(line, '\n'))
	var run execd5Run
	br := bufio.NewReader(stdout)
	ctl, err := br.ReadBytes('\n')
	if err == nil {
		run.ctl = ctl
		var msg struct {
			Command    string
			Parameters struct{ Keys []string }
		}
		rkey := filepath.Base(x.exe)
		if json.Unmarshal(ctl, &msg) == nil && msg.Command == "check_keys" {
			for _, k := range msg.Parameters.Keys {
				rkey += "-" + k
			}
		}
		var ar struct {
			Wazuh struct {
				ActiveResponse struct {
					Type            string `json:"type"`
					StatefulTimeout int    `json:"stateful_timeout"`
				} `json:"active_response"`
			} `json:"wazuh"`
		}
		json.Unmarshal(line, &ar)
		verdict := "continue"
		if ar.Wazuh.ActiveResponse.Type == "stateful" && ar.Wazuh.ActiveResponse.StatefulTimeout > 0 {
			if _, ok := x.active[rkey]; ok {
				verdict = "abort"
			} else {
				x.active[rkey] = bytes.Replace(line, []byte(`"command":"enable"`), []byte(`"command":"disable"`), 1)
			}
		}
		run.reply = bytes.Replace(line, []byte(`"command":"enable"`), []byte(`"command":"`+verdict+`"`), 1)
		if !bytes.Contains(line, []byte(`"command":"enable"`)) { // a 4.x message
			run.reply = bytes.Replace(line, []byte(`"command":"add"`), []byte(`"command":"`+verdict+`"`), 1)
		}
		stdin.Write(append(run.reply, '\n'))
	}
	// wpclose: close both pipes, wait without a time limit.
	stdin.Close()
	go func() { io.Copy(io.Discard, br); close(done) }()
	cmd.Wait()
	<-done
	run.rc, run.stderr = cmd.ProcessState.ExitCode(), stderr.String()
	return run
}

func (x *execd5) disable(line []byte) (int, string) {
	t := x.t
	t.Helper()
	cmd := exec.Command(x.exe)
	cmd.Dir = x.home
	cmd.Env = []string{"PATH=/usr/bin:/bin", "TZ=UTC"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // execd: /dev/null; kept here to show errors
	stdin, _ := cmd.StdinPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	stdin.Write(append(line, '\n'))
	stdin.Close()
	cmd.Wait()
	return cmd.ProcessState.ExitCode(), stderr.String()
}

const wazuh5INI = `[nsca]
server     = 127.0.0.1:%d
password   = %s
encryption = %d
timeout    = 3s
[states]
warning  = 7 | low
critical = 12
[hosts]
default  = {agent}
fallback = mail01
[service "OSSEC SSH"]
groups = sshd, attack.credential-access
[service "OSSEC web"]
rules = 31100-31199, 5af54681-df95-4c26-854f-2565e13cfab0
[service "OSSEC"]
[nagios]
contact_groups = security
[flood]
window = 0
[ar]
recovery = yes
deadline = 5s
check_keys = yes
`

func TestEndToEndWazuh5(t *testing.T) {
	l, root := startNagios(t, func(port int) string {
		return fmt.Sprintf(wazuh5INI, port, lab.NSCAPassword, lab.NSCAMethod)
	}, "ubuntu24", "web-fe-01", "mail01", "test-agent", "wazuh-agent")
	x := &execd5{t: t, home: root.dir, exe: "active-response/bin/ossec-nagios", active: map[string][]byte{}}
	wait := func(host, svc string, state int, out string) lab.ServiceStatus {
		t.Helper()
		return l.WaitService(t, host, svc, 15*time.Second, func(s lab.ServiceStatus) bool {
			return s.State == state && strings.Contains(s.Output, out)
		})
	}
	enable := func(line []byte, wantVerdict string) execd5Run {
		t.Helper()
		r := x.enable(line)
		if r.rc != 0 {
			t.Fatalf("rc %d: %s\n%s", r.rc, r.stderr, root.log(t))
		}
		if !bytes.Contains(r.reply, []byte(`"command":"`+wantVerdict+`"`)) {
			t.Fatalf("execd answered %q, want %s (control line %q)", r.reply, wantVerdict, r.ctl)
		}
		return r
	}
	synthA := wazuh5Line(t, "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson")

	t.Run("stateful ssh finding: handshake, continue, WARNING", func(t *testing.T) {
		r := enable(synthA, "continue")
		var ctl struct {
			Version    int
			Command    string
			Parameters struct{ Keys []string }
		}
		if err := json.Unmarshal(r.ctl, &ctl); err != nil || ctl.Command != "check_keys" ||
			strings.Join(ctl.Parameters.Keys, ",") != "d5cc0e71-bcbb-4adc-98de-caed210cebf2,003" {
			t.Errorf("control line %q: %v", r.ctl, err)
		}
		if want := wazuh5Line(t, "wazuh5-SYNTH-A-stdin2-continue.ndjson"); !bytes.Equal(r.reply, want) {
			t.Errorf("the emulator's reply differs from the sample:\n%s\n%s", r.reply, want)
		}
		st := wait("ubuntu24", "OSSEC SSH", 1, "")
		want := "Wazuh rule d5cc0e71-bcbb-4adc-98de-caed210cebf2 (level low): Failed authentication attempt - vagrant from 192.168.56.1 src=192.168.56.1 user=vagrant"
		if !strings.HasPrefix(st.Output, want) {
			t.Errorf("output %q, want prefix %q", st.Output, want)
		}
		if want := wazuh5Line(t, "wazuh5-SYNTH-A-stdin-disable.ndjson"); !bytes.Equal(x.active["ossec-nagios-d5cc0e71-bcbb-4adc-98de-caed210cebf2-003"], want) {
			t.Errorf("stored disable line differs from the sample")
		}
	})
	t.Run("the same key again: abort, nothing sent", func(t *testing.T) {
		again := bytes.Replace(synthA, []byte("vagrant from 192.168.56.1"), []byte("REPEATED from 192.168.56.1"), 1)
		enable(again, "abort")
		if !strings.Contains(root.log(t), "execd says abort") {
			t.Errorf("no abort in the log:\n%s", root.log(t))
		}
	})
	t.Run("stateless defined-agent finding: host of the event, rule UUID, CRITICAL", func(t *testing.T) {
		enable(wazuh5Line(t, "wazuh5-SYNTH-B-stdin1-enable-stateless-defined-agent.ndjson"), "continue")
		wait("web-fe-01", "OSSEC web", 2, "Wazuh rule 5af54681-df95-4c26-854f-2565e13cfab0 (level high): SQL injection attempt src=203.0.113.77")
	})
	t.Run("execd unit samples: queue message, stateful; a repeated key aborts", func(t *testing.T) {
		line := x.queue(wazuh5Line(t, "wazuh5-execd-unit-queue-in-stateful.json"))
		if want := wazuh5Line(t, "wazuh5-execd-unit-stdin1-enable-stateful.ndjson"); !bytes.Equal(line, want) {
			t.Fatalf("line 1 %s, want the sample %s", line, want)
		}
		enable(line, "continue")
		wait("mail01", "OSSEC", 1, "(no rule title) src=10.0.0.2 user=root")
		// The integration test's payload: same executable, no rule, no
		// agent, so the same key: abort.
		enable(x.queue(wazuh5Line(t, "wazuh5-integration-test-task-payload.json")), "abort")
		r := enable(wazuh5Line(t, "wazuh5-execd-unit-stdin1-enable-stateless.ndjson"), "continue")
		if want := wazuh5Line(t, "wazuh5-execd-unit-stdin2-continue.ndjson"); !bytes.Equal(r.reply, want) {
			t.Errorf("reply %s, want the sample %s", r.reply, want)
		}
		wait("mail01", "OSSEC", 1, "(no rule title) src=10.0.0.1 user=root")
	})
	t.Run("documentation samples", func(t *testing.T) {
		enable(wazuh5Line(t, "wazuh5-stdin-enable.docs-README.json"), "continue")
		wait("test-agent", "OSSEC", 1, "src=192.168.1.100 user=username")
		enable(wazuh5Line(t, "wazuh5-stdin-enable.migration-guide.json"), "continue")
		enable(wazuh5Line(t, "wazuh5-stdin-enable-extra-arguments.migration-guide.json"), "continue")
		wait("wazuh-agent", "OSSEC", 1, "src=1.2.3.4")
	})
	t.Run("the 4.x message on the same path", func(t *testing.T) {
		enable(wazuh5Line(t, "wazuh4-stdin-add.migration-guide.json"), "continue")
		wait("mail01", "OSSEC", 1, "OSSEC rule 5763 (level 10):  src=192.168.1.100 user=root")
	})
	t.Run("60 KiB event.original, no level, command twice", func(t *testing.T) {
		line := bytes.Replace(synthA, []byte(`"original":"Aug 20`), []byte(`"original":"`+strings.Repeat("x", 60<<10)+` Aug 20`), 1)
		line = bytes.Replace(line, []byte(`"level":"low",`), nil, 1)
		line = bytes.Replace(line, []byte("d5cc0e71-bcbb-4adc-98de-caed210cebf2"), []byte("0e0e0e0e-bcbb-4adc-98de-caed210cebf2"), -1)
		line = bytes.Replace(line, []byte("Failed authentication attempt"), []byte("EDGE attempt"), 1)
		line = bytes.Replace(line, []byte(`{"@timestamp"`), []byte(`{"command":"disable","@timestamp"`), 1)
		if len(line) < 60<<10 || len(line) > 65535 {
			t.Fatalf("line of %d bytes: execd carries at most 65535", len(line))
		}
		enable(line, "continue")
		st := wait("ubuntu24", "OSSEC SSH", 1, "EDGE attempt")
		if !strings.HasPrefix(st.Output, "Wazuh rule 0e0e0e0e-bcbb-4adc-98de-caed210cebf2 (level unknown): EDGE attempt") {
			t.Errorf("output %q", st.Output)
		}
	})
	t.Run("disable: a new process, stdout closed, recovery", func(t *testing.T) {
		for _, tc := range []struct {
			line           []byte
			host, svc, out string
		}{
			{wazuh5Line(t, "wazuh5-SYNTH-A-stdin-disable.ndjson"), "ubuntu24", "OSSEC SSH", "OK - recovered: active response timeout expired for Wazuh rule d5cc0e71"},
			{wazuh5Line(t, "wazuh5-execd-unit-stdin-disable-stateful.ndjson"), "mail01", "OSSEC", "OK - recovered: active response timeout expired for Wazuh rule unknown"},
			{wazuh5Line(t, "wazuh5-stdin-disable.docs-README.json"), "test-agent", "OSSEC", "OK - recovered"},
		} {
			if rc, stderr := x.disable(tc.line); rc != 0 {
				t.Fatalf("rc %d: %s\n%s", rc, stderr, root.log(t))
			}
			wait(tc.host, tc.svc, 0, tc.out)
		}
	})
	t.Run("the wrong dialect's command: one error line, exit 2", func(t *testing.T) {
		for _, line := range [][]byte{
			bytes.Replace(synthA, []byte(`"command":"enable"`), []byte(`"command":"add"`), 1),
			[]byte(`{"version":1,"origin":{"name":"n","module":"wazuh-analysisd"},"command":"enable","parameters":{"alert":{"rule":{"id":"5712","level":10}}}}`),
		} {
			rc, stderr := root.run(t, root.ar, append(line, '\n'))
			if rc != 2 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "enable") {
				t.Errorf("rc %d, stderr %q", rc, stderr)
			}
		}
	})
	if strings.Contains(l.Log(), "REPEATED") || strings.Contains(l.Log(), "3.3.3.3") {
		t.Errorf("an aborted finding reached Nagios:\n%s", l.Log())
	}
	if strings.Contains(root.log(t), "lost") {
		t.Errorf("a result was lost:\n%s", root.log(t))
	}
}
