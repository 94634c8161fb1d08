#!/usr/bin/env bash
# make demo: what an operator wants to see, on this machine, in half a
# minute, with nothing installed or changed outside one temp dir.
#
#  1. Nagios: a copy of Debian's stock /etc/nagios4 (notifications on, as
#     shipped), paths moved into the temp dir, plus the objects
#     `ossec-nagios gen nagios -with-hosts` makes from contrib/demo's INI,
#     and one contact in the stock group `admins` whose pager is a file
#     (contrib/demo/base.cfg); fed by a real nsca daemon on 127.0.0.1.
#  2. A throw-away OSSEC tree; the active response run the way OSSEC's and
#     Wazuh's execd run it: legacy argv (alerts from testdata/demo/alerts.log)
#     and Wazuh's JSON on stdin with the check_keys handshake; then
#     `ossec-nagios flush` every 2 s, as cron would (it sends the heartbeat).
#  3. Nagios' service states and its SERVICE NOTIFICATION lines: who was
#     paged, for what.
#  4. A fault: the bridge's NSCA password is made wrong. What tells the
#     operator: the active response's log, `ossec-nagios check`, and the
#     bridge's heartbeat service going CRITICAL in Nagios and paging.
#
# Exit 1 when Nagios paged nobody. KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
for f in /usr/sbin/nsca /usr/sbin/nagios4 /usr/lib/nagios/plugins/check_dummy /etc/nagios4/nagios.cfg; do
	[ -e "$f" ] || { echo "demo: $f missing: run sh contrib/bootstrap.sh (or apt-get install nsca nagios4-core monitoring-plugins-basic)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "demo: $BIN missing: make build" >&2; exit 1; }

started=$(date +%s%N)
elapsed() { printf '%d.%d s' $((($(date +%s%N) - started) / 1000000000)) $((($(date +%s%N) - started) / 100000000 % 10)); }
section() { printf '\n== %s\n' "$*"; }
indent() { sed 's/^/   /'; }
# wrap: each line folded at 112 columns, continuations indented.
wrap() { while IFS= read -r l; do printf '%s\n' "$l" | fold -s -w 112 | sed -e 's/ $//' -e '1!s/^/    /'; done; }
# newlog FROM: active-responses.log from line FROM on, dates and repeats left out.
newlog() { tail -n +"$1" "$R/logs/active-responses.log" | sed -e 's/^... ... .. ..:..:.. [A-Z]* [0-9]* //' | awk '!seen[$0]++'; }
# wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds; fail after SECONDS.
wait_for() {
	local end=$(($(date +%s) + $1))
	shift
	until "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# A short path: nagios4 dies when its query socket's path exceeds 108 bytes.
DIR=$(mktemp -d /tmp/ond.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# The active response may leave a detached flusher retrying the spool
	# (pid in the spool's flusher.lock): end it, if it is this demo's.
	local lock=$DIR/ossec/var/ossec-nagios/spool/flusher.lock pid
	pid=$(cat "$lock" 2>/dev/null || true)
	if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-config $DIR/"; then
		kill -TERM "$pid" 2>/dev/null || true
	fi
	if [ "${KEEP:-0}" = 1 ]; then echo "demo: files kept in $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT

PASSWORD=demo-secret-$RANDOM$RANDOM
HB_HOST=ossec-manager # [heartbeat] of contrib/demo/ossec-nagios.ini
HB_SERVICE="OSSEC bridge"

# 1. A throw-away OSSEC tree: the binary where execd runs it, the bundled
#    alerts.log, the INI with the port and password of the nsca below.
R=$DIR/ossec
mkdir -p "$R/etc" "$R/logs/alerts" "$R/active-response/bin" "$R/integrations" "$R/var"
install -m 0750 "$BIN" "$R/active-response/bin/ossec-nagios"
ln -s ../active-response/bin/ossec-nagios "$R/integrations/custom-nagios"
AR=$R/active-response/bin/ossec-nagios
INI=$R/etc/ossec-nagios.ini
cp testdata/demo/alerts.log "$R/logs/alerts/alerts.log"
printf 'web01\ndb01\n' >"$DIR/agents"

# 2. Nagios: Debian's /etc/nagios4 as shipped, copied; in nagios.cfg only
#    the paths (into the copy), the user, syslog and the update check are
#    changed, and, for the demo's speed, how often status.dat is written and
#    freshness is checked (stock: 10 s, and every 60 s plus 15 s).
N=$DIR/nagios
mkdir -p "$N"
cp -RL /etc/nagios4/nagios.cfg /etc/nagios4/objects /etc/nagios4/conf.d "$N/"
# resource.cfg is root:nagios 0640 (it may hold passwords): as another
# user, the stock file's one setting instead.
cp /etc/nagios4/resource.cfg "$N/" 2>/dev/null || printf '$USER1$=/usr/lib/nagios/plugins\n' >"$N/resource.cfg"
mkdir -p "$N/var/checkresults" "$N/var/archives"
cp contrib/demo/base.cfg "$N/conf.d/demo-oncall.cfg"
awk -v n="$N" -v user="$(id -un)" -v group="$(id -gn)" '
BEGIN {
	set["log_file"] = n "/var/nagios.log"; set["object_cache_file"] = n "/var/objects.cache"
	set["precached_object_file"] = n "/var/objects.precache"; set["status_file"] = n "/var/status.dat"
	set["state_retention_file"] = n "/var/retention.dat"; set["command_file"] = n "/var/nagios.cmd"
	set["lock_file"] = n "/var/nagios.lock"; set["temp_file"] = n "/var/nagios.tmp"
	set["temp_path"] = n "/var"; set["check_result_path"] = n "/var/checkresults"
	set["log_archive_path"] = n "/var/archives"; set["debug_file"] = n "/var/nagios.debug"
	set["query_socket"] = n "/var/nagios.qh"
	set["nagios_user"] = user; set["nagios_group"] = group
	set["use_syslog"] = "0"; set["check_for_updates"] = "0"; set["retain_state_information"] = "0"
	set["status_update_interval"] = "1"; set["service_freshness_check_interval"] = "1"
	set["additional_freshness_latency"] = "0"
}
/^[a-z_]+=/ {
	k = substr($0, 1, index($0, "=") - 1)
	if (k in set) { print k "=" set[k]; done[k] = 1; next }
	gsub("/etc/nagios4", n)
}
{ print }
END { for (k in set) if (!(k in done)) print k "=" set[k] }
' /etc/nagios4/nagios.cfg >"$N/nagios.cfg"

section "1. Nagios: Debian's stock /etc/nagios4, $(grep '^enable_notifications=' "$N/nagios.cfg"), plus the generated objects"
sed -e "s/= demo-secret/= $PASSWORD/" contrib/demo/ossec-nagios.ini >"$INI.tmp"
chmod 0600 "$INI.tmp"
# The nsca port is not known yet: step 3 writes it.
"$BIN" gen nagios -config "$INI.tmp" -hosts "$DIR/agents" -manager - -with-hosts >"$N/conf.d/ossec.cfg" 2>"$DIR/gen.err" ||
	{ cat "$DIR/gen.err" >&2; exit 1; }
indent <"$DIR/gen.err"
# count TYPE: the objects of TYPE (templates not counted) in the generated file.
count() { awk -v t="$1" '$0 ~ "^define " t " \\{" {o=1; r=0} o && $1 == "register" && $2 == "0" {r=1} o && /^}/ {o=0; if (!r) n++} END {print n+0}' "$N/conf.d/ossec.cfg"; }
echo "   ossec-nagios gen nagios -with-hosts > conf.d/ossec.cfg: $(count host) hosts, $(count service) services, contact groups: $(awk '$1 == "contact_groups" {print $2}' "$N/conf.d/ossec.cfg" | sort -u | paste -sd, -)"
echo "   conf.d/demo-oncall.cfg: contact oncall in the stock group admins, paged into pages.log"
/usr/sbin/nagios4 -v "$N/nagios.cfg" >"$DIR/verify.out" 2>&1 || { cat "$DIR/verify.out" >&2; exit 1; }
echo "   nagios4 -v: $(grep -E '^Total (Warnings|Errors)' "$DIR/verify.out" | tr -s ' ' | paste -sd, -)"
grep -E '^(Warning|Error)' "$DIR/verify.out" | indent || true
HAS_HB=0
grep -q "service_description[[:space:]]*$HB_SERVICE\$" "$N/conf.d/ossec.cfg" && HAS_HB=1

/usr/sbin/nagios4 "$N/nagios.cfg" >"$DIR/nagios.out" 2>&1 &
PIDS+=($!)
cmd_ready() { [ -p "$N/var/nagios.cmd" ] && timeout 1 sh -c ': > "$1"' sh "$N/var/nagios.cmd" 2>/dev/null; }
wait_for 10 cmd_ready || { echo "demo: nagios4 did not start:" >&2; cat "$DIR/nagios.out" >&2; exit 1; }

# 3. nsca writing into Nagios' command FIFO. nsca exits 2, silently, when
#    the port is taken: try another.
for try in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 20000))
	cat >"$DIR/nsca.cfg" <<CFG
server_address=127.0.0.1
server_port=$PORT
command_file=$N/var/nagios.cmd
alternate_dump_file=$DIR/nsca.dump
append_to_file=0
aggregate_writes=0
max_packet_age=30
password=$PASSWORD
decryption_method=1
CFG
	/usr/sbin/nsca -f -c "$DIR/nsca.cfg" --single &
	NSCA_PID=$!
	port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
	nsca_up() { kill -0 "$NSCA_PID" 2>/dev/null && port_open; }
	if wait_for 5 nsca_up; then PIDS+=("$NSCA_PID"); break; fi
	kill "$NSCA_PID" 2>/dev/null || true
	[ "$try" -lt 5 ] || { echo "demo: nsca does not start" >&2; exit 1; }
done
sed -e "s/127.0.0.1:5667/127.0.0.1:$PORT/" "$INI.tmp" >"$INI"
chmod 0600 "$INI"
rm -f "$INI.tmp"
echo "   nagios4 and nsca (127.0.0.1:$PORT) running"

# 4. The active response, as execd runs it.
section "2. Alerts through the active response"
legacy() {
	local rc=0
	"$AR" "$@" </dev/null >"$DIR/ar.out" 2>&1 || rc=$?
	echo "   legacy argv: ossec-nagios $* -> exit $rc"
}
legacy add root 203.0.113.50 1795000000.0 5712 '(web01)' '10.0.0.11->/var/log/secure'
legacy add - - 1795000003.423 550 '(db01)' '10.0.0.12->syscheck'
legacy add deploy 192.0.2.10 1795000010.758 5715 '(web01)' '10.0.0.11->/var/log/secure'
legacy add - 198.51.100.7 1795000020.1062 31106 '(web01)' '10.0.0.11->/var/log/nginx/access.log'
# Wazuh >= 4.2: one JSON line on stdin; the program may answer with a
# check_keys line on stdout, and execd then sends "continue" or "abort".
rc=0
{
	cat testdata/demo/wazuh-ar.json
	printf '{"version":1,"origin":{"name":"","module":"wazuh-execd"},"command":"continue","parameters":{}}\n'
} | "$AR" >"$DIR/ar.out" 2>"$DIR/ar.err" || rc=$?
handshake=$(grep -o '"command":"check_keys"' "$DIR/ar.out" >/dev/null && echo "asked check_keys, execd answered continue" || echo "no check_keys")
echo "   Wazuh JSON on stdin: rule 5763 (level 10) on db01, $handshake -> exit $rc"
# What cron runs every minute: delivers what is spooled, then sends the
# bridge's heartbeat. From now on, as cron would, every 2 s.
rc=0
"$AR" flush >"$DIR/flush.out" 2>&1 || rc=$?
echo "   ossec-nagios flush (cron) -> exit $rc; from now on every 2 s, in the background, as cron would"
cron() { while :; do "$AR" flush >>"$DIR/cron.out" 2>&1 || true; sleep 2; done; }
cron &
PIDS+=($!)
echo "   logs/active-responses.log:"
newlog 1 | cut -c1-150 | indent | indent

# 5. What Nagios shows. Wait on state: every result that is news pages.
section "3. Nagios: service states and who was paged"
NLOG=$N/var/nagios.log
pages() { grep -c "SERVICE NOTIFICATION: oncall;" "$NLOG" 2>/dev/null || true; }
paged_enough() { [ "$(pages)" -ge 4 ]; }
status_fresh() { # status.dat written after the last notification
	[ -f "$N/var/status.dat" ] && [ "$N/var/status.dat" -nt "$NLOG" ]
}
wait_for 15 paged_enough || echo "   (after 15 s: $(pages) pages to oncall, expected 4)"
wait_for 5 status_fresh || true
print_states() {
	awk -F= -v hbh="$HB_HOST" '
	/^servicestatus \{/ {s=1; h=""; d=""; st=""; o=""; checked=0; next}
	s && $1 ~ /host_name$/ {h=$2}
	s && $1 ~ /service_description$/ {d=$2}
	s && $1 ~ /current_state$/ {st=$2}
	s && $1 ~ /has_been_checked$/ {checked=$2}
	s && $1 ~ /plugin_output$/ && $1 !~ /long/ {o=substr($0, index($0,"=")+1)}
	s && /^\t?\}/ {
		s=0
		if (h == "localhost") next  # the stock config'"'"'s own checks
		split("OK WARNING CRITICAL UNKNOWN", n, " ")
		printf "   %-14s %-16s %-9s %s\n", h, d, checked ? n[st+1] : "PENDING", substr(o,1,100)
	}' "$N/var/status.dat"
}
echo "   Service states (status.dat; the stock localhost checks left out):"
print_states | indent
echo "   SERVICE NOTIFICATION lines for oncall (nagios.log):"
grep 'SERVICE NOTIFICATION: oncall;' "$NLOG" | sed 's/^\[[0-9]*\] //' | cut -c1-150 | indent | indent
echo "   notifications per contact: $(grep -o 'SERVICE NOTIFICATION: [^;]*' "$NLOG" | cut -d' ' -f3 | sort | uniq -c | awk '{printf "%s%s %d", (NR > 1 ? ", " : ""), $2, $1}') (nagiosadmin: stock, by mail); lines in oncall's pager file: $(wc -l <"$N/var/pages.log" 2>/dev/null || echo 0)"
if [ "$(pages)" -eq 0 ]; then
	echo "demo: Nagios paged nobody" >&2
	exit 1
fi

# 6. The fault: the bridge's password no longer matches nsca's.
section "4. A fault: the bridge's NSCA password is wrong (ossec-nagios.ini changed, nsca.cfg not)"
fault_at=$(wc -l <"$NLOG")
hb_state() { print_states | awk -v h="$HB_HOST" -v s="$HB_SERVICE" '$1 == h && index($0, s) {print $(2 + split(s, x, " "))}'; }
hb_ok() { [ "$(hb_state)" = OK ]; }
if [ "$HAS_HB" = 1 ] && ! wait_for 3 hb_ok; then
	echo "   !! the heartbeat service is $(hb_state) before the fault: this build's flush sent no heartbeat"
fi
sed -i "s/^password *= *$PASSWORD\$/password   = wrong-$PASSWORD/" "$INI"
grep -q "^password   = wrong-" "$INI" || { echo "demo: could not change the password" >&2; exit 1; }
before=$(wc -l <"$R/logs/active-responses.log")
legacy add postgres - 1795000030.1500 2502 '(db01)' '10.0.0.12->/var/log/auth.log'
cron_ran() { newlog "$((before + 1))" | grep -q 'mode=flush'; }
wait_for 10 cron_ran || true
arrived() { grep -q 'PROCESS_SERVICE_CHECK_RESULT;db01;OSSEC;' "$NLOG"; }
if wait_for 3 arrived; then
	echo "   Nagios received the db01/OSSEC result"
else
	echo "   Nagios never received the db01/OSSEC result: nsca dropped it (wrong password)"
fi
echo "   logs/active-responses.log (new lines, repeats left out):"
newlog "$((before + 1))" | wrap | indent | indent
rc=0
verdict=$("$AR" check 2>&1) || rc=$?
echo "   ossec-nagios check (the bridge's own Nagios plugin) -> exit $rc:"
echo "$verdict" | grep -v '^ *\(spool\|follow status\): /' | wrap | indent | indent
[ "$rc" != 0 ] || echo "   !! check says OK although the result is lost: this build cannot see the loss"
if [ "$HAS_HB" = 1 ]; then
	hb_critical() { tail -n +"$((fault_at + 1))" "$NLOG" | grep -q "SERVICE NOTIFICATION: oncall;$HB_HOST;$HB_SERVICE;CRITICAL"; }
	if wait_for 40 hb_critical; then
		wait_for 3 status_fresh || true
		echo "   Nagios, once no heartbeat arrived for [heartbeat] stale_after (10 s here):"
		print_states | grep -F "$HB_SERVICE" | cut -c1-120 | indent
		tail -n +"$((fault_at + 1))" "$NLOG" | grep "SERVICE NOTIFICATION: oncall;$HB_HOST;$HB_SERVICE;" | sed 's/^\[[0-9]*\] //' | wrap | indent | indent
	else
		echo "   the heartbeat service $HB_HOST/$HB_SERVICE did not page within 40 s"
	fi
else
	echo "   (this build generates no heartbeat service: Nagios cannot tell)"
fi

section "done in $(elapsed) (KEEP=1 keeps $DIR)"
