#!/usr/bin/env bash
# Instruction counts of two lrsim builds on the same work, one thread, under callgrind: independent of the machine's
# load, so it tells a real change in the cost of a training step or a simulated iteration from noise. Each workload
# runs at two sizes; the difference is the per-step (per-iteration) cost, the rest is start-up.
#   scripts/results/instructions-side-by-side.sh OLD_LRSIM NEW_LRSIM
# Needs valgrind. Binaries are stripped first (callgrind cannot read their DWARF 5 debug info), and OpenBLAS runs
# its Haswell kernels (valgrind does not decode the AVX-512 ones).
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
strip -o "$tmp/a" "$1"; strip -o "$tmp/b" "$2"
count() { OPENBLAS_CORETYPE=Haswell LRSIM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
          2>&1 >/dev/null | awk '/Collected/ {print $4}'; }
for side in a b; do
  s20=$(count "$tmp/$side" sim --hw hwmodels/edge.toml --model mlp:784-256-10 --batch 32 --copies 8 --estimator alr --iterations 20)
  s60=$(count "$tmp/$side" sim --hw hwmodels/edge.toml --model mlp:784-256-10 --batch 32 --copies 8 --estimator alr --iterations 60)
  echo "$side sim: $(( (s60 - s20) / 40 )) instructions per iteration, $s20 for 20 iterations"
  for est in lr bp; do
    t1=$(count "$tmp/$side" train --data synthetic:features=784,classes=10,train=512,test=128 --model mlp:784-256-10 \
         --estimator $est --copies 32 --epochs 1 --batch 128 --quiet)
    t3=$(count "$tmp/$side" train --data synthetic:features=784,classes=10,train=1536,test=128 --model mlp:784-256-10 \
         --estimator $est --copies 32 --epochs 1 --batch 128 --quiet)
    echo "$side train $est: $(( (t3 - t1) / 8 )) instructions per step of 128 samples, $t1 for 4 steps"
  done
done
