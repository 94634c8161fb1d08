#!/usr/bin/env bash
# `ossec-nagios follow -once` (parse + map + send over one kept-open NSCA
# connection) against one send_nsca process reading the same results,
# already mapped, on stdin; both send to the same local nsca daemon (-f
# --single, XOR, 127.0.0.1, a regular file as command file, which cannot
# overflow). The alerts are written beforehand: BENCH_N (100,000) alerts to
# alerts.json, and as many to alerts.log. Follow runs once per format from
# an empty cursor (-from-start); the send_nsca input is made from the
# command-file lines follow produced, so both send exactly the same
# results. Reported per run: wall time of the process, results/s, its CPU
# time (user+sys from /usr/bin/time), then the ratios. Every run waits
# until the daemon wrote all its lines and checks the count. BENCH_N
# overrides the 100,000, BENCH_RUNS the 3 runs (medians are reported).
# Needs the Debian packages nsca, nsca-client and time.
set -euo pipefail
cd "$(dirname "$0")/../.."
. contrib/bench/nsca.sh
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
N=${BENCH_N:-100000}
RUNS=${BENCH_RUNS:-3}
[ -x "$BIN" ] || { echo "bench-follow: $BIN missing (make build)"; exit 1; }
for t in /usr/sbin/nsca /usr/sbin/send_nsca /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "bench-follow: $t missing"; exit 1; }
done
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$tmp"; }
trap cleanup EXIT
port=$(freeport)
cmdfile=$tmp/nagios.cmd
start_nsca "$tmp" "$port" bench-secret 1 1
pid=$NSCA_PID
wait_port "$port"

# A throw-away OSSEC root: the INI, the alerts, the cursor, spool and log.
root=$tmp/ossec
mkdir -p "$root/etc" "$root/logs/alerts"
cat > "$root/etc/ossec-nagios.ini" <<INI
[nsca]
server     = 127.0.0.1:$port
password   = bench-secret
encryption = xor
[states]
warning  = 7
critical = 12
send_ok  = yes
[flood]
window   = 0
[hosts]
default = {agent}
[service "OSSEC SSH"]
groups = sshd
[service "OSSEC"]
[follow]
batch_size = 100
INI
chmod 600 "$root/etc/ossec-nagios.ini"
awk -v n="$N" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "{\"timestamp\":\"2026-09-24T18:50:30.095+0000\",\"rule\":{\"level\":%d,\"description\":\"sshd: authentication failed.\",\"id\":\"5716\",\"groups\":[\"syslog\",\"sshd\",\"authentication_failed\"]},\"agent\":{\"id\":\"%03d\",\"name\":\"web%02d\"},\"manager\":{\"name\":\"manager\"},\"id\":\"1790000000.%d\",\"full_log\":\"Sep 24 18:50:30 web sshd[1]: Failed password for root from 192.0.2.%d port 22 ssh2 #%d\",\"location\":\"/var/log/secure\",\"data\":{\"srcip\":\"192.0.2.%d\",\"dstuser\":\"root\"}}\n", 3 + i % 10, i % 50, i % 50, i, i % 250, i, i % 250
}' > "$root/logs/alerts/alerts.json"
awk -v n="$N" 'BEGIN {
  off = 0
  for (i = 0; i < n; i++) {
    a = sprintf("** Alert 1790000000.%d: - syslog,sshd,authentication_failed,\n2026 Sep 24 18:50:30 (web%02d) 10.0.0.%d->/var/log/secure\nRule: 5716 (level %d) -> '"'"'sshd: authentication failed.'"'"'\nSrc IP: 192.0.2.%d\nUser: root\nSep 24 18:50:30 web sshd[1]: Failed password for root from 192.0.2.%d port 22 ssh2 #%d\n\n", off, i % 50, i % 250, 3 + i % 10, i % 250, i % 250, i)
    printf "%s", a
    off += length(a)
  }
}' > "$root/logs/alerts/alerts.log"
echo "alerts: $N in alerts.json ($(du -h "$root/logs/alerts/alerts.json" | cut -f1)), $N in alerts.log ($(du -h "$root/logs/alerts/alerts.log" | cut -f1))"

lines() { wc -l < "$cmdfile"; }
wait_lines() { # wait until the daemon wrote $1 lines in all
  for _ in $(seq 1200); do [ "$(lines)" -ge "$1" ] && return 0; sleep 0.05; done
  echo "bench-follow: daemon wrote $(lines) lines, want $1" >&2; return 1
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# row NAME RUNSFILE: one table row from the runs' "wall cpu" lines (medians)
row() {
  local name=$1 wall cpu
  wall=$(cut -d' ' -f1 "$2" | median)
  cpu=$(cut -d' ' -f2 "$2" | median)
  printf '  %-28s wall %7.3f s  %8.0f results/s   cpu %7.3f s  (%.1f us cpu/result)\n' "$name" "$wall" \
    "$(awk -v n="$N" -v w="$wall" 'BEGIN { print (w > 0 ? n / w : 0) }')" "$cpu" \
    "$(awk -v n="$N" -v c="$cpu" 'BEGIN { print c * 1e6 / n }')"
  echo "$wall $cpu"  >&3
}
# timed CMD...: runs it under /usr/bin/time, prints "wall user+sys"
timed() {
  { /usr/bin/time -f '%e %U %S' "$@" >/dev/null; } 2>&1 | tail -1 | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }'
}

for fmt in json log; do
  { cat "$root/etc/ossec-nagios.ini"; printf 'format     = %s\nstate_file = %s\n' "$fmt" "$root/var/follow-$fmt.cursor"; } > "$root/etc/$fmt.ini"
  chmod 600 "$root/etc/$fmt.ini"
done

echo "$N results each, same nsca daemon (XOR, regular command file), median of $RUNS runs:"
: > "$tmp/json.runs"; : > "$tmp/log.runs"; : > "$tmp/sn.runs"
for run in $(seq "$RUNS"); do
  for fmt in json log; do
    rm -f "$root/var/follow-$fmt.cursor"
    before=$(lines)
    OSSEC_NAGIOS_ROOT=$root timed "$BIN" follow -once -from-start -config "$root/etc/$fmt.ini" >> "$tmp/$fmt.runs"
    wait_lines $((before + N))
    if [ "$run" = 1 ] && [ "$fmt" = json ]; then
      start_json=$before
      # the results follow sent, as send_nsca input: host TAB service TAB code TAB output ETB
      tail -n +$((before + 1)) "$cmdfile" | grep -v ';OSSEC bridge;' | sed 's/^\[[0-9]*\] PROCESS_SERVICE_CHECK_RESULT;//' |
        awk -F';' -v OFS='\t' '{ h = $1; s = $2; c = $3; $1 = $2 = $3 = ""; o = substr($0, 4); gsub(/\t/, ";", o); printf "%s\t%s\t%s\t%s\027", h, s, c, o }' > "$tmp/mapped.txt"
      [ "$(tr '\027' '\n' < "$tmp/mapped.txt" | wc -l)" -eq "$N" ] || { echo "bench-follow: mapped input is not $N results"; exit 1; }
    fi
  done
  before=$(lines)
  timed /usr/sbin/send_nsca -H 127.0.0.1 -p "$port" -to 60 -c "$tmp/send_nsca.cfg" < "$tmp/mapped.txt" >> "$tmp/sn.runs"
  wait_lines $((before + N))
  if [ "$run" = 1 ]; then
    # send_nsca's results, as the daemon wrote them, are follow's
    diff <(tail -n "$N" "$cmdfile" | cut -d' ' -f2-) <(tail -n +$((start_json + 1)) "$cmdfile" | grep -v ';OSSEC bridge;' | head -n "$N" | cut -d' ' -f2-) >/dev/null ||
      echo "  (warning: send_nsca's command-file lines differ from follow's)"
  fi
done
echo "  per run (results/s and cpu s; send_nsca ran right after the two follows of its run):"
paste -d' ' "$tmp/json.runs" "$tmp/log.runs" "$tmp/sn.runs" | awk -v n="$N" '{
  printf "    run %d: json %6.0f/s cpu %6.3f   log %6.0f/s cpu %6.3f   send_nsca %6.0f/s cpu %6.3f   %s\n", NR,
    n / $1, $2, n / $3, $4, n / $5, $6, (n / $1 >= n / $5 && n / $3 >= n / $5 && $2 <= $6 && $4 <= $6 ? "follow not slower, no more cpu" : "FOLLOW SLOWER OR MORE CPU")
}'
{
  row "follow -once alerts.json" "$tmp/json.runs"
  row "follow -once alerts.log" "$tmp/log.runs"
  row "send_nsca (mapped, stdin)" "$tmp/sn.runs"
} 3> "$tmp/medians"
awk 'NR == 1 { fw = $1; fc = $2 } NR == 2 { lw = $1; lc = $2 } NR == 3 { sw = $1; sc = $2 } END {
  printf "  ratios send_nsca/follow: wall %.2fx (json), %.2fx (log); cpu %.2fx (json), %.2fx (log)\n", sw / fw, sw / lw, sc / fc, sc / lc
  print  "  (follow also reads, parses and maps every alert, and saves its cursor durably every 100)"
}' "$tmp/medians"
# (follow also sends its heartbeat, service "OSSEC bridge", once per run)
[ "$(grep -vc ';OSSEC bridge;' "$cmdfile")" -eq $((3 * RUNS * N)) ] || { echo "bench-follow: $(lines) command-file lines, want $((3 * RUNS * N)) results"; exit 1; }
