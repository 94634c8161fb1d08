package alert

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// repeatSample returns about size bytes of a sample repeated.
func repeatSample(b *testing.B, name string, size int) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "samples", name))
	if err != nil {
		b.Fatal(err)
	}
	out := bytes.Repeat(raw, size/len(raw)+1)
	return out
}

func BenchmarkScanAlertsLog(b *testing.B) {
	in := repeatSample(b, "wazuh4-alerts-manager-local.log", 8<<20)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		sc := NewScanner(bytes.NewReader(in))
		n := 0
		for sc.Scan() {
			n++
		}
		if sc.Err() != nil || n == 0 {
			b.Fatal(n, sc.Err())
		}
	}
	cpuThroughput(b, cpu, int64(len(in)))
}

func BenchmarkScanAlertsJSON(b *testing.B) {
	in := repeatSample(b, "wazuh4-alerts-subset.json", 8<<20)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		sc := NewJSONScanner(bytes.NewReader(in), 0)
		n := 0
		for sc.Scan() {
			n++
		}
		if sc.Err() != nil || n == 0 {
			b.Fatal(n, sc.Err())
		}
	}
	cpuThroughput(b, cpu, int64(len(in)))
}

// BenchmarkResolveLast resolves the last alert of a 32 MB alerts.log by
// its offset id.
func BenchmarkResolveLast(b *testing.B) {
	dir := b.TempDir()
	var specs []spec
	for i := 0; len(specs) < 32<<20/200; i++ {
		specs = append(specs, spec{epoch: day0 + int64(i/10), rule: 5700 + i%20, srcip: "10.0.0.1"})
	}
	log, ids := genLog(specs, false)
	path := filepath.Join(dir, "alerts.log")
	if err := os.WriteFile(path, log, 0o644); err != nil {
		b.Fatal(err)
	}
	last := specs[len(specs)-1]
	r := &Resolver{Log: path, Location: time.UTC, Poll: -1}
	q := Query{ID: ids[len(ids)-1], RuleID: last.rule, SrcIP: last.srcip}
	b.ReportAllocs()
	for b.Loop() {
		res, err := r.Resolve(context.Background(), q)
		if err != nil || res.Method != MethodOffset {
			b.Fatal(res.Method, err)
		}
	}
}

// BenchmarkParseJSONAlert decodes every alert of a Wazuh alerts.json
// sample, one ParseJSONAlert each: the field dispatch of the fast path.
func BenchmarkParseJSONAlert(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "samples", "wazuh4-alerts-subset.json"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(raw), []byte("\n"))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		for _, l := range lines {
			if _, err := ParseJSONAlert(l); err != nil {
				b.Fatal(err)
			}
		}
	}
	cpuThroughput(b, cpu, int64(len(raw)))
}
