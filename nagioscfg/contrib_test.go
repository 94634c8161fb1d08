package nagioscfg

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// The examples under contrib/ are generator output for the mapping of
// contrib/ossec/README.md; this test keeps them current (-update rewrites
// them) and valid against the stock Debian configurations.
func contribConfig(group string) Config {
	d := Settings{ContactGroups: []string{group}, QuietPeriod: time.Hour, Volatile: true}
	c := Config{Defaults: d, Hosts: []Host{
		{Name: "web01", Address: "192.0.2.10", Alias: "OSSEC agent web01"},
		{Name: "db01", Address: "192.0.2.11", Alias: "OSSEC agent db01"},
		{Name: "ossec-manager", Alias: "OSSEC agent ossec-manager"},
	}, Heartbeat: Heartbeat{Host: "ossec-manager", Service: "OSSEC bridge", Stale: 10 * time.Minute}}
	for _, h := range []string{"web01", "db01", "ossec-manager"} {
		for _, n := range []string{"OSSEC", "OSSEC SSH", "OSSEC integrity"} {
			c.Services = append(c.Services, Service{Host: h, Name: n, Settings: d})
		}
	}
	return c
}

func TestContrib(t *testing.T) {
	nagios, err := Nagios(contribConfig("admins"))
	if err != nil {
		t.Fatal(err)
	}
	icinga, err := Icinga2(contribConfig("icingaadmins"))
	if err != nil {
		t.Fatal(err)
	}
	ar, err := OSSECConf(OSSEC{Level: 7, RuleIDs: []int{550, 551, 552, 553, 554, 594}})
	if err != nil {
		t.Fatal(err)
	}
	integ, err := OSSECConf(OSSEC{Level: 7, Integration: true})
	if err != nil {
		t.Fatal(err)
	}
	files := []struct {
		path string
		b    []byte
	}{
		{"../contrib/nagios/ossec-nagios.cfg", nagios},
		{"../contrib/icinga2/ossec-nagios.conf", icinga},
		{"../contrib/ossec/active-response.xml", ar},
		{"../contrib/ossec/integration.xml", integ},
	}
	for _, f := range files {
		if *update {
			if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f.path, f.b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(f.path)
		if err != nil || string(got) != string(f.b) {
			t.Errorf("%s is not the generator's output (go test ./nagioscfg -update rewrites it); err %v", f.path, err)
		}
	}
	parseOSSEC(t, ar)
	parseOSSEC(t, integ)

	t.Run("nagios stock", func(t *testing.T) {
		dir := lab.ShortTempDir(t)
		p := filepath.Join(dir, "ossec-nagios.cfg")
		if err := os.WriteFile(p, nagios, 0o600); err != nil {
			t.Fatal(err)
		}
		if v := lab.VerifyNagios(t, lab.StockNagiosConfig(t, dir, p)); !v.Clean() {
			t.Fatalf("nagios4 -v: %s", v)
		}
	})
	t.Run("icinga2 stock", func(t *testing.T) {
		if v := lab.VerifyIcinga2(t, true, string(icinga)); !v.Clean() {
			t.Fatalf("icinga2 daemon -C: %s", v)
		}
	})
}
