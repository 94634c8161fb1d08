#!/usr/bin/env bash
# Wall time of one active response, start to exit, as Wazuh's execd sees it
# (execd runs no other response meanwhile), p50 and p99 over BENCH_RUNS
# runs, side by side with a bare send_nsca:
#   up            the real nsca daemon on 127.0.0.1 (XOR, a regular file as
#                 its command file); every result is checked to arrive
#   blackholed    a server that accepts the connection and never sends the
#                 NSCA init packet:
#                   empty spool  the spool is emptied (and the background
#                                flusher stopped) before each run: every run
#                                tries to send and spends its budget
#                   storm        runs one after another, as in an alert storm:
#                                the first spools, the others queue behind it
#   send_nsca     printf ... | send_nsca, against the same servers (its
#                 timeout -to 5, as the bridge's [nsca] timeout)
# ossec-nagios runs in Wazuh >= 4.2's JSON mode, the message on stdin
# ([ar] check_keys = no: stdin ends after the message), with the default
# [ar] deadline (300ms) unless BENCH_DEADLINE is set. Times from bash's
# EPOCHREALTIME around each run (no fork for the clock).
#
# Needs: make build; apt-get install nsca nsca-client python3.
# BENCH_RUNS (100) runs per case; BENCH_BARE_BLACKHOLE_RUNS (5) for the
# slow send_nsca-against-blackhole case.
set -euo pipefail
cd "$(dirname "$0")/../.."
. contrib/bench/nsca.sh
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
RUNS=${BENCH_RUNS:-100}
BARE_BH_RUNS=${BENCH_BARE_BLACKHOLE_RUNS:-5}
[ -x "$BIN" ] || { echo "bench-ar-budget: $BIN missing (make build)"; exit 1; }
for t in /usr/sbin/nsca /usr/sbin/send_nsca python3; do
  command -v "$t" >/dev/null || { echo "bench-ar-budget: $t missing (apt-get install nsca nsca-client python3)"; exit 1; }
done
tmp=$(mktemp -d)
R=$tmp/ossec
SPOOL=$R/var/ossec-nagios/spool
pids=()
stop_flusher() {
  local pid
  pid=$(cat "$SPOOL/flusher.lock" 2>/dev/null || true)
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
}
cleanup() {
  stop_flusher
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The real nsca, XOR, writing to a regular file.
port=$(freeport)
password=bench-secret
start_nsca "$tmp" "$port" "$password" 1 0
pids+=("$NSCA_PID")

# The blackhole: accepts, holds the connection, never writes.
bh=$(freeport)
python3 - "$bh" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
held = []
while True:
    c, _ = s.accept(); held.append(c)
PY
pids+=($!)
wait_port "$port"
wait_port "$bh"

mkdir -p "$R/etc" "$R/logs" "$R/active-response/bin" "$SPOOL"
install -m 0750 "$BIN" "$R/active-response/bin/ossec-nagios"
AR=$R/active-response/bin/ossec-nagios
ini() { # ini PORT
  cat > "$R/etc/ossec-nagios.ini" <<INI
[nsca]
server     = 127.0.0.1:$1
password   = $password
encryption = 1
timeout    = 5s
[hosts]
default = {agent}
[service "OSSEC"]
[flood]
; every run sends, as send_nsca does (the default window would hold the
; repeats of this one alert and page once)
window = 0
[ar]
check_keys = no
${BENCH_DEADLINE:+deadline = $BENCH_DEADLINE}
INI
}
msg='{"version":1,"command":"add","origin":{"name":"","module":"wazuh-execd"},"parameters":{"extra_args":[],"program":"active-response/bin/ossec-nagios","alert":{"id":"1796000000.1","timestamp":"2026-11-18T10:40:00.000+0000","rule":{"id":"5712","level":10,"description":"bench","groups":["sshd"]},"agent":{"id":"001","name":"web01"},"location":"/var/log/secure","full_log":"sshd: Failed password"}}}'
printf 'web01\tOSSEC\t1\tsend_nsca bench\n' > "$tmp/one.txt"

us() { local t=${EPOCHREALTIME/./}; echo "${t#0}"; }
# measure NAME RUNS [before-each] -- CMD...: wall time of each run in µs
measure() {
  local name=$1 runs=$2 before=$3; shift 4
  : > "$tmp/$name.us"
  for _ in $(seq "$runs"); do
    [ -n "$before" ] && $before
    local s; s=$(us)
    "$@" > /dev/null 2>&1 || true
    echo $(( $(us) - s )) >> "$tmp/$name.us"
  done
  grep -oE 'ossec-nagios: (WARNING: |ERROR: )?(sent|spooled|lost|no active-response message)' "$R/logs/active-responses.log" 2>/dev/null |
    sed "s/^ossec-nagios: /$name /" >> "$tmp/outcomes" || true
  # The active response's own "elapsed" (fork to its log line), in µs.
  grep -oE 'elapsed=[0-9.]+m?s' "$R/logs/active-responses.log" 2>/dev/null |
    awk -F= '{v=$2; if (v ~ /ms$/) {sub(/ms/,"",v); v*=1000} else {sub(/s/,"",v); v*=1000000}; print int(v)}' > "$tmp/$name.elapsed" || true
  : > "$R/logs/active-responses.log"
}
ar() { printf '%s\n' "$msg" | "$AR"; }
: > "$tmp/outcomes"
bare_up() { /usr/sbin/send_nsca -H 127.0.0.1 -p "$port" -to 5 -c "$tmp/send_nsca.cfg" < "$tmp/one.txt"; }
bare_bh() { /usr/sbin/send_nsca -H 127.0.0.1 -p "$bh" -to 5 -c "$tmp/send_nsca.cfg" < "$tmp/one.txt"; }
empty_spool() { stop_flusher; rm -f "$SPOOL"/*.res; }

count() { grep -c "$1" "$tmp/nagios.cmd" || true; }
outcomes() { # outcomes CASE...: what those active responses logged
  local re; re="^($(IFS='|'; echo "$*")) "
  grep -E "$re" "$tmp/outcomes" | sed -E 's/^[^ ]+ //' | sort | uniq -c |
    awk '{c=$1; $1=""; printf "%s%s x%d", sep, substr($0,2), c; sep=", "}'
}
ini "$port"
measure ar-up "$RUNS" "" -- ar
measure bare-up "$RUNS" "" -- bare_up
# Results an active response spooled (budget spent on a loaded machine)
# arrive through the background flusher: wait for it.
for _ in $(seq 600); do
  [ "$(count 'bench')" -ge $((2 * RUNS)) ] && break; sleep 0.05
done
up_outcomes=$(outcomes ar-up)
[ "$(count ': bench')" -eq "$RUNS" ] && [ "$(count 'send_nsca bench')" -eq "$RUNS" ] || {
  echo "bench-ar-budget: nsca got $(count ': bench') of $RUNS active-response results and $(count 'send_nsca bench') of $RUNS send_nsca results (active responses: $up_outcomes)" >&2; exit 1; }
ini "$bh"
measure ar-bh-empty "$RUNS" empty_spool -- ar
empty_spool
measure ar-bh-storm "$RUNS" "" -- ar
measure bare-bh "$BARE_BH_RUNS" "" -- bare_bh
stop_flusher
left=$(find "$SPOOL" -maxdepth 1 -name '*.res' | wc -l)
bh_outcomes=$(outcomes ar-bh-empty ar-bh-storm)

pct() { # pct FILE P: the P-th percentile (nearest rank) in ms
  sort -n "$1" | awk -v p="$2" '{a[NR]=$1} END {i=int((p*NR+99)/100); if (i<1) i=1; printf "%.1f", a[i]/1000}'
}
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); [ar] deadline ${BENCH_DEADLINE:-300ms (default)}; runs per case: $RUNS (send_nsca blackholed: $BARE_BH_RUNS)"
echo "wall: fork to exit as the caller sees it; elapsed: fork to the log line, as the active response measured it"
printf '%-38s %5s %8s %8s %8s   %11s %11s\n' case runs p50_ms p99_ms max_ms elapsed_p50 elapsed_p99
for c in "ar-up:ossec-nagios, nsca up" "bare-up:send_nsca, nsca up" \
         "ar-bh-empty:ossec-nagios, blackholed, spool empty" "ar-bh-storm:ossec-nagios, blackholed, storm" \
         "bare-bh:send_nsca -to 5, blackholed"; do
  f=$tmp/${c%%:*}.us e=$tmp/${c%%:*}.elapsed ep50=- ep99=-
  if [ -s "$e" ]; then ep50=$(pct "$e" 50) ep99=$(pct "$e" 99); fi
  printf '%-38s %5s %8s %8s %8s   %11s %11s\n' "${c#*:}" "$(wc -l < "$f")" "$(pct "$f" 50)" "$(pct "$f" 99)" "$(pct "$f" 100)" "$ep50" "$ep99"
done
echo "active responses, nsca up: $up_outcomes"
echo "active responses, blackholed: $bh_outcomes; $left of the storm left in the spool for the flusher"
