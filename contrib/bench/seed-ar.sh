#!/bin/sh
# BASELINE, NOT FOR USE: the classic OSSEC-to-Nagios active response that
# ossec-nagios replaces, rewritten here (our own code) from the idea of the
# 2007 tutorial, for contrib/bench/bench-ar.sh to time against. It greps the
# whole alerts.log for the alert's epoch second, keeps the block whose header
# has the alert id, cuts the rule level and description out with sed/awk and
# pipes one line to send_nsca. Its known faults are the reasons for the
# rewrite: a full scan of alerts.log per alert, three or more processes per
# alert, no spool when Nagios is down, alert text passed on unsanitised.
#
# Installed as <OSSEC>/active-response/bin/seed-ar.sh; execd runs it as
#   seed-ar.sh add|delete USER SRCIP ALERTID RULEID LOCATION...
# bench-ar.sh rewrites the three settings below when it installs it.
NSCA_HOST=127.0.0.1
NSCA_PORT=5667
SEND_NSCA_CFG=/etc/send_nsca.cfg

ACTION=$1
SRCIP=$3
ALERTID=$4
RULEID=$5
[ "$ACTION" = add ] || exit 0

OSSEC=$(cd "$(dirname "$0")/../.." && pwd)
ALERTS=$OSSEC/logs/alerts/alerts.log
ALERTTIME=${ALERTID%%.*}
ALERTLAST=${ALERTID#*.}

# The tutorial's pipeline: every line of the second, ten lines of context,
# then the block that starts with this alert's header.
BLOCK=$(grep -A 10 "$ALERTTIME" "$ALERTS" | grep -A 10 "Alert $ALERTTIME.$ALERTLAST:" | awk 'NR > 1 && /^\*\* Alert /{exit} {print}')

HOST=$(printf '%s\n' "$BLOCK" | sed -n '2s/^[0-9]* [A-Z][a-z]* [0-9]* [0-9:]* (\([^)]*\)).*/\1/p')
[ -n "$HOST" ] || HOST=$(printf '%s\n' "$BLOCK" | sed -n '2s/^[0-9]* [A-Z][a-z]* [0-9]* [0-9:]* \([^-]*\)->.*/\1/p')
LEVEL=$(printf '%s\n' "$BLOCK" | sed -n 's/^Rule: [0-9]* (level \([0-9]*\)).*/\1/p')
DESC=$(printf '%s\n' "$BLOCK" | sed -n "s/^Rule: [0-9]* (level [0-9]*) -> '\(.*\)'.*/\1/p")

CODE=0
[ "${LEVEL:-0}" -ge 7 ] && CODE=1
[ "${LEVEL:-0}" -ge 12 ] && CODE=2

printf '%s\tOSSEC\t%s\tOSSEC rule %s (level %s): %s src=%s\n' "$HOST" "$CODE" "$RULEID" "$LEVEL" "$DESC" "$SRCIP" |
  /usr/sbin/send_nsca -H "$NSCA_HOST" -p "$NSCA_PORT" -c "$SEND_NSCA_CFG" >/dev/null
