package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// cutLine is a Wazuh alerts.json line with big in place of the named
// part: "full_log" (a string), "data" (an object) or "timestamp".
func cutLine(part, big string) string {
	fullLog, data, ts := `"Failed password for root"`, `{"srcip":"192.0.2.1"}`, `"2026-09-24T18:50:30.095+0000"`
	switch part {
	case "full_log":
		fullLog = big
	case "data":
		data = big
	case "timestamp":
		ts = big
	}
	return `{"timestamp":` + ts + `,"rule":{"level":10,"description":"sshd: brute force","id":"5712","groups":["syslog","sshd","authentication_failures"]},` +
		`"agent":{"id":"001","name":"web01","ip":"10.0.0.1"},"manager":{"name":"m"},"id":"1790000000.123","full_log":` + fullLog +
		`,"decoder":{"name":"sshd"},"data":` + data + `,"location":"/var/log/secure"}` + "\n"
}

func bigString(unit string, n int) string {
	b, _ := json.Marshal(strings.Repeat(unit, n))
	return string(b)
}

// An alerts.json line longer than the scanner's limit is cut, not
// skipped: its alert carries the rule, agent, id and location, and what
// fits of the member the limit cut.
func TestOverLongJSONLineIsCut(t *testing.T) {
	const max = 4096
	bigData := `{"win":{"eventdata":` + bigString("x", 3*max) + `},"srcip":"192.0.2.9"}`
	for _, tc := range []struct {
		name     string
		line     string
		fullLog  string // prefix of the alert's first FullLog line; "-": no full_log
		srcip    string // data.srcip
		location string
	}{
		{"cut in full_log", cutLine("full_log", bigString("A", 3*max)), "AAAA", "", "(web01) 10.0.0.1->/var/log/secure"},
		{"cut in full_log of escapes", cutLine("full_log", bigString("\"\\\t", 3*max)), "\"\\\t\"\\\t", "", "(web01) 10.0.0.1->/var/log/secure"},
		{"cut in full_log of multibyte characters", cutLine("full_log", bigString("é€😀", 3*max)), "é€😀", "", "(web01) 10.0.0.1->/var/log/secure"},
		{"cut in full_log of \\u escapes", cutLine("full_log", `"`+strings.Repeat(`\u00e9\ud83d\ude00`, max)+`"`), "é😀", "", "(web01) 10.0.0.1->/var/log/secure"},
		{"cut in data", cutLine("data", bigData), "Failed password for root", "", "(web01) 10.0.0.1->/var/log/secure"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.line + cutLine("", "")
			sc := NewJSONScanner(strings.NewReader(in), 100)
			sc.MaxLine = max
			if !sc.Scan() {
				t.Fatalf("no alert: %v", sc.Err())
			}
			a := sc.Alert()
			if !a.Truncated || len(a.Raw) != max || !strings.HasPrefix(tc.line, a.Raw) {
				t.Errorf("truncated %v, raw %d bytes (a prefix of the line: %v)", a.Truncated, len(a.Raw), strings.HasPrefix(tc.line, a.Raw))
			}
			if a.Rule.ID != 5712 || a.Rule.Level != 10 || a.Rule.Description != "sshd: brute force" || len(a.Rule.Groups) != 3 {
				t.Errorf("rule %+v", a.Rule)
			}
			if a.ID != "1790000000.123" || a.Agent.Name != "web01" || a.Agent.ID != "001" || a.Agent.IP != "10.0.0.1" {
				t.Errorf("id %q, agent %+v", a.ID, a.Agent)
			}
			if a.Location != tc.location {
				t.Errorf("location %q, want %q", a.Location, tc.location)
			}
			if len(a.FullLog) == 0 || !strings.HasPrefix(a.FullLog[0], tc.fullLog) || strings.ContainsRune(a.FullLog[0], '\uFFFD') {
				t.Errorf("full_log %.40q..., want it to start %q", a.FullLog, tc.fullLog)
			}
			if a.Fields["win.eventdata"] != "" {
				t.Error("the cut data object was decoded")
			}
			if sc.Offset() != 100 || sc.Pos() != 100+int64(len(tc.line)) || sc.Cut() != 1 {
				t.Errorf("offset %d, pos %d, cut %d", sc.Offset(), sc.Pos(), sc.Cut())
			}
			// The line after it is read as usual.
			if !sc.Scan() || sc.Alert().Truncated || sc.Alert().FullLog[0] != "Failed password for root" {
				t.Fatalf("next line: %v %+v", sc.Err(), sc.Alert())
			}
			if sc.Scan() || sc.Err() != nil || sc.Pos() != 100+int64(len(in)) {
				t.Errorf("end: err %v, pos %d", sc.Err(), sc.Pos())
			}
		})
	}
}

// Every cut point of a line: an alert whose full_log is a prefix of the
// real one, or (before the rule is complete) an ErrBadJSON error; never a
// wrong rule, never a split character.
func TestCutJSONAlertAtEveryByte(t *testing.T) {
	line := cutLine("full_log", `"a\"b\\c\u00e9d\ud83d\ude00e€f😀g\n"`)
	full, err := ParseJSONAlert([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	ruleEnd := strings.Index(line, `},"agent"`) + 1
	for n := 1; n < len(line); n++ {
		a, err := ParseCutJSONAlert([]byte(line[:n]), nil)
		if n < ruleEnd {
			if !errors.Is(err, ErrBadJSON) {
				t.Fatalf("cut at %d (before the rule's end): err %v", n, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("cut at %d: %v", n, err)
		}
		if a.Rule.ID != 5712 || a.Rule.Level != 10 || !a.Truncated || a.Raw != strings.TrimRight(line[:n], "\n") {
			t.Fatalf("cut at %d: rule %+v truncated %v", n, a.Rule, a.Truncated)
		}
		got, want := strings.Join(a.FullLog, "\n"), strings.Join(full.FullLog, "\n")
		if !strings.HasPrefix(want, got) {
			t.Fatalf("cut at %d: full_log %q is not a prefix of %q", n, got, want)
		}
	}
}

func TestCutJSONAlertErrorsAndLocation(t *testing.T) {
	big := bigString("x", 8192)
	bigObj := `{"x":` + big + `}`
	for _, tc := range []struct {
		name     string
		head     string
		tail     string
		err      bool
		location string
	}{
		{"no rule in the head", cutLine("timestamp", big)[:4096], "", true, ""},
		{"not JSON", strings.Repeat("garbage ", 600), "", true, ""},
		{"an array", "[" + strings.Repeat(`"x",`, 1000), "", true, ""},
		{"blank", strings.Repeat(" ", 4096), "", true, ""},
		{"location from the tail", cutLine("data", bigObj)[:400], `x"}},"location":"/var/log/a\"b"}` + "\n", false, `(web01) 10.0.0.1->/var/log/a"b`},
		{"a nested location is not the alert's", cutLine("data", bigObj)[:400], `x","location":"/evil"}}` + "\n", false, "(web01) 10.0.0.1->"},
		{"a location inside a string is not the alert's", cutLine("data", bigObj)[:400], `x\",\"location\":\"/evil\"}` + "\n", false, "(web01) 10.0.0.1->"},
		{"a cut object is left out", `{"rule":{"id":"1","level":3},"location":"/var/log/x","data":{"a":"` + strings.Repeat("x", 3000), "", false, "/var/log/x"},
		{"a cut string that is not the log is left out", `{"rule":{"id":"1","level":3},"location":"/var/log/x","data":"` + strings.Repeat("x", 3000), "", false, "/var/log/x"},
		{"a cut location is left out", `{"rule":{"id":"1","level":3},"full_log":"x","location":"/var/log/sec`, "", false, ""},
		{"a cut location is taken from the tail", `{"rule":{"id":"1","level":3},"full_log":"x","location":"/var/log/sec`, `,"location":"/var/log/secure"}` + "\n", false, "/var/log/secure"},
		{"a location in the head wins", `{"rule":{"id":"1","level":3},"location":"/head","full_log":"` + big[:3000], `,"location":"/tail"}` + "\n", false, "/head"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseCutJSONAlert([]byte(tc.head), []byte(tc.tail))
			if tc.err {
				if !errors.Is(err, ErrBadJSON) {
					t.Fatalf("err %v, want ErrBadJSON", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Location != tc.location {
				t.Errorf("location %q, want %q", a.Location, tc.location)
			}
		})
	}
}

// A number at the very end of the head may be cut short: it is left out.
func TestCutJSONAlertDropsACutNumber(t *testing.T) {
	a, err := ParseCutJSONAlert([]byte(`{"rule":{"id":"1","level":3},"data":{"n":1},"TimeStamp":17900`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Time.IsZero() && a.Time.Year() == 1970 {
		t.Errorf("time %v from a cut number", a.Time)
	}
	if a.Fields["n"] != "1" {
		t.Errorf("fields %v", a.Fields)
	}
}

// FuzzParseCutJSONAlert: any head and tail give an alert or an error
// wrapping ErrBadJSON, never a panic; an alert is marked Truncated, holds
// the head as Raw, and its FullLog is the start of the head's full_log.
func FuzzParseCutJSONAlert(f *testing.F) {
	seedSamples(f, "*.json")
	f.Add([]byte(cutLine("full_log", `"a\"b\\c\u00e9d\ud83d\ude00e€f😀g"`)))
	f.Add([]byte(cutLine("data", `{"a":[1,2,{"b":"c"}],"d":-1.5e3}`)))
	f.Fuzz(func(t *testing.T, in []byte) {
		if i := bytes.IndexByte(in, '\n'); i >= 0 {
			in = in[:i+1] // one line
		}
		for _, n := range []int{len(in), len(in) / 2, len(in) / 3, len(in) - 1} {
			if n < 0 {
				continue
			}
			a, err := ParseCutJSONAlert(in[:n], in[n:])
			if err != nil {
				if !errors.Is(err, ErrBadJSON) {
					t.Fatalf("cut at %d: error %v does not wrap ErrBadJSON", n, err)
				}
				continue
			}
			if !a.Truncated || a.Raw != string(bytes.TrimRight(in[:n], "\r\n")) {
				t.Fatalf("cut at %d: truncated %v, raw %q", n, a.Truncated, a.Raw)
			}
		}
	})
}

// The real Wazuh samples cut at every byte after the rule: the rule is
// the full line's, and once the agent and id are in the head, so are
// the id and the location (from the line's end).
func TestCutJSONAlertSamples(t *testing.T) {
	for _, name := range []string{"wazuh4-alerts-subset.json", "wazuh-alert-json-frequency-rule.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			full, err := ParseJSONAlert([]byte(line))
			if err != nil {
				continue // not an alert line
			}
			idAt := strings.Index(line, `"id":"`+full.ID+`"`)
			ok := 0
			for n := 1; n < len(line); n++ {
				a, err := ParseCutJSONAlert([]byte(line[:n]), []byte(line))
				if err != nil {
					continue
				}
				ok++
				if !reflect.DeepEqual(a.Rule, full.Rule) {
					t.Fatalf("%s line %d cut at %d: rule %+v, want %+v", name, i+1, n, a.Rule, full.Rule)
				}
				if idAt > 0 && n > idAt+len(full.ID)+7 && (a.ID != full.ID || a.Location != full.Location || a.Agent.Name != full.Agent.Name) {
					t.Fatalf("%s line %d cut at %d: id %q location %q agent %q, want %q %q %q", name, i+1, n, a.ID, a.Location, a.Agent.Name, full.ID, full.Location, full.Agent.Name)
				}
			}
			if ok == 0 {
				t.Errorf("%s line %d: no cut decoded", name, i+1)
			}
		}
	}
}
