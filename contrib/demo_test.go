package contrib_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// TestDemo runs `make demo`'s script (contrib/demo/demo.sh) against the
// real nagios4 and nsca with the binary built from this tree, and checks
// that it ends as the README says: Nagios, from Debian's stock
// configuration, paged the demo's contact for every alert that is news,
// through both input contracts; with the bridge's NSCA password wrong,
// `ossec-nagios check` is CRITICAL and the heartbeat service pages.
func TestDemo(t *testing.T) {
	lab.RequireBinary(t, lab.Nagios4Bin, "nagios4-core")
	lab.RequireBinary(t, lab.NSCABin, "nsca")
	lab.RequireBinary(t, lab.CheckDummy, "monitoring-plugins-basic")
	if _, err := os.Stat("/etc/nagios4/nagios.cfg"); err != nil {
		if lab.InCI() {
			t.Fatalf("no stock Nagios configuration (nagios4-core): %v", err)
		}
		t.Skipf("no stock Nagios configuration (install nagios4-core): %v", err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ossec-nagios")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ossec-nagios")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command("bash", "contrib/demo/demo.sh")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "OSSEC_NAGIOS_BIN="+bin, "KEEP=0")
	out, err := cmd.CombinedOutput()
	text := string(out)
	if err != nil {
		t.Fatalf("demo.sh: %v\n%s", err, text)
	}

	// Every result that is news pages the contact of the stock group
	// admins: three through legacy argv, one through Wazuh's JSON.
	for _, want := range []string{
		"SERVICE NOTIFICATION: oncall;web01;OSSEC SSH;WARNING;demo-page;OSSEC rule 5712 ",
		"SERVICE NOTIFICATION: oncall;db01;OSSEC integrity;WARNING;demo-page;OSSEC rule 550 ",
		"SERVICE NOTIFICATION: oncall;web01;OSSEC;CRITICAL;demo-page;OSSEC rule 31106 ",
		"SERVICE NOTIFICATION: oncall;db01;OSSEC SSH;WARNING;demo-page;OSSEC rule 5763 ",
		"enable_notifications=1",
		"nagios4 -v: Total Warnings: 0,Total Errors: 0",
		"asked check_keys, execd answered continue -> exit 0",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the demo's output lacks %q", want)
		}
	}
	if n := len(regexp.MustCompile(`(?m)^ +SERVICE NOTIFICATION: oncall;`).FindAllString(text, -1)); n < 4 {
		t.Errorf("%d SERVICE NOTIFICATION lines for oncall, want at least 4", n)
	}

	// The fault: with the bridge's password wrong, the result is lost on
	// the way; the bridge says so (check CRITICAL), and Nagios, missing the
	// heartbeat, pages the same contact.
	_, fault, ok := strings.Cut(text, "== 4. A fault")
	if !ok {
		t.Fatalf("the demo shows no fault:\n%s", text)
	}
	for _, want := range []string{
		"Nagios never received the db01/OSSEC result",
		"ossec-nagios check (the bridge's own Nagios plugin) -> exit 2:",
		"OSSEC-NAGIOS CRITICAL",
		"SERVICE NOTIFICATION: oncall;ossec-manager;OSSEC bridge;CRITICAL;",
	} {
		if !strings.Contains(fault, want) {
			t.Errorf("the fault's part of the output lacks %q", want)
		}
	}
	if !regexp.MustCompile(`(?m)^ +ossec-manager +OSSEC bridge +OK `).MatchString(text) {
		t.Errorf("the heartbeat service was not OK before the fault")
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", text)
	}
}
