package icinga_test

// Tests against the real icinga2 (Debian icinga2-bin), started by the test
// on 127.0.0.1 with its certificates in a temporary directory.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/icinga"
	"github.com/ossec-nagios/ossec-nagios/internal/lab"
)

// sender is the bridge's Sender (bridge/bridge.go), restated so that this
// package does not import the bridge.
type sender interface {
	SendCheck(ctx context.Context, host, service string, state int, output string) error
}

var _ sender = (*icinga.Client)(nil)

// Hostile service names, all valid Icinga 2 object names (no '!').
var hostileServices = []string{
	`x" || "1" == "1`,    // breaks out of a hand-built filter string
	`a&service=web01 b`,  // a second query parameter if the name went into a URL unencoded
	`ünï ✓ "q" 'it''s'`,  // unicode and quotes
	`a;b|c = d`,          // command-file and perfdata separators
	`%21 %2F+plus/slash`, // already-encoded text must stay literal
}

const (
	passiveHostObjects = `object Service "no-passive" {
  import "ossec-passive-service"
  host_name = "web01"
  enable_passive_checks = false
}
`
)

func startIcinga(t testing.TB) *lab.IcingaServer {
	t.Helper()
	svcs := append([]string{"ossec-alert", "ossec-syscheck", "batch"}, hostileServices...)
	return lab.StartIcinga(t, lab.IcingaOptions{Objects: []string{
		lab.IcingaPassiveObjects("web01", svcs...),
		lab.IcingaPassiveObjects("web 02 ünï", "ossec-alert"),
		passiveHostObjects,
	}})
}

func newClient(t testing.TB, s *lab.IcingaServer, mod func(*icinga.Config)) *icinga.Client {
	t.Helper()
	cfg := icinga.Config{URL: s.URL, User: s.User, Password: s.Password, CAFile: s.CAFile, CheckSource: "ossec-nagios-test", Timeout: 10 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := icinga.New(cfg)
	if err != nil {
		t.Fatalf("icinga.New: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// changed returns the names of services whose result differs between two
// snapshots.
func changed(before, after map[string]lab.IcingaCheckable) []string {
	var out []string
	for name, a := range after {
		b := before[name]
		if a.HasResult != b.HasResult || a.State != b.State || a.Output != b.Output || !a.LastUpdate.Equal(b.LastUpdate) {
			out = append(out, name)
		}
	}
	return out
}

func TestRealIcinga(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	s := startIcinga(t)
	t.Logf("icinga2 API ready after %v", time.Since(t0))
	c := newClient(t, s, nil)
	ctx := t.Context()

	t.Run("ping", func(t *testing.T) {
		info, err := c.Info(ctx)
		if err != nil {
			t.Fatalf("Info: %v", err)
		}
		if !strings.HasPrefix(info.Version, "r2.") || info.User != s.User || strings.Join(info.Permissions, ",") != strings.Join(lab.IcingaBridgePermissions, ",") {
			t.Errorf("Info = %+v", info)
		}
		if !info.Allows(icinga.PermissionSubmit) {
			t.Errorf("Allows(%q) = false with %q", icinga.PermissionSubmit, info.Permissions)
		}
		if err := c.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})

	t.Run("service result visible", func(t *testing.T) {
		before := s.Services(t)
		out := "OSSEC rule 5710 (level 5): sshd: attempt to login using a non-existent user"
		if err := c.SendCheck(ctx, "web01", "ossec-alert", 2, out); err != nil {
			t.Fatalf("SendCheck: %v", err)
		}
		got := s.Service(t, "web01", "ossec-alert")
		if !got.HasResult || got.State != 2 || got.Output != out || got.Source != "ossec-nagios-test" {
			t.Errorf("web01!ossec-alert = %+v, want CRITICAL %q from ossec-nagios-test", got, out)
		}
		if ch := changed(before, s.Services(t)); len(ch) != 1 || ch[0] != "web01!ossec-alert" {
			t.Errorf("changed services %q, want only web01!ossec-alert", ch)
		}
		if err := c.SendCheck(ctx, "web01", "ossec-alert", 1, "warn"); err != nil {
			t.Fatalf("SendCheck: %v", err)
		}
		if got := s.Service(t, "web01", "ossec-alert"); got.State != 1 || got.Output != "warn" {
			t.Errorf("after WARNING: %+v", got)
		}
	})

	t.Run("hostile names touch only their own service", func(t *testing.T) {
		for i, svc := range hostileServices {
			before := s.Services(t)
			out := fmt.Sprintf("hostile %d", i)
			state := 1 + i%3
			if err := c.SendCheck(ctx, "web01", svc, state, out); err != nil {
				t.Fatalf("SendCheck(%q): %v", svc, err)
			}
			after := s.Services(t)
			name := "web01!" + svc
			if ch := changed(before, after); len(ch) != 1 || ch[0] != name {
				t.Errorf("service %q: changed %q, want only %q", svc, ch, name)
			}
			if got := after[name]; got.State != state || got.Output != out {
				t.Errorf("service %q = %+v, want state %d output %q", svc, got, state, out)
			}
		}
		before := s.Services(t)
		if err := c.SendCheck(ctx, "web 02 ünï", "ossec-alert", 2, "host with space"); err != nil {
			t.Fatalf("SendCheck on host with space: %v", err)
		}
		if ch := changed(before, s.Services(t)); len(ch) != 1 || ch[0] != "web 02 ünï!ossec-alert" {
			t.Errorf("changed %q, want only the service of host %q", ch, "web 02 ünï")
		}
	})

	t.Run("hostile output stored verbatim", func(t *testing.T) {
		out := "line1 user=root; src=1.2.3.4 | a=1;2;3\nline2 \"q\" 'q' $HOSTNAME$ C:\\new\\temp ünï ✓ & = %21 \x01"
		if err := c.SendCheck(ctx, "web01", "ossec-syscheck", 2, out); err != nil {
			t.Fatalf("SendCheck: %v", err)
		}
		if got := s.Service(t, "web01", "ossec-syscheck"); got.Output != out || len(got.PerfData) != 0 {
			t.Errorf("output %q perfdata %q, want %q and no perfdata", got.Output, got.PerfData, out)
		}
		if err := c.Send(ctx, icinga.Check{Host: "web01", Service: "ossec-syscheck", State: 1, Output: "with perf", PerfData: []string{"level=7", "count=3"}}); err != nil {
			t.Fatalf("Send with perfdata: %v", err)
		}
		if got := s.Service(t, "web01", "ossec-syscheck"); got.Output != "with perf" || strings.Join(got.PerfData, " ") != "level=7 count=3" {
			t.Errorf("output %q perfdata %q", got.Output, got.PerfData)
		}
	})

	t.Run("bang names refused before sending", func(t *testing.T) {
		before := s.Services(t)
		for _, n := range [][2]string{{"web01!ossec-alert", ""}, {"web01!ossec-syscheck", "ignored"}, {"web01", "ossec-alert!x"}} {
			err := c.SendCheck(ctx, n[0], n[1], 2, "INJECTED")
			if !errors.Is(err, icinga.ErrBadName) {
				t.Errorf("SendCheck(%q, %q): %v, want ErrBadName", n[0], n[1], err)
			}
		}
		if ch := changed(before, s.Services(t)); len(ch) != 0 {
			t.Errorf("changed %q, want none", ch)
		}
	})

	t.Run("unknown objects", func(t *testing.T) {
		tests := []struct{ name, host, service, object string }{
			{"service", "web01", "no-such", `"web01!no-such"`},
			{"host of service", "web99", "ossec-alert", `"web99!ossec-alert"`},
			{"host check", "web99", "", `"web99"`},
			{"filter text as name", "web01", `x" || "1" == "2`, `"web01!x\" || \"1\" == \"2"`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := s.Services(t)
				err := c.SendCheck(ctx, tc.host, tc.service, 2, "x")
				var ie *icinga.Error
				if !errors.Is(err, icinga.ErrNotFound) || !errors.As(err, &ie) || ie.Temporary() || ie.Status != 404 {
					t.Fatalf("SendCheck: %v, want a permanent 404 ErrNotFound", err)
				}
				if !strings.Contains(err.Error(), tc.object) || !strings.Contains(err.Error(), "No objects found") {
					t.Errorf("message %q does not name %s or quote Icinga", err, tc.object)
				}
				if ch := changed(before, s.Services(t)); len(ch) != 0 {
					t.Errorf("changed %q, want none", ch)
				}
			})
		}
	})

	t.Run("host check", func(t *testing.T) {
		for _, tc := range []struct{ state, want int }{{2, 1}, {0, 0}, {1, 1}, {3, 1}} {
			out := fmt.Sprintf("host state %d", tc.state)
			if err := c.SendCheck(ctx, "web01", "", tc.state, out); err != nil {
				t.Fatalf("SendCheck host state %d: %v", tc.state, err)
			}
			if got := s.Host(t, "web01"); got.State != tc.want || got.Output != out {
				t.Errorf("state %d: host = %+v, want state %d output %q", tc.state, got, tc.want, out)
			}
		}
	})

	t.Run("passive checks disabled", func(t *testing.T) {
		err := c.SendCheck(ctx, "web01", "no-passive", 2, "x")
		var ie *icinga.Error
		if !errors.Is(err, icinga.ErrRejected) || !errors.As(err, &ie) || ie.Temporary() {
			t.Fatalf("SendCheck: %v, want a permanent ErrRejected", err)
		}
		if !strings.Contains(err.Error(), "Passive checks are disabled") {
			t.Errorf("message %q does not quote Icinga", err)
		}
	})

	t.Run("ttl", func(t *testing.T) {
		withTTL := newClient(t, s, func(c *icinga.Config) { c.TTL = 5 * time.Minute })
		now := time.Now()
		if err := withTTL.SendCheck(ctx, "web01", "ossec-alert", 2, "ttl"); err != nil {
			t.Fatalf("SendCheck: %v", err)
		}
		if d := s.Service(t, "web01", "ossec-alert").NextCheck.Sub(now); d < 295*time.Second || d > 305*time.Second {
			t.Errorf("next check in %v with ttl 5m, want about 5m", d)
		}
		if err := c.SendCheck(ctx, "web01", "ossec-alert", 2, "no ttl"); err != nil {
			t.Fatalf("SendCheck: %v", err)
		}
		if d := s.Service(t, "web01", "ossec-alert").NextCheck.Sub(now); d < 55*time.Minute {
			t.Errorf("next check in %v without ttl, want about check_interval (1h)", d)
		}
	})

	t.Run("batch", func(t *testing.T) {
		var checks []icinga.Check
		for i := range 40 {
			checks = append(checks, icinga.Check{Host: "web01", Service: "batch", State: i % 3, Output: fmt.Sprintf("batch %d", i)})
		}
		checks = append(checks, icinga.Check{Host: "web01", Service: "missing", State: 2})
		errs := c.SendChecks(ctx, checks)
		for i, err := range errs[:40] {
			if err != nil {
				t.Errorf("check %d: %v", i, err)
			}
		}
		if !errors.Is(errs[40], icinga.ErrNotFound) {
			t.Errorf("missing service: %v, want ErrNotFound", errs[40])
		}
		if got := s.Service(t, "web01", "batch"); !strings.HasPrefix(got.Output, "batch ") {
			t.Errorf("batch service = %+v", got)
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		bad := newClient(t, s, func(c *icinga.Config) { c.Password = "wrong-" + s.Password })
		before := s.Services(t)
		for _, err := range []error{bad.SendCheck(ctx, "web01", "ossec-alert", 2, "x"), bad.Ping(ctx)} {
			var ie *icinga.Error
			if !errors.Is(err, icinga.ErrAuth) || !errors.As(err, &ie) || ie.Temporary() || ie.Status != 401 {
				t.Errorf("got %v, want a permanent 401 ErrAuth", err)
			}
			if err != nil && strings.Contains(err.Error(), s.Password) {
				t.Errorf("message %q holds the password", err)
			}
		}
		if ch := changed(before, s.Services(t)); len(ch) != 0 {
			t.Errorf("changed %q, want none", ch)
		}
	})

	t.Run("unverified certificate", func(t *testing.T) {
		sys := newClient(t, s, func(c *icinga.Config) { c.CAFile = "" }) // system pool
		if err := sys.Ping(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("Ping with the system pool: %v, want a certificate error", err)
		}
	})

	t.Run("daemon stopped", func(t *testing.T) {
		s.Stop(t)
		err := c.SendCheck(ctx, "web01", "ossec-alert", 2, "x")
		var ie *icinga.Error
		if !errors.As(err, &ie) || !ie.Temporary() || ie.Status != 0 {
			t.Errorf("SendCheck with the daemon down: %v, want a temporary network error", err)
		}
	})
}

// TestRealIcingaNoPermission: a user without actions/process-check-result
// gets 404 "No objects found." from Icinga, so Info.Allows is how a
// self-check tells it from a missing object.
func TestRealIcingaNoPermission(t *testing.T) {
	t.Parallel()
	s := lab.StartIcinga(t, lab.IcingaOptions{
		Objects:     []string{lab.IcingaPassiveObjects("web01", "ossec-alert")},
		Permissions: []string{"objects/query/*"},
	})
	c := newClient(t, s, nil)
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Allows(icinga.PermissionSubmit) {
		t.Errorf("Allows(%q) = true with %q", icinga.PermissionSubmit, info.Permissions)
	}
	err = c.SendCheck(t.Context(), "web01", "ossec-alert", 2, "x")
	if !errors.Is(err, icinga.ErrNotFound) {
		t.Errorf("SendCheck without permission: %v, want ErrNotFound (Icinga's 404)", err)
	}
	if got := s.Service(t, "web01", "ossec-alert"); got.HasResult {
		t.Errorf("service got a result: %+v", got)
	}
}

// BenchmarkRealIcinga measures accepted results per second against the
// real icinga2, one at a time and with SendChecks at concurrency 4.
func BenchmarkRealIcinga(b *testing.B) {
	s := startIcinga(b)
	for _, conc := range []int{1, 4} {
		b.Run(fmt.Sprintf("concurrency-%d", conc), func(b *testing.B) {
			c := newClient(b, s, func(c *icinga.Config) { c.Concurrency = conc })
			const batch = 50
			checks := make([]icinga.Check, batch)
			for i := range checks {
				checks[i] = icinga.Check{Host: "web01", Service: "batch", State: i % 4, Output: fmt.Sprintf("bench result %d: sshd: authentication failure", i)}
			}
			n := 0
			for b.Loop() {
				for i, err := range c.SendChecks(b.Context(), checks) {
					if err != nil {
						b.Fatalf("check %d: %v", i, err)
					}
				}
				n += batch
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "results/s")
		})
	}
}
