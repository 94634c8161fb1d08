package alert

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNotResolvedReasonSameForPlainAndGzip: a dated file says why an alert
// was not resolved in the same words whether it is compressed or not (one
// wording of each reason, not a copy per file kind).
func TestNotResolvedReasonSameForPlainAndGzip(t *testing.T) {
	today, _ := genLog(todaySpecs, false)
	yesterday, yids := genLog([]spec{
		{epoch: day0 - 7200, rule: 550},
		{epoch: day0 - 3600, rule: 31151, srcip: "172.16.0.1"},
	}, false)
	queries := map[string]Query{
		"stale id, no later match": {ID: yids[0], RuleID: 999, SrcIP: "192.0.2.1"},
		"id not in the file":       {ID: yids[0][:strings.Index(yids[0], ".")] + ".77777", RuleID: 550},
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			reasons := map[bool]string{}
			for _, compressed := range []bool{false, true} {
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, "alerts.log"), today)
				dated, content := "2026/Sep/ossec-alerts-23.log", yesterday
				if compressed {
					dated, content = dated+".gz", gz(t, yesterday)
				}
				writeFile(t, filepath.Join(dir, dated), content)
				r := &Resolver{Log: filepath.Join(dir, "alerts.log"), Location: time.UTC, Poll: 20 * time.Millisecond, PollInterval: 5 * time.Millisecond}
				_, err := r.Resolve(context.Background(), q)
				var nr *NotResolvedError
				if !errors.As(err, &nr) {
					t.Fatalf("compressed %v: err = %v, want a *NotResolvedError", compressed, err)
				}
				reasons[compressed] = strings.ReplaceAll(nr.Reason, ".log.gz", ".log")
			}
			if reasons[false] != reasons[true] || reasons[false] == "" {
				t.Errorf("reasons differ:\nplain: %q\ngzip:  %q", reasons[false], reasons[true])
			}
		})
	}
}
