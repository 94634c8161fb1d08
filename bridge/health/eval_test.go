package health

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossec-nagios/ossec-nagios/bridge"
	"github.com/ossec-nagios/ossec-nagios/bridge/follow"
	"github.com/ossec-nagios/ossec-nagios/bridge/spool"
	"github.com/ossec-nagios/ossec-nagios/internal/safefile"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ago(s int) time.Time { return now.Add(-time.Duration(s) * time.Second) }

// facts is a healthy bridge: an empty spool, follow mode running and caught
// up, a delivery 12 s ago.
func facts() Facts {
	return Facts{
		Now:        now,
		SpoolDir:   "/var/ossec/var/ossec-nagios/spool",
		StatusFile: "/var/ossec/var/ossec-nagios/follow.cursor.status",
		Follow: &follow.Status{
			Version: follow.StatusVersion, PID: 4242, Updated: ago(3), LastDelivery: ago(12),
			Path: "/var/ossec/logs/alerts/alerts.json", Offset: 81920, Size: 81920,
		},
		FileSize: 81920,
	}
}

func TestEvaluate(t *testing.T) {
	def := DefaultThresholds()
	tests := []struct {
		name  string
		facts func(*Facts)
		th    func(*Thresholds)
		state bridge.State
	}{
		{name: "healthy", state: bridge.OK},
		{name: "nothing yet", state: bridge.OK, facts: func(f *Facts) {
			f.Follow, f.FileSize = nil, -1
		}},
		{name: "spool warning", state: bridge.Warning, facts: func(f *Facts) {
			f.Spool = spool.Stats{Depth: 12, Oldest: ago(340)}
			f.Follow.LastDelivery = time.Time{}
			f.Stamp = ago(12)
		}},
		{name: "one result at the limits", state: bridge.OK, facts: func(f *Facts) {
			f.Spool = spool.Stats{Depth: 1, Oldest: ago(300)}
		}, th: func(th *Thresholds) { th.Depth.Warn = At(1) }},
		{name: "spool depth critical", state: bridge.Critical, facts: func(f *Facts) {
			f.Spool = spool.Stats{Depth: 101, Oldest: ago(20)}
		}},
		{name: "spool age critical", state: bridge.Critical, facts: func(f *Facts) {
			f.Spool = spool.Stats{Depth: 3, Oldest: ago(7200)}
		}},
		{name: "oldest in the future", state: bridge.OK, facts: func(f *Facts) {
			f.Spool = spool.Stats{Depth: 2, Oldest: now.Add(time.Hour)}
		}},
		{name: "quarantined", state: bridge.Warning, facts: func(f *Facts) {
			f.Spool = spool.Stats{Quarantined: 2}
		}},
		{name: "spool unreadable", state: bridge.Unknown, facts: func(f *Facts) {
			f.SpoolErr = &fs.PathError{Op: "open", Path: f.SpoolDir, Err: fs.ErrPermission}
		}},
		{name: "spool unreadable and follow dead", state: bridge.Critical, facts: func(f *Facts) {
			f.SpoolErr = &fs.PathError{Op: "open", Path: f.SpoolDir, Err: fs.ErrPermission}
			f.Follow.Updated = ago(400)
		}},
		{name: "follow stale warning", state: bridge.Warning, facts: func(f *Facts) {
			f.Follow.Updated = ago(61)
		}},
		{name: "follow dead", state: bridge.Critical, facts: func(f *Facts) {
			f.Follow.Updated = ago(3 * 86400)
			f.Follow.LastDelivery = ago(3*86400 + 5)
		}},
		{name: "follow lag warning", state: bridge.Warning, facts: func(f *Facts) {
			f.Follow.Lag = 1 << 20
			f.Follow.Size = f.Follow.Offset + f.Follow.Lag
			f.FileSize = f.Follow.Size + 1 // one byte written since: above 1 MiB
		}},
		{name: "follow lag critical", state: bridge.Critical, facts: func(f *Facts) {
			f.Follow.Lag = 12 << 20
			f.Follow.LastError = "deliver: nsca 127.0.0.1:5667: connection refused"
		}},
		{name: "follow not running", state: bridge.Critical, facts: func(f *Facts) {
			f.Follow = nil
		}, th: func(th *Thresholds) { th.RequireFollow = true }},
		{name: "follow status unreadable", state: bridge.Unknown, facts: func(f *Facts) {
			f.Follow = nil
			f.FollowErr = errors.New("follow: status x: version 7, want 1")
		}},
		{name: "never delivered", state: bridge.Warning, facts: func(f *Facts) {
			f.Follow.LastDelivery = time.Time{}
		}, th: func(th *Thresholds) { th.Delivery = Pair{At(180), At(900)} }},
		{name: "never delivered critical only", state: bridge.Critical, facts: func(f *Facts) {
			f.Follow = nil
		}, th: func(th *Thresholds) { th.Delivery.Crit = At(900) }},
		{name: "delivery critical", state: bridge.Critical, facts: func(f *Facts) {
			f.Follow.LastDelivery = ago(1000)
			f.Stamp = ago(901)
			f.StampErr = nil
		}, th: func(th *Thresholds) { th.Delivery = Pair{At(180), At(900)} }},
		{name: "stamp newer than follow", state: bridge.OK, facts: func(f *Facts) {
			f.Stamp = ago(2)
		}},
		{name: "delivery failing", state: bridge.Critical, facts: func(f *Facts) {
			f.Follow = nil
			f.Stamp = ago(600)
			f.Failure = &Failure{Time: ago(30), Reason: "nsca 127.0.0.1:5667: the daemon dropped the results (wrong [nsca] password or encryption?)"}
		}},
		{name: "failure before the last delivery", state: bridge.OK, facts: func(f *Facts) {
			f.Follow = nil
			f.Stamp = ago(5)
			f.Failure = &Failure{Time: ago(30), Reason: "old"}
		}},
		{name: "quarantined with reason", state: bridge.Warning, facts: func(f *Facts) {
			f.Spool = spool.Stats{Quarantined: 1, LastReason: "2026-12-06T20:00:00Z icinga: process-check-result \"ghost!OSSEC\": no such object (HTTP 404): \"No objects found.\""}
		}},
		{name: "stamp tampered", state: bridge.Warning, facts: func(f *Facts) {
			f.Follow = nil
			f.StampErr = fmt.Errorf("health: read stamp %s/last-delivery: %w", f.SpoolDir, safefile.ErrNotRegular)
		}},
		{name: "follow status ignored", state: bridge.OK, facts: func(f *Facts) {
			f.Follow = nil
			f.FollowIgnored = "/var/ossec/var/ossec-nagios/follow.cursor.status"
			f.Stamp = ago(2)
		}},
		{name: "all off", state: bridge.OK, facts: func(f *Facts) {
			f.Spool = spool.Stats{Depth: 5000, Oldest: ago(86400), Quarantined: 9}
			f.Follow.Updated = ago(86400)
			f.Follow.Lag = 1 << 30
		}, th: func(th *Thresholds) { *th = Thresholds{} }},
		{name: "hostile text", state: bridge.Unknown, facts: func(f *Facts) {
			f.SpoolDir = "/tmp/a|b=1;2;3\nWARNING"
			f.Follow = nil
			f.FollowErr = errors.New("status | x=1\nCRITICAL - forged")
			f.StampErr = errors.New("stamp\r\n| y=2")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := facts()
			if tt.facts != nil {
				tt.facts(&f)
			}
			th := def
			if tt.th != nil {
				tt.th(&th)
			}
			r := Evaluate(f, th)
			if r.State != tt.state {
				t.Errorf("state %v, want %v\n%s", r.State, tt.state, r)
			}
			out := r.String()
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "OSSEC-NAGIOS "+tt.state.String()+" - ") {
				t.Errorf("first line %q does not start with the state", lines[0])
			}
			if strings.Count(out, "|") != 1 || !strings.Contains(lines[0], " | ") {
				t.Errorf("want exactly one '|', on the first line:\n%s", out)
			}
			golden(t, out)
		})
	}
}

// golden compares got with testdata/golden/<test name>.txt (rewritten
// with -update).
func golden(t *testing.T, got string) {
	t.Helper()
	name := strings.ReplaceAll(t.Name(), "/", "_")
	name = strings.ReplaceAll(name, " ", "-")
	p := filepath.Join("testdata", "golden", name+".txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\ngot:\n%s\nwant:\n%s", p, got, want)
	}
}

func TestGoldenFilesUsed(t *testing.T) {
	m, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txt"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
}

func TestPerfString(t *testing.T) {
	tests := []struct {
		p    Perf
		want string
	}{
		{Perf{Label: "spool", Value: 12, Known: true, Th: Pair{At(10), At(100)}}, "spool=12;10;100;0;"},
		{Perf{Label: "spool_age", Value: 340, Known: true, UOM: "s", Th: Pair{At(300), At(1800)}}, "spool_age=340s;300;1800;0;"},
		{Perf{Label: "lag", Value: 0, Known: true, UOM: "B", Th: Pair{Crit: At(0)}}, "lag=0B;;0;0;"},
		{Perf{Label: "last_delivery", UOM: "s"}, "last_delivery=U;;;0;"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestUnits(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{human(0), "0 s"}, {human(3599), "3599 s"}, {human(3600), "1.0 h"}, {human(47 * 3600), "47.0 h"},
		{human(48 * 3600), "2 d"}, {size(0), "0 B"}, {size(1023), "1023 B"}, {size(1536), "1.5 KiB"},
		{size(10 << 20), "10.0 MiB"}, {size(3 << 30), "3.0 GiB"}, {plural(1, "result"), "1 result"},
		{plural(0, "result"), "0 results"},
	} {
		if tt.got != tt.want {
			t.Errorf("%q, want %q", tt.got, tt.want)
		}
	}
}

func TestUnknown(t *testing.T) {
	got := Unknown("check: config: x.ini: [nsca] server: bad | a=1\nmore").String()
	want := "OSSEC-NAGIOS UNKNOWN - check: config: x.ini: [nsca] server: bad \u2502 a=1 more\n"
	if got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
