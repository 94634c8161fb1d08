#!/usr/bin/env bash
# The bulk part of bench-send.sh with 3DES (method 3): 2,000 results, 5
# alternating runs. nsca decrypts 8-bit CFB, one 3DES block per byte of
# each packet, so with one 4304-byte packet per result on one connection
# the daemon's decryption is the ceiling for any client; ossec-nagios
# sends one result per connection in the 720-byte packet instead, once
# the first was confirmed ([nsca] short_packets, README "Delivery").
set -euo pipefail
cd "$(dirname "$0")"
BENCH_METHOD=${BENCH_METHOD:-3} BENCH_N=${BENCH_N:-2000} BENCH_RUNS=${BENCH_RUNS:-5} BENCH_ONE=no exec bash ./bench-send.sh
