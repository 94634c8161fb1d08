#!/usr/bin/env bash
# The bulk part of bench-send.sh with the slowest cipher of the daemon's
# extra methods, CAST-256 (method 5; 3DES, method 3, is about as slow):
# 8-bit CFB runs the block cipher once per byte of a 4 kB packet on both
# sides, so the daemon's own decryption is the ceiling here.
set -euo pipefail
cd "$(dirname "$0")"
BENCH_METHOD=${BENCH_METHOD:-5} BENCH_RUNS=${BENCH_RUNS:-1} BENCH_ONE=no exec bash ./bench-send.sh
