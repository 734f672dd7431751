#!/usr/bin/env bash
# Two builds of lrsim side by side: one training epoch (mlp:784-256-10, Fashion-MNIST, B=128, K=32, sigma 0.1,
# --seed 1) with each, alternating, printing both epochs' wall and CPU seconds and the speedup per pair. Build the
# baseline from a `git worktree add --detach DIR COMMIT` outside the repository.
#   scripts/results/epoch-ab.sh BASE_LRSIM NEW_LRSIM [ESTIMATOR=alr] [PAIRS=3] [THREADS=2] [extra train options...]
set -euo pipefail
base=$1; new=$2; estimator=${3:-alr}; pairs=${4:-3}; threads=${5:-2}
shift $(( $# < 5 ? $# : 5 ))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| pair | base epoch (s) | new epoch (s) | speedup | base CPU (s) | new CPU (s) |"
echo "|---|---|---|---|---|---|"
for i in $(seq "$pairs"); do
  for side in base new; do
    bin=$base; [ "$side" = new ] && bin=$new
    LRSIM_THREADS=$threads "$bin" train --estimator "$estimator" --copies 32 --sigma 0.1 --epochs 1 --seed 1 \
      --test-samples 1000 --report "$tmp/$side.json" "$@" >/dev/null 2>&1
  done
  python3 - "$tmp/base.json" "$tmp/new.json" "$i" <<'PY'
import json, sys
b = json.load(open(sys.argv[1]))["epochs"][0]; n = json.load(open(sys.argv[2]))["epochs"][0]
print(f'| {sys.argv[3]} | {b["seconds"]:.3f} | {n["seconds"]:.3f} | {b["seconds"] / n["seconds"]:.2f}x | {b["cpu_seconds"]:.2f} | {n["cpu_seconds"]:.2f} |')
PY
done
