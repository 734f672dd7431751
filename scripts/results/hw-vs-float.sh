#!/usr/bin/env bash
# Quantized-in-the-loop training cost: one epoch of `lrsim train --hw MODEL` against the float trainer on the same
# settings (mlp:784-256-10, Fashion-MNIST, B=128, K=32, sigma 0.1), run as alternating pairs so both see the same
# machine. Prints each side's epoch wall time and CPU time (training only) and the ratio.
#   scripts/results/hw-vs-float.sh [PAIRS=3] [ESTIMATOR=alr] [MODEL=hwmodels/edge.toml] [TRAIN_SAMPLES=60000] [LRSIM=path]
set -euo pipefail
cd "$(dirname "$0")/../.."
pairs=${1:-3}
estimator=${2:-alr}
model=${3:-hwmodels/edge.toml}
samples=${4:-60000}
lrsim=${5:-}
if [ -z "$lrsim" ]; then swift build -c release --product lrsim >/dev/null; lrsim=.build/release/lrsim; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--estimator "$estimator" --copies 32 --sigma 0.1 --epochs 1 --batch 128 --seed 1 --train-samples "$samples" --test-samples 1000)
echo "| pair | float epoch (s) | --hw epoch (s) | ratio (wall) | float CPU (s) | --hw CPU (s) |"
echo "|---|---|---|---|---|---|"
for i in $(seq "$pairs"); do
  "$lrsim" train "${common[@]}" --report "$tmp/f.json" >/dev/null 2>&1
  "$lrsim" train "${common[@]}" --hw "$model" --report "$tmp/h.json" >/dev/null 2>&1
  python3 - "$tmp/f.json" "$tmp/h.json" "$i" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["epochs"][0]; h = json.load(open(sys.argv[2]))["epochs"][0]
print(f'| {sys.argv[3]} | {f["seconds"]:.3f} | {h["seconds"]:.3f} | {h["seconds"] / f["seconds"]:.2f}x | {f["cpu_seconds"]:.2f} | {h["cpu_seconds"]:.2f} |')
PY
done
