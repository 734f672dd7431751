#!/usr/bin/env bash
# Submits a sharded lrsim sweep to Slurm: an N-task array (scripts/slurm/sweep-array.sbatch), then a merge job that
# runs when every task succeeded. Prints the two job ids.
#
#   scripts/slurm/submit-sweep.sh N OUTDIR [lrsim sweep options...]
#   scripts/slurm/submit-sweep.sh 4 /scratch/bits --hw $PWD/hwmodels/edge.toml \
#       --vary formats.activations.bits=4,6,8,12,16 --vary formats.accumulators.bits=16,24,32 \
#       --model mlp:784-256-10 --estimator alr --train --train-samples 6000 --epochs 1
#
# Result: OUTDIR/merged/sweep.csv (byte for byte what one unsharded `lrsim sweep` writes); `lrsim report OUTDIR/merged`.
set -euo pipefail
n="${1:?usage: submit-sweep.sh N OUTDIR [lrsim sweep options...]}"; out="${2:?OUTDIR}"; shift 2
here="$(cd "$(dirname "$0")" && pwd)"
lrsim="${LRSIM:-$(command -v lrsim || true)}"
[ -n "$lrsim" ] || { echo "error: set LRSIM to the lrsim binary (not on PATH)" >&2; exit 1; }
mkdir -p "$out"
array=$(LRSIM="$lrsim" sbatch --parsable --array="0-$((n - 1))" --chdir="$out" "$here/sweep-array.sbatch" "$(cd "$out" && pwd)" "$@")
array="${array%%;*}"
merge=$(sbatch --parsable --dependency="afterok:$array" --chdir="$out" --job-name=lrsim-sweep-merge \
  --output=lrsim-sweep-merge-%j.out --wrap "\"$lrsim\" sweep merge $(for i in $(seq 0 $((n - 1))); do printf '%q ' "$(cd "$out" && pwd)/shard-$i"; done) --out \"$(cd "$out" && pwd)/merged\"")
echo "array job $array ($n tasks), merge job $merge -> $out/merged/sweep.csv"
