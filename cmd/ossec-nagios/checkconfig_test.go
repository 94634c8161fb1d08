package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/alert"
	"github.com/ossec-nagios/ossec-nagios/internal/config"
)

func writeINI(t *testing.T, dir, text string) string {
	t.Helper()
	p := filepath.Join(dir, "ossec-nagios.ini")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunCheckConfig(t *testing.T) {
	contrib, err := os.ReadFile(filepath.Join("..", "..", "contrib", "ossec-nagios.ini"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := writeINI(t, dir, string(contrib))
	bad := filepath.Join(dir, "bad.ini")
	if err := os.WriteFile(bad, []byte("[nsca]\nserver = n\nencryption = 3dez\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open.ini")
	if err := os.WriteFile(open, []byte("[nsca]\nserver = n\npassword = Secr3t-pw\n[service \"SSH\"]\ngroups = sshd\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	agentsFile := filepath.Join(dir, "agents")
	if err := os.WriteFile(agentsFile, []byte("web01\ndb01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var all, part strings.Builder
	for _, svc := range []string{"OSSEC SSH", "OSSEC integrity", "OSSEC web", "OSSEC"} {
		fmt.Fprintf(&all, "define service {\n\thost_name\tweb01.example.com,database-cluster\n\tservice_description\t%s\n}\n", svc)
		fmt.Fprintf(&part, "define service {\n  host_name  web01.example.com ; web only\n  service_description  %s\n}\n", svc)
	}
	part.WriteString("define service {\n  host_name  database-cluster\n  service_description  OSSEC\n}\n")
	objAll, objPart, objBad := filepath.Join(dir, "all.cfg"), filepath.Join(dir, "part.cfg"), filepath.Join(dir, "bad.cfg")
	for p, text := range map[string]string{objAll: all.String(), objPart: part.String(), objBad: "define service {\n"} {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	objects := func(file string) []string {
		return []string{"check-config", "-config", good, "-objects", file, "-hosts", agentsFile, "-manager", "-"}
	}
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string
		stderr []string // lines, exactly
	}{
		{name: "subcommand", args: []string{"check-config", "-config", good}, code: exitOK,
			stdout: "config OK: 4 services, 2 host rules\n"},
		{name: "-check-config form", args: []string{"-check-config", "-config", good}, code: exitOK,
			stdout: "config OK: 4 services, 2 host rules\n"},
		{name: "OSSEC_NAGIOS_CONFIG", args: []string{"check-config"}, env: map[string]string{"OSSEC_NAGIOS_CONFIG": good}, code: exitOK,
			stdout: "config OK: 4 services, 2 host rules\n"},
		{name: "default under the OSSEC root", args: []string{"check-config"}, env: map[string]string{"OSSEC_NAGIOS_ROOT": dir}, code: exitUsage,
			stderr: []string{"ossec-nagios: error: ossec-nagios.ini: open: open " + filepath.Join(dir, "etc", "ossec-nagios.ini") + ": no such file or directory"}},
		{name: "invalid config", args: []string{"check-config", "-config", bad}, code: exitUsage,
			stderr: []string{`ossec-nagios: error: bad.ini: [nsca] encryption: unknown method "3dez" (use a number 0 to 26 or a name such as xor, 3des, rijndael-128)`}},
		{name: "warnings", args: []string{"check-config", "-config", open}, code: exitOK,
			stdout: "config OK: 1 services, 0 host rules\n",
			stderr: []string{
				`ossec-nagios: warning: ` + open + ` holds [nsca] password and is readable by group or other (mode 0644, group "root"); run: chmod 600 ` + open + ` (or chgrp ossec and chmod 640, for integratord)`,
				`ossec-nagios: warning: no catch-all [service] (one with no criteria, last): alerts that no section matches are not sent`,
			}},
		{name: "objects define every pair", args: objects(objAll), code: exitOK,
			stdout: "config OK: 4 services, 2 host rules; all 8 (host, service) pairs defined in " + objAll + "\n"},
		{name: "objects lack pairs", args: objects(objPart), code: exitFailure,
			stdout: "config OK, objects NOT: 3 of 8 (host, service) pairs undefined in " + objPart + " (ossec-nagios gen nagios writes them)\n",
			stderr: []string{
				`ossec-nagios: ` + objPart + ` does not define host "database-cluster" service "OSSEC SSH": its results would be dropped`,
				`ossec-nagios: ` + objPart + ` does not define host "database-cluster" service "OSSEC integrity": its results would be dropped`,
				`ossec-nagios: ` + objPart + ` does not define host "database-cluster" service "OSSEC web": its results would be dropped`,
			}},
		{name: "objects unreadable", args: objects(objBad), code: exitUsage,
			stderr: []string{`ossec-nagios: error: check-config: ` + objBad + `: objects: the service block opened at line 1 is not closed`}},
		{name: "extra argument", args: []string{"check-config", "-config", good, "x"}, code: exitUsage,
			stderr: []string{`ossec-nagios: error: check-config: unexpected argument "x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range map[string]string{"OSSEC_NAGIOS_CONFIG": "", "OSSEC_NAGIOS_ROOT": ""} {
				if tt.env[k] != "" {
					v = tt.env[k]
				}
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"ossec-nagios"}, tt.args...), strings.NewReader(""), &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, errb.String())
			}
			if out.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", out.String(), tt.stdout)
			}
			var lines []string
			if s := strings.TrimSuffix(errb.String(), "\n"); s != "" {
				lines = strings.Split(s, "\n")
			}
			if tt.name == "warnings" && !strings.Contains(errb.String(), `group "root"`) {
				// The file's group depends on the machine; compare the rest.
				t.Skipf("file group is not root: %s", errb.String())
			}
			if !reflect.DeepEqual(lines, tt.stderr) {
				t.Errorf("stderr\n got: %q\nwant: %q", lines, tt.stderr)
			}
			if strings.Contains(errb.String(), "Secr3t-pw") {
				t.Error("stderr quotes the password")
			}
		})
	}
	t.Run("bad flag", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"ossec-nagios", "check-config", "-nope"}, strings.NewReader(""), &out, &errb); code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
		if out.Len() != 0 {
			t.Errorf("stdout %q", out.String())
		}
	})
}

// The mapping built from the contrib example maps the sample alert
// as the example documents.
func TestNewMappingFromContrib(t *testing.T) {
	cfg, _, err := config.LoadFile(filepath.Join("..", "..", "contrib", "ossec-nagios.ini"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := newMapping(cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := alert.Alert{
		ID: "1790275830.2512248", Resolved: true,
		Rule:  alert.Rule{ID: 5712, Level: 10, Description: "SSHD brute force trying to get access to the system.", Groups: []string{"sshd"}},
		Agent: alert.Agent{Name: "db3"}, SrcIP: "203.0.113.50", User: "root",
	}
	r, err := m.Map(a)
	if err != nil {
		t.Fatal(err)
	}
	want := bridge.Result{Host: "database-cluster", Service: "OSSEC SSH", State: bridge.Warning, AlertID: a.ID,
		Output: "OSSEC rule 5712 (level 10): SSHD brute force trying to get access to the system. src=203.0.113.50 user=root"}
	if r != want {
		t.Errorf("got %+v\nwant %+v", r, want)
	}
	a.Rule = alert.Rule{ID: 552, Level: 7}
	if r, _ := m.Map(a); r.Service != "OSSEC integrity" {
		t.Errorf("rule 552 -> %q", r.Service)
	}
}

// config and bridge each know the template placeholders and the name
// rules (neither imports the other); they must agree.
func TestConfigAndBridgeAgree(t *testing.T) {
	if !reflect.DeepEqual(config.HostFields, bridge.HostFields) {
		t.Errorf("host placeholders: config %q, bridge %q", config.HostFields, bridge.HostFields)
	}
	if !reflect.DeepEqual(config.OutputFields, bridge.TemplateFields) {
		t.Errorf("output placeholders: config %q, bridge %q", config.OutputFields, bridge.TemplateFields)
	}
	if config.MaxHostLen != bridge.MaxHostLen || config.MaxServiceLen != bridge.MaxServiceLen ||
		config.MaxOutputLen != bridge.MaxOutputLen || config.MaxOutputLenLegacy != bridge.MaxOutputLenLegacy {
		t.Error("packet limits differ")
	}
	names := []string{"web01", "OSSEC SSH", "", " a", "a ", "a;b", "a\nb", "a\x00b", "a\rb", "a\x7f", "\xff", "été",
		strings.Repeat("x", 63), strings.Repeat("x", 64), strings.Repeat("x", 127), strings.Repeat("x", 128), "a|b", "a!b"}
	for _, n := range names {
		if (config.CheckName(n, "host", config.MaxHostLen) == nil) != (bridge.ValidateHost(n) == nil) {
			t.Errorf("host %q: config and bridge disagree", n)
		}
		if (config.CheckName(n, "service", config.MaxServiceLen) == nil) != (bridge.ValidateService(n) == nil) {
			t.Errorf("service %q: config and bridge disagree", n)
		}
	}
}

// TestCheckConfigHelpIsTrue: check-config -h (and the man page made from
// it) names Debian's objects.cache and every exit code check-config uses.
func TestCheckConfigHelpIsTrue(t *testing.T) {
	for _, want := range []string{"/var/lib/nagios4/objects.cache", "Exit 0 ", ", 1 when", ", 2 when"} {
		if !strings.Contains(checkConfigUsage, want) {
			t.Errorf("check-config -h lacks %q", want)
		}
	}
	if strings.Contains(checkConfigUsage, "/var/cache/nagios4") {
		t.Error("check-config -h names /var/cache/nagios4, which Debian does not use")
	}
}
