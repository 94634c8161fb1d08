package main

// gen against the stock Debian configurations: the shipped example INI and a
// minimal one must give objects that nagios4 -v and icinga2 daemon -C
// accept without a warning, that page the stock groups, and that leave the
// stock apply rules off the generated hosts.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
	"github.com/ossec-nagios/ossec-nagios/nagioscfg"
)

// genAgents is a client.keys: db01 and db02 share the example's
// database-cluster host, mail01 has no fixed address.
const genAgents = `001 web01 192.0.2.11 0123456789abcdef
002 db01 192.0.2.12 0123456789abcdef
003 db02 192.0.2.13 0123456789abcdef
004 mail01 any 0123456789abcdef
`

// genINIs are the INIs every gen test runs with: the shipped example as it
// is, and the least a user writes.
func genINIs(t *testing.T) map[string]string {
	t.Helper()
	example, err := os.ReadFile("../../contrib/ossec-nagios.ini")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"example": string(example),
		"minimal": "[nsca]\nserver = nagios.example.com\n[service \"OSSEC\"]\n",
	}
}

// runGenTest runs gen in-process and returns stdout and stderr; the
// manager is this machine (the default).
func runGenTest(t *testing.T, ini, dialect string, extra ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("OSSEC_NAGIOS_ROOT", dir)
	t.Setenv("OSSEC_NAGIOS_CONFIG", "")
	iniFile := filepath.Join(dir, "ossec-nagios.ini")
	keys := filepath.Join(dir, "client.keys")
	if err := os.WriteFile(iniFile, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keys, []byte(genAgents), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := append([]string{"ossec-nagios", "gen", dialect, "-config", iniFile, "-hosts", keys}, extra...)
	if rc := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); rc != exitOK {
		t.Fatalf("gen %s: rc %d: %s", dialect, rc, stderr.String())
	}
	return stdout.String(), stderr.String()
}

func TestGenNagiosStock(t *testing.T) {
	lab.RequireBinary(t, lab.Nagios4Bin, "nagios4-core")
	inis := genINIs(t)
	// The stock objects/localhost.cfg defines localhost: the heartbeat
	// service attaches to it, the host is not defined again.
	inis["heartbeat on localhost"] = inis["minimal"] + "[heartbeat]\nhost = localhost\n"
	for name, ini := range inis {
		t.Run(name, func(t *testing.T) {
			out, stderr := runGenTest(t, ini, "nagios", "-with-hosts")
			if stderr != "" {
				t.Errorf("gen wrote to stderr (the defaults page someone): %s", stderr)
			}
			objs, err := nagioscfg.ParseObjects(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			me, hb := shortHostname(), shortHostname()
			if name == "heartbeat on localhost" {
				hb = "localhost"
				if objs.Hosts["localhost"] {
					t.Errorf("localhost defined again")
				}
			}
			if !objs.HasService(hb, "OSSEC bridge") || !objs.HasService(me, "OSSEC") {
				t.Errorf("no heartbeat service on %s or OSSEC service on this machine's host %s", hb, me)
			}
			if !strings.Contains(out, "contact_groups           admins\n") {
				t.Errorf("the template does not page the stock group admins")
			}
			dir := lab.ShortTempDir(t)
			f := filepath.Join(dir, "ossec-nagios.cfg")
			if err := os.WriteFile(f, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			if v := lab.VerifyNagios(t, lab.StockNagiosConfig(t, dir, f)); !v.Clean() {
				t.Fatalf("nagios4 -v on the stock configuration: %s\n%s", v, out)
			}
			if name == "example" {
				cluster := hostBlock(t, out, "database-cluster")
				if strings.Contains(cluster, "address") || !strings.Contains(cluster, "OSSEC agents db01, db02") {
					t.Errorf("the host of two agents takes one's address or alias:\n%s", cluster)
				}
				if web := hostBlock(t, out, "web01.example.com"); !strings.Contains(web, "192.0.2.11") {
					t.Errorf("the host of one agent lacks its address:\n%s", web)
				}
			}
		})
	}
}

// hostBlock returns the define host block of name.
func hostBlock(t *testing.T, out, name string) string {
	t.Helper()
	for _, b := range strings.Split(out, "define host {") {
		if strings.Contains(b, "host_name                "+name+"\n") {
			b, _, _ = strings.Cut(b, "}")
			return b
		}
	}
	t.Fatalf("no host %s in:\n%s", name, out)
	return ""
}

func TestGenIcinga2Stock(t *testing.T) {
	lab.RequireBinary(t, lab.Icinga2Bin, "icinga2-bin")
	me := shortHostname()
	for name, ini := range genINIs(t) {
		t.Run(name, func(t *testing.T) {
			out, stderr := runGenTest(t, ini, "icinga2", "-with-hosts")
			if stderr != "" {
				t.Errorf("gen wrote to stderr (the defaults notify someone): %s", stderr)
			}
			// The Icinga node is this machine: the stock hosts.conf defines
			// it, and the generated file must not define it again.
			r := lab.VerifyStockIcinga2(t, me, out)
			if !r.Clean() {
				t.Fatalf("icinga2 daemon -C on the stock configuration: %s\n%s", r.Verification, out)
			}
			var ours []string
			cfg := genINIs(t)[name]
			for _, sec := range strings.Split(cfg, "\n[service \"")[1:] {
				svc, _, _ := strings.Cut(sec, "\"]")
				ours = append(ours, svc)
			}
			hosts := map[string]bool{me: true, "web01": true, "db01": true, "db02": true, "mail01": true}
			if name == "example" {
				_, cluster, _ := strings.Cut(out, "object Host \"database-cluster\" {")
				cluster, _, _ = strings.Cut(cluster, "}")
				if strings.Contains(cluster, "address") || !strings.Contains(cluster, `display_name = "OSSEC agents db01, db02"`) {
					t.Errorf("the host of two agents takes one's address or name:\n%s", cluster)
				}
				hosts = map[string]bool{me: true, "web01.example.com": true, "database-cluster": true, "mail01": true}
			}
			byHost := map[string][]string{}
			for _, s := range r.Services {
				h, svc, _ := strings.Cut(s, "!")
				byHost[h] = append(byHost[h], svc)
			}
			for h := range hosts {
				want := slices.Clone(ours)
				if h == me {
					want = append(want, "OSSEC bridge")
				}
				for _, svc := range want {
					if !slices.Contains(byHost[h], svc) {
						t.Errorf("host %s lacks service %q (has %q)", h, svc, byHost[h])
					}
					if !slices.Contains(r.Notifications, h+"!"+svc+"!ossec-security") {
						t.Errorf("no ossec-security notification for %s!%s", h, svc)
					}
				}
				if h == me {
					continue // the stock node keeps its own services
				}
				for _, svc := range byHost[h] {
					if !slices.Contains(want, svc) {
						t.Errorf("stock apply rule %q landed on the generated passive host %s", svc, h)
					}
				}
			}
			for h := range byHost {
				if !hosts[h] {
					t.Errorf("unexpected host %s with services %q", h, byHost[h])
				}
			}
		})
	}
}

func TestGenWarnsWhenNobodyIsPaged(t *testing.T) {
	base := "[nsca]\nserver = nagios.example.com\n[service \"OSSEC SSH\"]\ngroups = sshd\n[service \"OSSEC\"]\n"
	tests := []struct {
		name, dialect, ini, want string
	}{
		{"defaults page", "nagios", base, ""},
		{"defaults notify", "icinga2", base, ""},
		{"no contacts", "nagios", base + "[nagios]\ncontact_groups =\n", `nobody is paged for 11 generated services ("OSSEC", "OSSEC SSH", "OSSEC bridge"): contact_groups and contacts are empty`},
		{"no users", "icinga2", base + "[nagios]\nuser_groups =\n", `nobody is paged for 11 generated services ("OSSEC", "OSSEC SSH", "OSSEC bridge"): user_groups and users are empty`},
		{"contacts elsewhere do not count", "nagios", base + "[nagios]\nuser_groups =\n", ""},
		{"one service silenced", "nagios", strings.Replace(base, "groups = sshd\n", "groups = sshd\nnotification_options = n\n", 1), `nobody is paged for 5 generated services ("OSSEC SSH")`},
		{"contacts only", "icinga2", base + "[nagios]\nuser_groups =\nusers = icingaadmin\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr := runGenTest(t, tt.ini, tt.dialect, "-manager", "mgr")
			if out == "" {
				t.Fatal("no output")
			}
			if tt.want == "" {
				if stderr != "" {
					t.Errorf("stderr %q, want nothing", stderr)
				}
				return
			}
			if !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "ossec-nagios: warning: gen "+tt.dialect+": ") {
				t.Errorf("stderr %q, want one warning line holding %q", stderr, tt.want)
			}
		})
	}
}

// TestGenWarnsWithoutClientKeys: with no -hosts and no <OSSEC>/etc/client.keys
// gen still writes the manager's objects, and says on stderr that the
// agents are missing instead of staying silent.
func TestGenWarnsWithoutClientKeys(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("OSSEC_NAGIOS_ROOT", dir)
	t.Setenv("OSSEC_NAGIOS_CONFIG", "")
	iniFile := filepath.Join(dir, "ossec-nagios.ini")
	if err := os.WriteFile(iniFile, []byte("[nsca]\nserver = 127.0.0.1\n[service \"OSSEC\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	args := []string{"ossec-nagios", "gen", "nagios", "-config", iniFile, "-manager", "mgr", "-with-hosts"}
	if rc := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); rc != exitOK {
		t.Fatalf("rc %d: %s", rc, stderr.String())
	}
	want := "ossec-nagios: warning: gen nagios: " + filepath.Join(dir, "etc", "client.keys") + " does not exist: only the manager's host \"mgr\" is generated"
	if !strings.HasPrefix(stderr.String(), want) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("stderr %q, want one line starting %q", stderr.String(), want)
	}
	if !strings.Contains(stdout.String(), "host_name") || !strings.Contains(stdout.String(), "mgr") {
		t.Errorf("no objects for the manager:\n%s", stdout.String())
	}
}
