#!/usr/bin/env bash
# docs/results.md section 8: accuracy vs datapath precision at full scale (issue 16).
#
# mlp:784-256-10 on hwmodels/edge.toml, LR and ALR (K 32, sigma 0.1, batch 128, Adam 1e-3, seed 0): activation bits
# {4,6,8,12,16} x accumulator bits {16,20,24,32} x rounding of every stored value {TRN, RND_CONV, STOCHASTIC}
# (`formats.stored.rounding`: weights, activations, inputs, noise, loss, gradients, updates; products keep the model's
# RND_CONV and accumulators its exact sums). Every point trains quantized-in-the-loop for 3 epochs on all 60,000
# images, tests on all 10,000 and is simulated (timing, memory, energy); the float runs are the reference. Two shards
# of one trainer thread each on the two cores (two-thread trainers in each shard would oversubscribe them), merged;
# rerunning resumes.
#
#   scripts/results/precision-study.sh [OUT=results-precision] [ACCUMULATOR_BITS=16,20,24,32]
# LRSIM=path runs that binary instead of building this checkout's.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results-precision}
accs=${2:-16,20,24,32}
mkdir -p "$out"
lrsim=${LRSIM:-}
if [ -z "$lrsim" ]; then swift build -c release --product lrsim >/dev/null; lrsim=$PWD/.build/release/lrsim; fi
C=(--data fashion-mnist --model mlp:784-256-10 --copies 32 --sigma 0.1 --batch 128 --lr 1e-3 --seed 0)

start=$(date +%s)
if [ ! -f "$out/sweep/sweep.json" ]; then
  args=(--hw hwmodels/edge.toml "${C[@]}" --vary formats.activations.bits=4,6,8,12,16
        --vary formats.accumulators.bits="$accs" --vary formats.stored.rounding=TRN,RND_CONV,STOCHASTIC
        --vary workload.estimator=lr,alr --train --epochs 3 --iterations 8 --quiet)
  LRSIM_THREADS=1 "$lrsim" sweep "${args[@]}" --shard 0/2 --out "$out/shard0" &
  LRSIM_THREADS=1 "$lrsim" sweep "${args[@]}" --shard 1/2 --out "$out/shard1"
  wait
  "$lrsim" sweep merge "$out/shard0" "$out/shard1" --out "$out/sweep" >/dev/null
fi
echo "sweep: $(( $(date +%s) - start )) s wall" >&2
for e in lr alr; do   # the float reference, same settings
  [ -f "$out/float-$e.json" ] || "$lrsim" train "${C[@]}" --estimator "$e" --epochs 3 --report "$out/float-$e.json" --quiet
done
"$lrsim" report "$out/sweep" >/dev/null
python3 scripts/results/precision-summary.py "$out"
