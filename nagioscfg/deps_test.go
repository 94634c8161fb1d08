package nagioscfg

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStandardLibraryOnly keeps the generator free of OSSEC, NSCA
// and INI knowledge: it gets plain data.
func TestImportsStandardLibraryOnly(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/ossec-nagios/ossec-nagios/nagioscfg" {
			t.Errorf("nagioscfg depends on %s", p)
		}
	}
}
