#!/usr/bin/env bash
# Parse throughput of bridge/alert's streaming parsers: go test's
# BenchmarkScanAlertsLog and BenchmarkScanAlertsJSON (8 MB of the bundled
# samples, every alert parsed into an Alert), BENCH_RUNS (7) runs of 15
# iterations each, median and best of the wall-clock MB/s and of cpu-MB/s
# (bytes per CPU second of the whole process, GC included: steadier than
# wall-clock MB/s when other work shares the machine). With BENCH_BASE=<git
# revision> the same benchmarks of that revision (with today's benchmark
# files) run interleaved with the working tree's, for a before/after in the
# same conditions. The issue's target is >= 300 MB/s for both.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${BENCH_RUNS:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/after.test" ./bridge/alert
variants=(after)
if [ -n "${BENCH_BASE:-}" ]; then
  mkdir "$tmp/base"
  git archive "$BENCH_BASE" | tar -x -C "$tmp/base"
  cp bridge/alert/bench_test.go bridge/alert/bench_cpu_*_test.go "$tmp/base/bridge/alert/"
  (cd "$tmp/base" && go test -c -o "$tmp/before.test" ./bridge/alert)
  variants=(before after)
fi
cd bridge/alert # the benchmarks read testdata/
for _ in $(seq "$RUNS"); do
  for v in "${variants[@]}"; do
    "$tmp/$v.test" -test.run '^$' -test.bench 'ScanAlerts' -test.benchtime 15x -test.benchmem |
      awk -v v="$v" '/^Benchmark/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "MB/s") w = $i; if ($(i+1) == "cpu-MB/s") c = $i; if ($(i+1) == "allocs/op") a = $i; if ($(i+1) == "B/op") b = $i }
        sub(/-[0-9]+$/, "", $1); sub(/^BenchmarkScanAlerts/, "", $1); print v, $1, w, c, b, a }'
  done
done > "$tmp/runs"
printf '%-7s %-5s %10s %10s %10s %10s %12s %10s\n' version input wall_med wall_best cpu_med cpu_best B/op allocs/op
for v in "${variants[@]}"; do
  for inp in Log JSON; do
    awk -v v="$v" -v inp="$inp" '$1 == v && $2 == inp' "$tmp/runs" > "$tmp/sel"
    med() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
    best() { sort -n | tail -1; }
    printf '%-7s %-5s %10s %10s %10s %10s %12s %10s\n' "$v" "$inp" \
      "$(cut -d' ' -f3 "$tmp/sel" | med)" "$(cut -d' ' -f3 "$tmp/sel" | best)" \
      "$(cut -d' ' -f4 "$tmp/sel" | med)" "$(cut -d' ' -f4 "$tmp/sel" | best)" \
      "$(cut -d' ' -f5 "$tmp/sel" | med)" "$(cut -d' ' -f6 "$tmp/sel" | med)"
  done
done
echo "(MB/s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
