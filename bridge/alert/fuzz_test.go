package alert

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedSamples adds every sample file matching the globs to f; it fails when
// there are none, so a fuzz target never runs on an empty corpus.
func seedSamples(f *testing.F, globs ...string) {
	f.Helper()
	n := 0
	for _, g := range globs {
		m, _ := filepath.Glob(filepath.Join("testdata", "samples", g))
		for _, p := range m {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			n++
		}
	}
	if n == 0 {
		f.Fatalf("no seed samples for %v", globs)
	}
}

// FuzzScanner: the alerts.log scanner never panics, loses no byte, and
// every alert it yields starts with a header at its offset.
func FuzzScanner(f *testing.F) {
	seedSamples(f, "*.log")
	f.Add([]byte("** Alert 1.0:\n** Alert 2.3: - x\n\n\n"))
	f.Add([]byte("** Alert 1.0: mail  - a,b,\n2026 Jan 02 03:04:05 (a) b@c->d\nlabel: x\nRule: 1 (level 2) -> ''\nSrc IP: (none)\nUser: (none)\nk: \"v\n\n\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		sc := NewScanner(bytes.NewReader(in))
		sc.MaxAlertBytes = 4096
		var total int64 = 0
		for sc.Scan() {
			off := sc.Offset()
			if off < 0 || off > int64(len(in)) || !IsHeader(in[off:]) {
				t.Fatalf("alert at %d does not start with a header", off)
			}
			a := sc.Alert()
			if !strings.HasPrefix(string(in[off:]), a.Raw) {
				t.Fatalf("Raw is not the input at %d", off)
			}
			if _, err := ParseID(a.ID); err != nil {
				t.Fatalf("id %q: %v", a.ID, err)
			}
			total += sc.Len()
		}
		if sc.Err() != nil {
			t.Fatal(sc.Err())
		}
		if total+sc.Skipped() != int64(len(in)) {
			t.Fatalf("alerts %d + skipped %d != input %d", total, sc.Skipped(), len(in))
		}
	})
}

// FuzzARMessage: the stdin decoder (and the JSON alert parser under it)
// never panics and reads no further than the first line.
func FuzzARMessage(f *testing.F) {
	seedSamples(f, "*.json", "*.txt")
	f.Add([]byte(`{"command":"add","parameters":{"alert":{"rule":{"id":1}}}}` + "\nSECOND"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		line, err := ReadLine(r, 1<<20)
		if err == nil && !bytes.HasPrefix(in, line) {
			t.Fatal("line is not the input's head")
		}
		m, err := ReadARMessage(bufio.NewReader(bytes.NewReader(in)))
		if err == nil && m.HasAlert && m.Alert.Source != SourceARJSON {
			t.Fatal("alert without source")
		}
		if _, err := ParseJSONAlert(in); err != nil && !strings.Contains(err.Error(), "JSON") {
			t.Fatalf("error without context: %v", err)
		}
	})
}

// FuzzIntegration: the integratord file reader never panics; what it
// accepts has the integration source.
func FuzzIntegration(f *testing.F) {
	seedSamples(f, "wazuh-alert-json-frequency-rule.json")
	f.Add([]byte(integrationText))
	f.Add([]byte("alertdate=''\nalertlocation=''\nruleid=''\nalertlevel=''\nruledescription=''\nalertlog=''\nsrcip=''"))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ParseIntegration(in)
		if err == nil && a.Source != SourceIntegration {
			t.Fatal("source not set")
		}
		args := strings.Split(string(in), " ")
		if r, err := ParseIntegrationArgs(args); err == nil && r.AlertFile != args[0] {
			t.Fatalf("alert file %q, want %q", r.AlertFile, args[0])
		}
	})
}

// FuzzLegacyArgs: the legacy argv parser never panics and keeps what it
// accepts consistent.
func FuzzLegacyArgs(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("testdata", "samples", "ar-legacy-active-responses.log"))
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if i := strings.Index(l, " add "); i >= 0 {
			f.Add(l[i+1:])
		} else if i := strings.Index(l, " delete "); i >= 0 {
			f.Add(l[i+1:])
		}
	}
	f.Add("add - - 1.2 3 (a) b->netstat -tan | sort - -")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := ParseLegacyArgs(strings.Split(in, " "))
		if err != nil {
			return
		}
		if r.ID.String() != r.AlertID {
			t.Fatalf("id %q parsed as %v", r.AlertID, r.ID)
		}
		_ = r.Fallback()
	})
}
