#!/usr/bin/env bash
# `ossec-nagios send` against Debian's send_nsca 2.10.2, both sending to the
# same local nsca daemon (-f --single, XOR, 127.0.0.1, command file in a temp
# dir): one result per process run (hyperfine, median), then 10,000 results
# over one connection each way: wall time and the client's CPU time
# (user+sys from /usr/bin/time), with ratios. Needs the Debian packages nsca,
# nsca-client, hyperfine, time and jq. BENCH_N overrides the 10,000,
# BENCH_METHOD the cipher (send_nsca's number, default 1 XOR), BENCH_RUNS
# the 3 bulk runs (alternating, send_nsca first); BENCH_ONE=no skips the one-result part.
set -euo pipefail
cd "$(dirname "$0")/../.."
. contrib/bench/nsca.sh
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
N=${BENCH_N:-10000}
METHOD=${BENCH_METHOD:-1}
RUNS=${BENCH_RUNS:-3}
[ -x "$BIN" ] || { echo "bench-send: $BIN missing (make build)"; exit 1; }
for t in /usr/sbin/nsca /usr/sbin/send_nsca hyperfine /usr/bin/time jq; do
  command -v "$t" >/dev/null || { echo "bench-send: $t missing"; exit 1; }
done
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
port=$(freeport)
start_nsca "$tmp" "$port" bench-secret "$METHOD" 1
pid=$NSCA_PID
wait_port "$port"
printf 'web01\tOSSEC Alert\t2\trule 5712 level 10: sshd brute force from 192.0.2.7\n' > "$tmp/one.txt"
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "web%02d\tOSSEC Alert\t%d\trule 5712 level 10: sshd brute force from 192.0.2.%d | n=%d\027", i % 50, i % 4, i % 250, i }' > "$tmp/bulk.txt"

lines() { wc -l < "$tmp/nagios.cmd"; }
wait_lines() { # wait until the daemon wrote $1 lines in all
  for _ in $(seq 600); do [ "$(lines)" -ge "$1" ] && return 0; sleep 0.05; done
  echo "bench-send: daemon wrote $(lines) lines, want $1" >&2; return 1
}

sn="/usr/sbin/send_nsca -H 127.0.0.1 -p $port -to 300 -c $tmp/send_nsca.cfg"
on="$BIN send -H 127.0.0.1 -p $port -to 300 -c $tmp/send_nsca.cfg"

if [ "${BENCH_ONE:-yes}" != no ]; then
echo "one result per run (whole process, hyperfine):"
# (this hyperfine has no --input: the shell redirects, and hyperfine
# subtracts the shell's own start-up)
hyperfine --style basic --warmup 5 --runs 50 --export-json "$tmp/h.json" \
  -n send_nsca "$sn < $tmp/one.txt" -n ossec-nagios "$on < $tmp/one.txt" > "$tmp/h.txt" 2>&1 || { cat "$tmp/h.txt"; exit 1; }
read -r sn_ms on_ms < <(jq -r '[.results[] | .median * 1000] | "\(.[0]) \(.[1])"' "$tmp/h.json")
printf '  %-14s median %7.2f ms\n  %-14s median %7.2f ms\n  send_nsca/ossec-nagios: %.2fx\n' send_nsca "$sn_ms" "ossec-nagios send" "$on_ms" \
  "$(awk -v a="$sn_ms" -v b="$on_ms" 'BEGIN { print a / b }')"
echo
fi

echo "$N results over one connection (encryption method $METHOD), $RUNS alternating runs each:"
base=$(lines)
run_bulk() { # prints "wall user+sys" for one run of $1, and waits for the lines
  local cmd=$1 before out
  before=$(lines)
  out=$( { /usr/bin/time -f '%e %U %S' $cmd < "$tmp/bulk.txt" >/dev/null; } 2>&1 | tail -1)
  wait_lines $((before + N))
  awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' <<<"$out"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
slowest() { sort -n | tail -1; }
declare -A wall cpu worst
: > "$tmp/send_nsca.runs"; : > "$tmp/ossec-nagios.runs"
# Alternating runs (send_nsca, ours, send_nsca, ...), so that a busy spell
# on the machine hits both alike.
for r in $(seq "$RUNS"); do
  for who in send_nsca ossec-nagios; do
    cmd=$sn; [ "$who" = ossec-nagios ] && cmd=$on
    run_bulk "$cmd" | tee -a "$tmp/$who.runs" | awk -v w="$who" -v r="$r" '{ printf "    run %2d %-14s wall %6.3f s  cpu %6.3f s\n", r, w, $1, $2 }'
  done
done
for who in send_nsca ossec-nagios; do
  wall[$who]=$(cut -d' ' -f1 "$tmp/$who.runs" | median)
  cpu[$who]=$(cut -d' ' -f2 "$tmp/$who.runs" | median)
  worst[$who]=$(cut -d' ' -f1 "$tmp/$who.runs" | slowest)
  printf '  %-14s median wall %6.3f s (slowest %6.3f s)   client cpu %6.3f s   (%.1f us cpu/result)\n' "$who" "${wall[$who]}" "${worst[$who]}" "${cpu[$who]}" \
    "$(awk -v c="${cpu[$who]}" -v n="$N" 'BEGIN { print c * 1e6 / n }')"
done
awk -v s="${worst[ossec-nagios]}" -v m="${wall[send_nsca]}" 'BEGIN { printf "  slowest ossec-nagios run vs send_nsca median: %.3f s vs %.3f s (%s)\n", s, m, (s <= m ? "not slower" : "SLOWER") }'
awk -v sw="${wall[send_nsca]}" -v ow="${wall[ossec-nagios]}" -v sc="${cpu[send_nsca]}" -v oc="${cpu[ossec-nagios]}" \
  'BEGIN { printf "  ratios send_nsca/ossec-nagios: wall %.2fx, client cpu %.2fx\n", sw / ow, (oc > 0 ? sc / oc : 0) }'
[ "$(lines)" -eq $((base + 2 * RUNS * N)) ] || { echo "bench-send: lost results: $(lines) lines"; exit 1; }
