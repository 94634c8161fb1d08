#!/usr/bin/env bash
# Process start, side by side: `ossec-nagios -version` against /bin/true and
# three static Go programs built here with the same flags as `make build`
# (CGO_ENABLED=0, -trimpath, -ldflags '-s -w'):
#   empty     func main() {}: the floor of any Go process
#   tls       a main that links crypto/tls (the Icinga 2 client's TLS)
#   nethttp   a main that links net/http (the Icinga 2 client)
# hyperfine -N (no shell), 300 runs after 10 warm-ups; median wall time,
# mean user+system CPU, and the ratio to the empty Go program.
#
# Needs: make build; apt-get install hyperfine jq.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${OSSEC_NAGIOS_BIN:-$PWD/bin/ossec-nagios}
[ -x "$BIN" ] || { echo "bench-start: $BIN missing (make build)"; exit 1; }
for t in hyperfine jq go; do
  command -v "$t" >/dev/null || { echo "bench-start: $t missing"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() { # name, then the program's source
  mkdir -p "$tmp/$1"
  printf '%s\n' "$2" > "$tmp/$1/main.go"
  printf 'module %s\n\ngo 1.26\n' "$1" > "$tmp/$1/go.mod"
  (cd "$tmp/$1" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags '-s -w' -o "$tmp/$1.bin" .)
}
build empty 'package main

func main() {}'
build tls 'package main

import (
	"crypto/tls"
	"os"
)

func main() {
	if len(os.Args) > 5 {
		_, _ = tls.Dial("tcp", os.Args[1], &tls.Config{})
	}
}'
build nethttp 'package main

import (
	"net/http"
	"os"
)

func main() {
	if len(os.Args) > 5 {
		_, _ = http.Get(os.Args[1])
	}
}'

hyperfine -N --style none --warmup 10 --runs "${BENCH_RUNS:-300}" --export-json "$tmp/h.json" \
  -n true /bin/true -n empty "$tmp/empty.bin" -n tls "$tmp/tls.bin" -n nethttp "$tmp/nethttp.bin" \
  -n ossec-nagios "$BIN -version" >/dev/null
empty=$(jq -r '.results[] | select(.command == "empty") | .median' "$tmp/h.json")
printf '%-13s %10s %10s %12s %9s\n' program size median_ms cpu_ms /empty
for n in true empty tls nethttp ossec-nagios; do
  case $n in true) f=/bin/true ;; ossec-nagios) f=$BIN ;; *) f=$tmp/$n.bin ;; esac
  jq -r --arg n "$n" --arg e "$empty" --arg size "$(($(stat -c %s "$f") / 1024)) KiB" \
    '.results[] | select(.command == $n) | [$n, $size, (.median * 1000 * 100 | round / 100), ((.user + .system) * 1000 * 100 | round / 100), ((.median / ($e | tonumber)) * 100 | round / 100)] | @tsv' "$tmp/h.json"
done | awk -F'\t' '{printf "%-13s %10s %10.2f %12.2f %8.2fx\n", $1, $2, $3, $4, $5}'
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg))"
