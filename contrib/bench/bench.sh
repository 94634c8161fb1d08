#!/usr/bin/env bash
# make bench: runs every side-by-side comparison in contrib/bench/bench-*.sh
# in name order, each printing its own table. Needs the binary in bin/ (make
# build) and the Debian packages nsca, nsca-client, hyperfine, jq, time and
# python3 (checked first, all named in one line).
# bench-ar.sh: one active response vs the seed shell recipe (seed-ar.sh) and bare send_nsca.
# bench-ar-budget.sh: active-response wall time p50/p99 with nsca up and blackholed, vs bare send_nsca.
# bench-send-3des.sh: 2,000 results with 3DES, 5 alternating runs, vs send_nsca.
# bench-start.sh: process start of -version vs /bin/true and empty, crypto/tls-only and net/http-only Go programs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OSSEC_NAGIOS_BIN="$PWD/bin/ossec-nagios"
missing=()
for t in /usr/sbin/nsca /usr/sbin/send_nsca hyperfine jq /usr/bin/time python3; do
  command -v "$t" >/dev/null || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing ${missing[*]}: apt-get install nsca nsca-client hyperfine jq time python3" >&2
  exit 1
fi
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(go version | cut -d' ' -f3)"
failed=()
for s in contrib/bench/bench-*.sh; do
  [ -e "$s" ] || continue
  echo
  echo "=== $s"
  # One failing comparison (a peer timing out on a loaded machine) does not
  # hide the others; make bench still fails at the end.
  bash "$s" || { echo "bench: $s failed (exit $?)"; failed+=("$s"); }
done
if [ ${#failed[@]} -gt 0 ]; then
  echo
  echo "bench: failed: ${failed[*]}"
  exit 1
fi
