#!/usr/bin/env bash
# make demo: a throw-away OSSEC root, a real nagios4 fed by a real nsca
# daemon on 127.0.0.1, the Nagios objects generated from the demo INI, and
# the active response run for each bundled sample alert. Prints the Nagios
# service states at the end. Everything lives in one temp dir, removed on exit
# (KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
for b in /usr/sbin/nsca /usr/sbin/nagios4; do
  [ -x "$b" ] || { echo "demo: $b missing: apt-get install -y nsca nsca-client nagios4-core monitoring-plugins-basic" >&2; exit 1; }
done

DIR=$(mktemp -d /tmp/ond.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" = 1 ]; then echo "demo: files kept in $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

PORT=$(( 20000 + RANDOM % 20000 ))
PASSWORD=demo-secret

# 1. A throw-away OSSEC tree with the bundled alerts.log.
R=$DIR/ossec
mkdir -p "$R/etc" "$R/logs/alerts" "$R/active-response/bin" "$R/integrations" "$R/var"
install -m 0750 "$BIN" "$R/active-response/bin/ossec-nagios"
ln -s ../active-response/bin/ossec-nagios "$R/integrations/custom-nagios"
cp testdata/demo/alerts.log "$R/logs/alerts/alerts.log"
sed -e "s/127.0.0.1:5667/127.0.0.1:$PORT/" -e "s/= demo-secret/= $PASSWORD/" contrib/demo/ossec-nagios.ini > "$R/etc/ossec-nagios.ini"
chmod 0600 "$R/etc/ossec-nagios.ini"
printf 'web01\ndb01\n' > "$DIR/agents"

# 2. Nagios objects from the same INI, checked by nagios4 -v.
N=$DIR/nagios
mkdir -p "$N/checkresults"
cp contrib/demo/base.cfg "$N/base.cfg"
"$BIN" gen nagios -config "$R/etc/ossec-nagios.ini" -hosts "$DIR/agents" -with-hosts > "$N/objects.cfg"
cat > "$N/nagios.cfg" <<CFG
cfg_file=base.cfg
cfg_file=objects.cfg
log_file=nagios.log
object_cache_file=objects.cache
precached_object_file=objects.precache
status_file=status.dat
status_update_interval=1
retain_state_information=0
check_external_commands=1
command_file=nagios.cmd
query_socket=nagios.qh
lock_file=nagios.lock
temp_file=nagios.tmp
temp_path=.
check_result_path=checkresults
log_archive_path=.
log_rotation_method=n
nagios_user=root
nagios_group=root
use_syslog=0
check_for_updates=0
check_workers=1
accept_passive_service_checks=1
accept_passive_host_checks=1
enable_notifications=0
illegal_object_name_chars=\`~!\$%^&*|'"<>?,()=
illegal_macro_output_chars=\`~\$&|'"<>
CFG
/usr/sbin/nagios4 -v "$N/nagios.cfg" > "$DIR/verify.out" || { cat "$DIR/verify.out"; exit 1; }
echo "demo: nagios4 -v: $(grep -E 'Total (Warnings|Errors)' "$DIR/verify.out" | tr -s ' ' | paste -sd, -)"

# 3. nagios4, then nsca writing into its command FIFO.
/usr/sbin/nagios4 "$N/nagios.cfg" > "$DIR/nagios.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do
  [ -p "$N/nagios.cmd" ] && timeout 1 sh -c ': > "$1"' sh "$N/nagios.cmd" 2>/dev/null && break
  sleep 0.05
done
cat > "$DIR/nsca.cfg" <<CFG
server_address=127.0.0.1
server_port=$PORT
command_file=$N/nagios.cmd
alternate_dump_file=$DIR/nsca.dump
append_to_file=0
aggregate_writes=0
password=$PASSWORD
decryption_method=1
CFG
/usr/sbin/nsca -f -c "$DIR/nsca.cfg" --single &
PIDS+=($!)
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done

# 4. What OSSEC's execd would run for each alert (legacy argv: add user srcip id rule location...).
AR=$R/active-response/bin/ossec-nagios
run() { echo "demo: $*"; "$AR" "$@" </dev/null; }
run add root 203.0.113.50 1795000000.0 5712 '(web01)' '10.0.0.11->/var/log/secure'
run add - - 1795000003.423 550 '(db01)' '10.0.0.12->syscheck'
run add deploy 192.0.2.10 1795000010.758 5715 '(web01)' '10.0.0.11->/var/log/secure'
run add - 198.51.100.7 1795000020.1062 31106 '(web01)' '10.0.0.11->/var/log/nginx/access.log'

# 5. Wait for Nagios to show the results, then print them. Three services
# get one: the level-3 "authentication success" is not sent (it would set
# web01's "OSSEC SSH" back to OK and hide the brute force; the log says so).
want=3
for _ in $(seq 100); do
  got=$(awk '/^servicestatus \{/{s=1} s&&/last_check=[1-9]/{n++} /^\t?\}/{s=0} END{print n+0}' "$N/status.dat" 2>/dev/null || echo 0)
  [ "$got" -ge "$want" ] && break
  sleep 0.2
done
echo
echo "Nagios service states (from status.dat):"
awk -F= '
  /^servicestatus \{/ {s=1; h=""; d=""; st=""; o=""; next}
  s && $1 ~ /host_name$/ {h=$2}
  s && $1 ~ /service_description$/ {d=$2}
  s && $1 ~ /current_state$/ {st=$2}
  s && $1 ~ /plugin_output$/ && $1 !~ /long/ {o=substr($0, index($0,"=")+1)}
  s && /^\t?\}/ {split("OK WARNING CRITICAL UNKNOWN", n, " "); printf "  %-8s %-18s %-9s %s\n", h, d, n[st+1], substr(o,1,110); s=0}
' "$N/status.dat"
echo
echo "active-responses.log:"
sed 's/^/  /' "$R/logs/active-responses.log"
