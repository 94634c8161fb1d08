package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// TestARWazuh5Budget: a Wazuh 5 message gets the 4.x JSON mode's deadline,
// signal and spool behaviour: against a server that accepts and never
// answers, an unanswered handshake and a disable (no handshake) end within
// [ar] deadline with the result spooled; SIGTERM while waiting for
// execd's answer ends the process at once, spooled.
func TestARWazuh5Budget(t *testing.T) {
	port := lab.FreePort(t)
	stop, _ := silentServerAccepts(t, port)
	defer stop()
	root := newOSSECRoot(t, fmt.Sprintf(budgetINI, port, lab.NSCAPassword, lab.NSCAMethod, "recovery = yes"))
	spoolDir := filepath.Join(root.dir, "var", "ossec-nagios", "spool")
	stopFlusherAtEnd(t, spoolDir)
	// medium: WARNING with [states] warning = 7 (low would not be sent).
	enable := bytes.Replace(wazuh5Line(t, "wazuh5-SYNTH-A-stdin1-enable-stateful-ssh.ndjson"), []byte(`"level":"low"`), []byte(`"level":"medium"`), 1)
	disable := wazuh5Line(t, "wazuh5-SYNTH-A-stdin-disable.ndjson")
	for _, tc := range []struct {
		name     string
		ar       string
		o        execdOpts
		deadline time.Duration
		ctl      bool // a check_keys line on stdout
		log      string
	}{
		{"enable, execd never answers", "recovery = yes", execdOpts{msg: enable}, 300 * time.Millisecond, true, "budget of 300ms ([ar] deadline) spent"},
		{"disable: no handshake", "recovery = yes", execdOpts{msg: disable}, 300 * time.Millisecond, false, "spooled 1 result(s)"},
		{"SIGTERM waiting for the answer", "recovery = yes\ndeadline = 20s", execdOpts{msg: enable, sigAfterLine: true}, 0, true, "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ini := fmt.Sprintf(budgetINI, port, lab.NSCAPassword, lab.NSCAMethod, tc.ar)
			if err := os.WriteFile(root.ini, []byte(ini), 0o600); err != nil {
				t.Fatal(err)
			}
			before := spooled(t, spoolDir)
			r := execd(t, root.ar, tc.o)
			if r.rc != 0 {
				t.Fatalf("rc %d: %s\n%s", r.rc, r.stderr, root.log(t))
			}
			if tc.deadline > 0 && r.wall > tc.deadline+budgetSlack {
				t.Errorf("took %v, deadline %v", r.wall, tc.deadline)
			}
			if tc.o.sigAfterLine && (r.signalled == 0 || r.wall-r.signalled > budgetSlack) {
				t.Errorf("signalled after %v, exit after %v", r.signalled, r.wall)
			}
			if got := strings.Contains(string(r.ctl), `"command":"check_keys"`); got != tc.ctl {
				t.Errorf("stdout %q: check_keys %v, want %v", r.ctl, got, tc.ctl)
			}
			checkPipesFree(t, r)
			if got := spooled(t, spoolDir) - before; got != 1 {
				t.Errorf("%d result(s) spooled, want 1\n%s", got, root.log(t))
			}
			if log := root.log(t); !strings.Contains(log, tc.log) || !strings.Contains(log, "wazuh=5") {
				t.Errorf("log lacks %q or wazuh=5:\n%s", tc.log, log)
			}
			os.Truncate(filepath.Join(root.dir, "logs", "active-responses.log"), 0)
		})
	}
}
