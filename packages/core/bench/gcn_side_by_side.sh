#!/bin/sh
# Ours (bench/gcnEpoch.ts, wasm) and PyTorch 1.13 (bench/gcn_pytorch.py, sparse X, 1 thread),
# alternately ROUNDS times (default 3), with the machine load before each run.
# Usage (from packages/core): sh bench/gcn_side_by_side.sh [ROUNDS]
set -e
cd "$(dirname "$0")/.."
PY=${PYTHON:-/usr/bin/python3}
for r in $(seq 1 "${1:-3}"); do
  echo "## round $r: $(uptime | sed 's/.*load/load/')"
  npx tsx bench/run.ts --gcn | grep '^| @lab'
  echo "## $(uptime | sed 's/.*load/load/')"
  "$PY" bench/gcn_pytorch.py --features sparse 2>/dev/null | grep '^| PyTorch'
done
