#!/usr/bin/env bash
# One active response end to end, as OSSEC's execd runs it for the last
# alert of a 100 MB and a 1 GB alerts.log (ids = offsets, from genalerts):
#   seed      contrib/bench/seed-ar.sh, the shell recipe ossec-nagios replaces
#             (grep the whole alerts.log for the alert's second, sed/awk,
#             pipe to send_nsca)
#   ours      ossec-nagios installed as <OSSEC>/active-response/bin/ossec-nagios,
#             legacy argv "add - SRCIP ALERTID RULEID LOCATION...": resolve
#             the alert by its offset, map it, send it natively over NSCA,
#             log one line to active-responses.log
#   bare      printf ... | send_nsca: the floor, one already-built line and
#             no alert lookup at all
# All three send to the same local nsca daemon (-f --single, XOR, 127.0.0.1,
# a regular file as its command file), started here; every result is
# checked to arrive. Timed with hyperfine in the same run (median wall time
# of >= 10 runs, shell start-up subtracted, and mean CPU time), ratios
# against the seed and the bare anchors of this run, plus peak RSS
# (/usr/bin/time -v).
#
# Needs: make build; apt-get install nsca nsca-client hyperfine jq time.
# BENCH_SIZES overrides the sizes (e.g. "10M 100M"); BENCH_RUNS the minimum
# runs per command (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
. contrib/bench/nsca.sh
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
RUNS=${BENCH_RUNS:-10}
[ -x "$BIN" ] || { echo "bench-ar: $BIN missing (make build)"; exit 1; }
for t in /usr/sbin/nsca /usr/sbin/send_nsca hyperfine jq; do
  command -v "$t" >/dev/null || { echo "bench-ar: $t missing (apt-get install nsca nsca-client hyperfine jq)"; exit 1; }
done
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/genalerts" ./contrib/bench/genalerts

# The nsca daemon, XOR, writing to a regular file.
port=$(freeport)
password=bench-secret
start_nsca "$tmp" "$port" "$password" 1 0
pid=$NSCA_PID
wait_port "$port"

lines() { wc -l < "$tmp/nagios.cmd"; }
wait_lines() { # wait until the daemon wrote $1 lines in all
  for _ in $(seq 200); do [ "$(lines)" -ge "$1" ] && return 0; sleep 0.05; done
  echo "bench-ar: daemon wrote $(lines) lines, want $1" >&2; return 1
}
rss_kb() { # peak RSS in KiB of a command run through bash (its largest process)
  /usr/bin/time -v bash -c "$1" 2>&1 >/dev/null | awk -F': ' '/Maximum resident set size/ {print $2}'
}
ms() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$tmp/h.json"; }
cpu_ms() { jq -r --arg n "$1" '.results[] | select(.command == $n) | (.user + .system) * 1000' "$tmp/h.json"; }

printf 'web01\tOSSEC\t1\tOSSEC rule 533 (level 7): Listened ports status (netstat) changed\n' > "$tmp/one.txt"
bare="/usr/sbin/send_nsca -H 127.0.0.1 -p $port -c $tmp/send_nsca.cfg < $tmp/one.txt"

printf '%-5s %9s %9s %9s %10s %10s %9s %9s %9s %10s %10s %10s\n' size seed_ms ours_ms bare_ms seed/ours ours/bare seed_cpu ours_cpu bare_cpu seed_rss ours_rss bare_rss
for size in ${BENCH_SIZES:-100M 1G}; do
  # A throw-away OSSEC root, as execd sees it.
  R=$tmp/$size/ossec
  mkdir -p "$R/etc" "$R/logs/alerts" "$R/active-response/bin" "$R/var"
  id=$("$tmp/genalerts" -size "$size" -out "$R/logs/alerts/alerts.log")
  install -m 0750 "$BIN" "$R/active-response/bin/ossec-nagios"
  sed -e "s|^NSCA_PORT=.*|NSCA_PORT=$port|" -e "s|^SEND_NSCA_CFG=.*|SEND_NSCA_CFG=$tmp/send_nsca.cfg|" \
    contrib/bench/seed-ar.sh > "$R/active-response/bin/seed-ar.sh"
  chmod 0750 "$R/active-response/bin/seed-ar.sh"
  cat > "$R/etc/ossec-nagios.ini" <<INI
[nsca]
server     = 127.0.0.1:$port
password   = $password
encryption = xor
timeout    = 5s
[states]
warning  = 7
critical = 12
send_ok  = yes
[hosts]
default = {agent}
[service "OSSEC"]
[flood]
window = 0
INI
  chmod 0600 "$R/etc/ossec-nagios.ini"

  # execd's arguments for the last alert: add USER SRCIP ALERTID RULEID LOCATION...
  block=$(tail -c 4096 "$R/logs/alerts/alerts.log" | awk -v h="** Alert $id:" 'index($0, h) == 1 {p = 1} p')
  rule=$(sed -n 's/^Rule: \([0-9]*\) .*/\1/p' <<<"$block")
  location=$(sed -n '2s/^[0-9]* [A-Z][a-z]* [0-9]* [0-9:]* //p' <<<"$block")
  srcip=$(sed -n 's/^Src IP: //p' <<<"$block"); srcip=${srcip:--}
  # execd splits the location on spaces; each word is one argument, quoted
  # here for the shell that hyperfine runs.
  read -r -a words <<<"$location"
  args="add - $srcip $id $rule$(printf ' %q' "${words[@]}")"
  # (this hyperfine has no --input: the shell redirects, as execd gives no stdin)
  seed="$R/active-response/bin/seed-ar.sh $args </dev/null"
  ours="$R/active-response/bin/ossec-nagios $args </dev/null"

  # Each must deliver its result before it is timed.
  for c in "$seed" "$ours" "$bare"; do
    before=$(lines); bash -c "$c" >/dev/null; wait_lines $((before + 1))
  done
  if [ -n "${BENCH_VERBOSE:-}" ]; then tail -n 3 "$tmp/nagios.cmd"; fi
  before=$(lines)
  hyperfine --style basic --warmup 3 --min-runs "$RUNS" --export-json "$tmp/h.json" \
    -n seed "$seed" -n ours "$ours" -n bare "$bare" > "$tmp/h.txt" 2>&1 || { cat "$tmp/h.txt"; exit 1; }
  runs=$(jq '[.results[].times | length] | add' "$tmp/h.json")
  wait_lines $((before + runs + 9)) # + 3 warm-up runs each
  seed_ms=$(ms seed) ours_ms=$(ms ours) bare_ms=$(ms bare)
  seed_cpu=$(cpu_ms seed) ours_cpu=$(cpu_ms ours) bare_cpu=$(cpu_ms bare)
  seed_rss=- ours_rss=- bare_rss=-
  if [ -x /usr/bin/time ]; then
    seed_rss="$(rss_kb "$seed") KiB"
    ours_rss="$(rss_kb "$ours") KiB"
    bare_rss="$(rss_kb "$bare") KiB"
  fi
  printf '%-5s %9.2f %9.2f %9.2f %9.1fx %9.2fx %9.2f %9.2f %9.2f %10s %10s %10s\n' "$size" "$seed_ms" "$ours_ms" "$bare_ms" \
    "$(awk -v a="$seed_ms" -v b="$ours_ms" 'BEGIN { print a / b }')" \
    "$(awk -v a="$ours_ms" -v b="$bare_ms" 'BEGIN { print a / b }')" \
    "$seed_cpu" "$ours_cpu" "$bare_cpu" "$seed_rss" "$ours_rss" "$bare_rss"
  rm -rf "$tmp/$size"
done
echo "(*_ms: median wall time of one run; *_cpu: mean user+system CPU ms of one run; seed/ours: how"
echo " many times faster one active response is than the seed recipe; ours/bare: what resolving, mapping"
echo " and logging cost on top of a bare send_nsca of a ready line; load average: $(cut -d' ' -f1-3 /proc/loadavg))"
