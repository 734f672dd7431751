#!/usr/bin/env bash
# One training epoch of mlp:784-256-10 on Fashion-MNIST, lrsim against the numpy peer (Benchmarks/numpy_peer/lr_mlp.py),
# run as alternating pairs so both see the same machine. Prints one markdown row per estimator: each side's epoch wall
# times and the ratio of samples/s per pair. Training time only on both sides (evaluation excluded).
#   scripts/results/speed-vs-numpy.sh [PAIRS=3] [ESTIMATORS="bp lr alr"] [THREADS=2]
# THREADS sets both LRSIM_THREADS and the peer's OpenBLAS threads.
set -euo pipefail
cd "$(dirname "$0")/../.."
pairs=${1:-3}
estimators=${2:-bp lr alr}
threads=${3:-2}
swift build -c release >/dev/null
lrsim=.build/release/lrsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| estimator | lrsim epoch (s) | numpy epoch (s) | ratio (samples/s) | lrsim GFLOP/s |"
echo "|---|---|---|---|---|"
for e in $estimators; do
  ours=(); theirs=(); ratios=(); rates=()
  for i in $(seq "$pairs"); do
    LRSIM_THREADS=$threads "$lrsim" train --estimator "$e" --copies 32 --sigma 0.1 --epochs 1 --seed 1 --report "$tmp/l.json" >/dev/null 2>&1
    python3 Benchmarks/numpy_peer/lr_mlp.py --estimator "$e" --copies 32 --sigma 0.1 --epochs 1 --seed 1 --threads "$threads" \
      --json "$tmp/n.json" >/dev/null
    read -r a b r g < <(python3 - "$tmp/l.json" "$tmp/n.json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1])); l = report["epochs"][0]; n = json.load(open(sys.argv[2]))["epochs"][0]
print(f'{l["seconds"]:.3f} {n["seconds"]:.3f} {l["samples_per_second"] / n["samples_per_second"]:.2f} '
      f'{report["throughput"]["gflops_per_second"]:.0f}')
EOF
)
    ours+=("$a"); theirs+=("$b"); ratios+=("${r}x"); rates+=("$g")
  done
  echo "| $e | ${ours[*]} | ${theirs[*]} | ${ratios[*]} | ${rates[*]} |"
done
