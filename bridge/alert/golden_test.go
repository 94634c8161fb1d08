package alert

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenAlert is the stable JSON form of an Alert for golden files.
type goldenAlert struct {
	Offset    *int64            `json:"offset,omitempty"`
	Length    *int64            `json:"length,omitempty"`
	ID        string            `json:"id"`
	Time      string            `json:"time,omitempty"`
	Rule      Rule              `json:"rule"`
	Agent     Agent             `json:"agent"`
	Location  string            `json:"location,omitempty"`
	SrcIP     string            `json:"srcip,omitempty"`
	SrcPort   string            `json:"srcport,omitempty"`
	DstIP     string            `json:"dstip,omitempty"`
	DstPort   string            `json:"dstport,omitempty"`
	User      string            `json:"user,omitempty"`
	FullLog   []string          `json:"full_log,omitempty"`
	Fields    map[string]string `json:"fields,omitempty"`
	Source    Source            `json:"source"`
	Resolved  bool              `json:"resolved"`
	Truncated bool              `json:"truncated,omitempty"`
	RawBytes  int               `json:"raw_bytes"`
}

func toGolden(a Alert) goldenAlert {
	g := goldenAlert{
		ID: a.ID, Rule: a.Rule, Agent: a.Agent, Location: a.Location,
		SrcIP: a.SrcIP, SrcPort: a.SrcPort, DstIP: a.DstIP, DstPort: a.DstPort, User: a.User,
		FullLog: a.FullLog, Fields: a.Fields, Source: a.Source, Resolved: a.Resolved,
		Truncated: a.Truncated, RawBytes: len(a.Raw),
	}
	if !a.Time.IsZero() {
		g.Time = a.Time.UTC().Format(time.RFC3339Nano)
	}
	return g
}

func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name+".golden.json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + itoa(i+1) + ":\n  want " + wl + "\n  got  " + gl
		}
	}
	return ""
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonInt(i)) }

func jsonInt(i int) string { b, _ := json.Marshal(i); return string(b) }

// samples returns every sample file; it fails when there are none.
func samples(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("testdata", "samples", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range m {
		if filepath.Base(p) != "README.md" {
			out = append(out, p)
		}
	}
	if len(out) < 13 {
		t.Fatalf("found %d sample files in testdata/samples, want 13", len(out))
	}
	return out
}

// TestGoldenSamples parses every sample with the parser its kind needs and
// compares the result with testdata/golden/<sample>.golden.json.
func TestGoldenSamples(t *testing.T) {
	for _, path := range samples(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case name == "ar-legacy-active-responses.log":
				checkGolden(t, name, goldenLegacy(t, raw))
			case strings.HasSuffix(name, ".log"):
				checkGolden(t, name, goldenLog(t, raw))
			case name == "wazuh-ar-stdin-message-docs.json" || name == "wazuh-ar-check-keys-docs.json":
				// Pretty-printed in the docs; one line on the wire.
				var c bytes.Buffer
				if err := json.Compact(&c, raw); err != nil {
					t.Fatal(err)
				}
				c.WriteByte('\n')
				m, err := ReadARMessage(bufio.NewReader(&c))
				if err != nil {
					t.Fatal(err)
				}
				checkGolden(t, name, goldenMessage(m))
			case name == "wazuh-execd-input-messages.txt":
				r := bufio.NewReader(bytes.NewReader(raw))
				var out []any
				for {
					m, err := ReadARMessage(r)
					if err != nil {
						break
					}
					out = append(out, goldenMessage(m))
				}
				if len(out) != 3 {
					t.Fatalf("read %d messages, want 3", len(out))
				}
				checkGolden(t, name, out)
			case strings.HasSuffix(name, ".json"):
				sc := NewJSONScanner(bytes.NewReader(raw), 0)
				var out []goldenAlert
				for sc.Scan() {
					g := toGolden(sc.Alert())
					off := sc.Offset()
					g.Offset = &off
					out = append(out, g)
				}
				if err := sc.Err(); err != nil {
					t.Fatal(err)
				}
				if len(out) == 0 {
					t.Fatal("no alerts")
				}
				checkGolden(t, name, out)
			default:
				t.Fatalf("no parser for sample %s", name)
			}
		})
	}
}

type goldenLogFile struct {
	Skipped int64         `json:"skipped_bytes"`
	Alerts  []goldenAlert `json:"alerts"`
}

func goldenLog(t *testing.T, raw []byte) goldenLogFile {
	t.Helper()
	sc := NewScanner(bytes.NewReader(raw))
	var out goldenLogFile
	var joined []byte
	for sc.Scan() {
		a := sc.Alert()
		g := toGolden(a)
		off, n := sc.Offset(), sc.Len()
		g.Offset, g.Length = &off, &n
		out.Alerts = append(out.Alerts, g)
		joined = append(joined, a.Raw...)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	out.Skipped = sc.Skipped()
	if len(out.Alerts) == 0 {
		t.Fatal("no alerts")
	}
	// Lossless: skipped bytes plus every Raw give the file back.
	if string(raw[out.Skipped:]) != string(joined) {
		t.Error("alerts' Raw do not add up to the file")
	}
	return out
}

func goldenLegacy(t *testing.T, raw []byte) []any {
	t.Helper()
	var out []any
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		// "<date> <program> add - 172.16.0.1 1304756247.60385 31151"
		f := strings.Fields(line)
		i := 0
		for i < len(f) && f[i] != "add" && f[i] != "delete" {
			i++
		}
		r, err := ParseLegacyArgs(f[i:])
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

type goldenMsg struct {
	Version   int          `json:"version"`
	Origin    any          `json:"origin"`
	Command   string       `json:"command"`
	ExtraArgs []string     `json:"extra_args,omitempty"`
	Program   string       `json:"program,omitempty"`
	Keys      []string     `json:"keys,omitempty"`
	Alert     *goldenAlert `json:"alert,omitempty"`
}

func goldenMessage(m *ARMessage) goldenMsg {
	g := goldenMsg{Version: m.Version, Origin: m.Origin, Command: m.Command, ExtraArgs: m.ExtraArgs, Program: m.Program, Keys: m.Keys}
	if m.HasAlert {
		a := toGolden(m.Alert)
		g.Alert = &a
	}
	return g
}
