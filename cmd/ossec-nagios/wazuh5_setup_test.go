package main

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenWazuh5: what a 5.x shop sets up, from the INI it has.
func TestGenWazuh5(t *testing.T) {
	root := newOSSECRoot(t, `[nsca]
server = 127.0.0.1
[states]
warning  = 7
critical = 12 | critical
[service "web"]
rules = 31100-31199, 5AF54681-df95-4c26-854f-2565e13cfab0
[service "all"]
[ar]
recovery = yes
recovery_after = 15m
check_keys = yes
`)
	cmd := exec.Command(root.ar, "gen", "wazuh5", "-config", root.ini, "-agent-id", "007")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	for _, want := range []string{
		"executable       = ossec-nagios",
		"location         = defined-agent",
		"agent_id         = 007",
		"active response type = stateful",
		"stateful_timeout = 900",
		"query            = wazuh.rule.level is one of medium, high, critical, or does not exist; or wazuh.rule.id is one of 5af54681-df95-4c26-854f-2565e13cfab0",
		"make install OSSEC=/var/ossec WAZUH5=1",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "WARNING: [ar] check_keys = no") {
		t.Errorf("check_keys warning with check_keys = yes")
	}
}

// TestInstallWazuh5Agent: install.sh on a 5.x agent tree (group wazuh),
// no integrations link; a 5.x manager tree is refused.
func TestInstallWazuh5Agent(t *testing.T) {
	bin := binary(t)
	dest := t.TempDir()
	script := filepath.Join("..", "..", "contrib", "packaging", "install.sh")
	grp := "wazuh"
	if _, err := user.LookupGroup(grp); err != nil && os.Geteuid() == 0 {
		grp = "root" // as root the files are chowned: to a group that exists
	}
	cmd := exec.Command("sh", script, "--wazuh5", "--group", grp, "--binary", bin,
		"--ini", filepath.Join("..", "..", "contrib", "ossec-nagios.ini"), "--destdir", dest, "--no-register", "/var/ossec")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for path, mode := range map[string]os.FileMode{
		"var/ossec/active-response/bin/ossec-nagios": 0o750,
		"var/ossec/etc/ossec-nagios.ini":             0o640,
		"var/ossec/var/ossec-nagios/spool":           0o770 | os.ModeDir,
	} {
		st, err := os.Stat(filepath.Join(dest, path))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode()&(os.ModeDir|os.ModePerm) != mode {
			t.Errorf("%s: mode %v, want %v", path, st.Mode(), mode)
		}
	}
	if _, err := os.Lstat(filepath.Join(dest, "var/ossec/integrations")); err == nil {
		t.Errorf("integrations made on a Wazuh 5 agent")
	}
	if !strings.Contains(string(out), "(group "+grp+")") || !strings.Contains(string(out), "gen wazuh5") {
		t.Errorf("output:\n%s", out)
	}

	mgr := t.TempDir()
	os.MkdirAll(filepath.Join(mgr, "var/wazuh-manager/bin"), 0o755)
	os.WriteFile(filepath.Join(mgr, "var/wazuh-manager/bin/wazuh-manager-analysisd"), nil, 0o755)
	cmd = exec.Command("sh", script, "--group", "wazuh", "--binary", bin, "--destdir", mgr, "--no-register", "/var/wazuh-manager")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is a Wazuh 5 manager: it runs no active response") {
		t.Errorf("manager tree: %v: %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(mgr, "var/wazuh-manager/active-response")); err == nil {
		t.Errorf("installed into a manager tree")
	}
}

// TestFollowWazuh5Manager: follow mode on a 5.x manager tree says there
// is nothing to follow and what to use instead; with an alerts file it
// follows as before.
func TestFollowWazuh5Manager(t *testing.T) {
	root := newOSSECRoot(t, "[nsca]\nserver = 127.0.0.1:1\n[service \"OSSEC\"]\n")
	os.MkdirAll(filepath.Join(root.dir, "bin"), 0o750)
	os.WriteFile(filepath.Join(root.dir, "bin", "wazuh-manager-analysisd"), nil, 0o750)
	rc, stderr := root.run(t, root.ar, nil, "follow", "-once")
	if rc != 2 || !strings.Contains(stderr, "is a Wazuh 5 manager, which writes no alerts file") || !strings.Contains(stderr, "gen wazuh5") {
		t.Errorf("rc %d, stderr %q", rc, stderr)
	}
	if n := strings.Count(stderr, "\n"); n != 2 { // the error line and its hint
		t.Errorf("%d lines: %q", n, stderr)
	}
	if _, ok := wazuh5Manager(t.TempDir()); ok {
		t.Error("an empty tree taken for a Wazuh 5 manager")
	}
	f := filepath.Join(root.dir, "logs", "alerts", "alerts.log")
	os.WriteFile(f, nil, 0o640)
	if _, ok := wazuh5Manager(root.dir, f); ok {
		t.Error("a tree with an alerts file taken for one with nothing to follow")
	}
}
