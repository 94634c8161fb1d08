package config

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the imports one-way: config may ask nsca and
// nagioscfg to validate their own enumerations, never import bridge or
// logrus; and it is the only package of the module that imports go-ini.
func TestImports(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	for _, p := range deps {
		if strings.Contains(p, "/bridge") || strings.Contains(p, "logrus") || strings.Contains(p, "/cmd/") {
			t.Errorf("config depends on %s", p)
		}
	}
	if !strings.Contains(string(out), "gopkg.in/ini.v1") {
		t.Error("config does not import go-ini: this test is stale")
	}
	out, err = exec.Command(goBin, "list", "-e", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "../../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == "github.com/ossec-nagios/ossec-nagios/internal/config" {
			continue
		}
		for _, imp := range f[1:] {
			if imp == "gopkg.in/ini.v1" {
				t.Errorf("%s imports go-ini; only internal/config may", f[0])
			}
		}
	}
}
