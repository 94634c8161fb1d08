package alert

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// spec is one alert of a generated alerts.log.
type spec struct {
	epoch int64
	rule  int
	srcip string
	n     int64 // the id's <n> when counter is set
}

// writeAlert formats one alert as OSSEC does; n is the id's second part.
func formatAlert(s spec, n int64) string {
	var b strings.Builder
	t := time.Unix(s.epoch, 0).UTC()
	fmt.Fprintf(&b, "** Alert %d.%d: - syslog,sshd,\n", s.epoch, n)
	fmt.Fprintf(&b, "%s web01->/var/log/auth.log\n", t.Format("2006 Jan 02 15:04:05"))
	fmt.Fprintf(&b, "Rule: %d (level 5) -> 'rule %d'\n", s.rule, s.rule)
	if s.srcip != "" {
		fmt.Fprintf(&b, "Src IP: %s\n", s.srcip)
	}
	fmt.Fprintf(&b, "%s web01 sshd[1]: event for rule %d\n\n", t.Format("Jan _2 15:04:05"), s.rule)
	return b.String()
}

// genLog returns an alerts.log whose ids are offsets (or s.n when counter)
// and each alert's id.
func genLog(specs []spec, counter bool) ([]byte, []string) {
	var b bytes.Buffer
	var ids []string
	for _, s := range specs {
		n := int64(b.Len())
		if counter {
			n = s.n
		}
		ids = append(ids, fmt.Sprintf("%d.%d", s.epoch, n))
		b.WriteString(formatAlert(s, n))
	}
	return b.Bytes(), ids
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	z := gzip.NewWriter(&out)
	z.Write(b)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

const day0 = 1790208000 // 2026-09-24 00:00:00 UTC

var todaySpecs = []spec{
	{epoch: day0 + 3600, rule: 5715, srcip: "10.0.0.1"},
	{epoch: day0 + 3600, rule: 5501},
	{epoch: day0 + 3601, rule: 5716, srcip: "10.0.0.2"},
	{epoch: day0 + 3602, rule: 5710, srcip: "10.0.0.3"},
	{epoch: day0 + 3602, rule: 5710, srcip: "10.0.0.4"},
}

func TestResolve(t *testing.T) {
	today, ids := genLog(todaySpecs, false)
	yesterday, yids := genLog([]spec{
		{epoch: day0 - 7200, rule: 550},
		{epoch: day0 - 3600, rule: 31151, srcip: "172.16.0.1"},
	}, false)
	counterLog, cids := genLog([]spec{
		{epoch: day0 + 100, rule: 1002, n: 1},
		{epoch: day0 + 101, rule: 5402, n: 2},
		{epoch: day0 + 101, rule: 5501, n: 3},
	}, true)
	split, sids := genLog([]spec{{epoch: day0 - 86400 - 60, rule: 2901}}, false)

	type layout map[string][]byte // relative path -> content
	tests := []struct {
		name       string
		files      layout
		q          Query
		wantID     string
		wantRule   int
		wantMethod Method
		wantFile   string
		wantErr    error
	}{
		{name: "offset last alert", files: layout{"alerts.log": today},
			q: Query{ID: ids[4], RuleID: 5710, SrcIP: "10.0.0.4"}, wantID: ids[4], wantRule: 5710, wantMethod: MethodOffset, wantFile: "alerts.log"},
		{name: "offset first alert no rule given", files: layout{"alerts.log": today},
			q: Query{ID: ids[0]}, wantID: ids[0], wantRule: 5715, wantMethod: MethodOffset, wantFile: "alerts.log"},
		{name: "same second, exact alert not its neighbour", files: layout{"alerts.log": today},
			q: Query{ID: ids[1], RuleID: 5501}, wantID: ids[1], wantRule: 5501, wantMethod: MethodOffset, wantFile: "alerts.log"},
		{name: "stale id: previous alert's, rule found forward", files: layout{"alerts.log": today},
			q: Query{ID: ids[1], RuleID: 5716, SrcIP: "10.0.0.2"}, wantID: ids[2], wantRule: 5716, wantMethod: MethodForward, wantFile: "alerts.log"},
		{name: "stale id: srcip picks the second of two same-rule alerts", files: layout{"alerts.log": today},
			q: Query{ID: ids[2], RuleID: 5710, SrcIP: "10.0.0.4"}, wantID: ids[4], wantRule: 5710, wantMethod: MethodForward, wantFile: "alerts.log"},
		{name: "counter id (OSSEC 4.2+) by backward scan", files: layout{"alerts.log": counterLog},
			q: Query{ID: cids[1], RuleID: 5402}, wantID: cids[1], wantRule: 5402, wantMethod: MethodBackward, wantFile: "alerts.log"},
		{name: "counter id whose number is also an offset elsewhere", files: layout{"alerts.log": counterLog},
			q: Query{ID: cids[0]}, wantID: cids[0], wantRule: 1002, wantMethod: MethodBackward, wantFile: "alerts.log"},
		{name: "rotated day, plain dated file", files: layout{"alerts.log": today, "2026/Sep/ossec-alerts-23.log": yesterday},
			q: Query{ID: yids[1], RuleID: 31151}, wantID: yids[1], wantRule: 31151, wantMethod: MethodOffset, wantFile: "2026/Sep/ossec-alerts-23.log"},
		{name: "rotated day, gzip dated file", files: layout{"alerts.log": today, "2026/Sep/ossec-alerts-23.log.gz": gz(t, yesterday)},
			q: Query{ID: yids[1], RuleID: 31151, SrcIP: "172.16.0.1"}, wantID: yids[1], wantRule: 31151, wantMethod: MethodOffset, wantFile: "2026/Sep/ossec-alerts-23.log.gz"},
		{name: "rotated day, gzip, stale id", files: layout{"alerts.log": today, "2026/Sep/ossec-alerts-23.log.gz": gz(t, yesterday)},
			q: Query{ID: yids[0], RuleID: 31151}, wantID: yids[1], wantRule: 31151, wantMethod: MethodForward, wantFile: "2026/Sep/ossec-alerts-23.log.gz"},
		{name: "Wazuh -NNN split file", files: layout{"alerts.log": today, "2026/Sep/ossec-alerts-22-001.log.gz": gz(t, split)},
			q: Query{ID: sids[0], RuleID: 2901}, wantID: sids[0], wantRule: 2901, wantMethod: MethodOffset, wantFile: "2026/Sep/ossec-alerts-22-001.log.gz"},
		{name: "missing id", files: layout{"alerts.log": today},
			q: Query{ID: fmt.Sprintf("%d.%d", day0+3602, 99999), RuleID: 5710, Location: "(web02) 10.0.0.9->/var/log/secure"}, wantRule: 5710, wantErr: ErrNotResolved},
		{name: "stale id, no matching alert", files: layout{"alerts.log": today},
			q: Query{ID: ids[3], RuleID: 999}, wantRule: 999, wantErr: ErrNotResolved},
		{name: "rotated day, no dated file", files: layout{"alerts.log": today},
			q: Query{ID: yids[1], RuleID: 31151}, wantRule: 31151, wantErr: ErrNotResolved},
		{name: "no alerts.log", files: layout{},
			q: Query{ID: ids[0], RuleID: 5715}, wantRule: 5715, wantErr: ErrNotResolved},
		{name: "bad id", files: layout{"alerts.log": today},
			q: Query{ID: "12.x"}, wantErr: ErrBadID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for p, b := range tc.files {
				writeFile(t, filepath.Join(dir, p), b)
			}
			r := &Resolver{Log: filepath.Join(dir, "alerts.log"), Location: time.UTC, Poll: 20 * time.Millisecond, PollInterval: 5 * time.Millisecond}
			res, err := r.Resolve(context.Background(), tc.q)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !errors.Is(err, ErrNotResolved) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if res.Alert.Resolved || res.Alert.ID != tc.q.ID || res.Alert.Rule.ID != tc.wantRule || res.Method != MethodNone {
					t.Errorf("fallback = %+v", res)
				}
				if tc.q.Location != "" && (res.Alert.Agent.Name != "web02" || res.Alert.Location != tc.q.Location) {
					t.Errorf("fallback lost the location: agent %q location %q", res.Alert.Agent.Name, res.Alert.Location)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a := res.Alert
			if a.ID != tc.wantID || a.Rule.ID != tc.wantRule || !a.Resolved || res.Method != tc.wantMethod {
				t.Errorf("got %s rule %d resolved %v via %q, want %s rule %d via %q", a.ID, a.Rule.ID, a.Resolved, res.Method, tc.wantID, tc.wantRule, tc.wantMethod)
			}
			if rel, _ := filepath.Rel(dir, res.File); rel != tc.wantFile {
				t.Errorf("file %s, want %s", rel, tc.wantFile)
			}
			if id, _ := ParseID(a.ID); res.Method != MethodBackward && !strings.HasSuffix(res.File, ".gz") && res.Offset != id.N {
				t.Errorf("offset %d, id %s", res.Offset, a.ID)
			}
		})
	}
}

// TestResolveLateWriter: the id is the previous alert's (Wazuh 3.7-4.1) and
// the alert itself is written while the resolver polls.
func TestResolveLateWriter(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "alerts.log")
	b, ids := genLog(todaySpecs, false)
	writeFile(t, log, b)
	late := formatAlert(spec{epoch: day0 + 3605, rule: 100002, srcip: "10.9.9.9"}, int64(len(b)))
	done := make(chan error, 1)
	go func() {
		time.Sleep(60 * time.Millisecond)
		f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			done <- err
			return
		}
		// Two writes, as a writer flushing mid-alert would.
		f.WriteString(late[:40])
		time.Sleep(20 * time.Millisecond)
		f.WriteString(late[40:])
		done <- f.Close()
	}()
	r := &Resolver{Log: log, Location: time.UTC, Poll: 5 * time.Second, PollInterval: 5 * time.Millisecond}
	res, err := r.Resolve(context.Background(), Query{ID: ids[4], RuleID: 100002, SrcIP: "10.9.9.9"})
	if werr := <-done; werr != nil {
		t.Fatal(werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%d.%d", day0+3605, len(b))
	if res.Alert.ID != want || res.Method != MethodForward || len(res.Alert.FullLog) != 1 {
		t.Errorf("got %s via %s (%d log lines), want %s via forward", res.Alert.ID, res.Method, len(res.Alert.FullLog), want)
	}
}

// TestResolvePollBudget: a missing alert costs the poll budget, no more.
func TestResolvePollBudget(t *testing.T) {
	dir := t.TempDir()
	b, ids := genLog(todaySpecs, false)
	writeFile(t, filepath.Join(dir, "alerts.log"), b)
	r := &Resolver{Log: filepath.Join(dir, "alerts.log"), Location: time.UTC, Poll: 100 * time.Millisecond, PollInterval: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := r.Resolve(ctx, Query{ID: ids[4], RuleID: 42})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled resolve: err = %v, want context.Canceled", err)
	}
	_, err = r.Resolve(context.Background(), Query{ID: ids[4], RuleID: 42})
	var nr *NotResolvedError
	if !errors.As(err, &nr) || !strings.Contains(nr.Reason, "is rule 5710") {
		t.Errorf("err = %v, want a reason naming the rule found", err)
	}
}

// TestResolveHostileHeader: a header-looking line inside an alert (command
// output) is not taken for the alert at its id's offset.
func TestResolveHostileHeader(t *testing.T) {
	dir := t.TempDir()
	b, ids := genLog(todaySpecs[:2], false)
	// The second alert's id, forged inside a third alert's output, at an
	// offset that does not match.
	forged := "** Alert " + ids[1] + ": - fake\n2026 Sep 24 01:00:00 evil->x\nRule: 1 (level 15) -> 'forged'\n"
	third := fmt.Sprintf("** Alert %d.%d: - ossec,\n2026 Sep 24 01:00:03 web01->netstat\nRule: 533 (level 7) -> 'changed'\nossec: output: 'netstat':\n%s\n", day0+3603, len(b), forged)
	b = append(b, third...)
	writeFile(t, filepath.Join(dir, "alerts.log"), b)
	r := &Resolver{Log: filepath.Join(dir, "alerts.log"), Location: time.UTC, Poll: -1}
	res, err := r.Resolve(context.Background(), Query{ID: ids[1]})
	if err != nil || res.Alert.Rule.ID != 5501 || res.Method != MethodOffset {
		t.Errorf("got rule %d via %s, %v; want the real alert (rule 5501) by offset", res.Alert.Rule.ID, res.Method, err)
	}
}
