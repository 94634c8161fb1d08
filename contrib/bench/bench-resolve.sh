#!/usr/bin/env bash
# Resolving the last alert of a 100 MB and a 1 GB alerts.log (ids = offsets):
# `ossec-nagios resolve` against the seed recipe's grep pipeline, timed with
# hyperfine in the same run, plus peak RSS (/usr/bin/time -v, Debian's
# `time` package; skipped when absent). Files go to a temp dir, removed at
# the end. BENCH_SIZES overrides the sizes (e.g. "10M 100M").
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
[ -x "$BIN" ] || { echo "bench-resolve: $BIN missing (make build)"; exit 1; }
command -v hyperfine >/dev/null || { echo "bench-resolve: hyperfine missing (apt-get install hyperfine)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/genalerts" ./contrib/bench/genalerts

rss_kb() { # peak RSS in KiB of a command run through bash
  /usr/bin/time -v bash -c "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}

printf '%-6s %12s %12s %9s %12s %12s\n' size resolve_ms pipeline_ms ratio resolve_rss pipeline_rss
for size in ${BENCH_SIZES:-100M 1G}; do
  log="$tmp/$size/alerts.log"
  mkdir -p "$tmp/$size"
  id=$("$tmp/genalerts" -size "$size" -out "$log")
  EPOCH=${id%.*}
  OFFSET=${id#*.}
  ours="$BIN resolve -poll 0 -log $log $id"
  seed="grep -A 10 '$EPOCH' $log | grep -v '.$OFFSET: ' -A 10"
  # Both must find the alert.
  $ours >/dev/null
  bash -c "$seed" >/dev/null
  hyperfine --style basic --warmup 3 --min-runs 10 --export-json "$tmp/h.json" -n resolve "$ours" -n seed "$seed" >"$tmp/h.txt" 2>&1
  read -r ours_ms seed_ms < <(jq -r '[.results[] | .mean * 1000] | "\(.[0]) \(.[1])"' "$tmp/h.json")
  ratio=$(awk -v a="$seed_ms" -v b="$ours_ms" 'BEGIN { printf "%.0fx", a / b }')
  ours_rss=- seed_rss=-
  if [ -x /usr/bin/time ]; then
    ours_rss="$(rss_kb "$ours") KiB"
    seed_rss="$(rss_kb "$seed") KiB"
  fi
  printf '%-6s %12.2f %12.2f %9s %12s %12s\n' "$size" "$ours_ms" "$seed_ms" "$ratio" "$ours_rss" "$seed_rss"
  rm -f "$log"
done
