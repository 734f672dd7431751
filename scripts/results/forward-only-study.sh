#!/usr/bin/env bash
# docs/results.md "Where forward-only training wins" (issue 14): LR and ALR against backprop on the same silicon.
#
# Forward-only sweeps run on hwmodels/multichip.toml (4 datacenter chips x 4 replicas of every stage; chips and
# replicas are axes, so 1, 4 and 16 lanes) and on the shipped edge model; the backprop sweeps run on the same
# silicon configured for backprop (multichip-bp.toml, edge-bp.toml: the noise SRAM joins the activation stash) under
# the serial, GPipe and 1F1B schedules. `lrsim report FO --baseline BP --facet workload.model` then puts every
# forward-only point against the best backprop point with the same chips, replicas and network.
#
# Each sweep runs as two shards on the two cores and is merged; every sweep resumes where it stopped.
#
#   scripts/results/forward-only-study.sh [OUT=results-forward-only]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results-forward-only}
mkdir -p "$out"
swift build -c release --product lrsim >/dev/null
lrsim=$PWD/.build/release/lrsim

hidden() { printf '512-%.0s' $(seq "$1"); }
MLPS="mlp:784-512-10,mlp:784-$(hidden 7)10,mlp:784-$(hidden 15)10"   # 2, 8 and 16 parametric layers
CNNS="resnet5,resnet9,vgg8,resnet18"
LANES=(--vary interconnect.chips=1,4 --vary stage.replicas=1,4)         # 1, 4 (on chip or across chips), 16 lanes
FO=(--vary workload.estimator=alr,lr --vary workload.injection=layerwise,all-layers)
BP=(--estimator bp --vary workload.schedule=serial,gpipe,1f1b)

sweep() {  # sweep NAME ARGS...: two shards in parallel, merged into OUT/NAME
  local name=$1; shift
  if [ -f "$out/$name/sweep.json" ]; then return; fi
  echo "sweep $name: lrsim sweep $*" >&2
  "$lrsim" sweep "$@" --shard 0/2 --out "$out/$name.shard0" --quiet &
  "$lrsim" sweep "$@" --shard 1/2 --out "$out/$name.shard1" --quiet
  wait
  "$lrsim" sweep merge "$out/$name.shard0" "$out/$name.shard1" --out "$out/$name" >/dev/null
}

# MLPs, batch 128: K in {2, 4, 8, 32, 128}, copy-level (data) and batch-level splits over the lanes.
sweep fo-mlp --hw hwmodels/multichip.toml --vary workload.model="$MLPS" "${LANES[@]}" \
  --vary mapping.split=data,batch "${FO[@]}" --vary workload.copies=2,4,8,32,128 --batch 128 --iterations 8
sweep bp-mlp --hw hwmodels/multichip-bp.toml --vary workload.model="$MLPS" "${LANES[@]}" "${BP[@]}" \
  --microbatches 8 --batch 128 --iterations 8
# CNNs at CIFAR scale, batch 32: the batch-level split (a copy-level split leaves lanes idle when K < lanes and puts
# the clean pass on one lane).
sweep fo-cnn --hw hwmodels/multichip.toml --vary workload.model="$CNNS" "${LANES[@]}" \
  --vary mapping.split=batch "${FO[@]}" --vary workload.copies=2,4,8,32,128 --batch 32 --iterations 8
sweep bp-cnn --hw hwmodels/multichip-bp.toml --vary workload.model="$CNNS" "${LANES[@]}" "${BP[@]}" \
  --microbatches 4 --batch 32 --iterations 8
# The shipped edge model (one chip, one lane per stage), MLPs.
sweep fo-edge --hw hwmodels/edge.toml --vary workload.model="$MLPS" "${FO[@]}" \
  --vary workload.copies=2,4,8,32,128 --batch 128 --iterations 8
sweep bp-edge --hw hwmodels/edge-bp.toml --vary workload.model="$MLPS" "${BP[@]}" --microbatches 8 --batch 128 \
  --iterations 8

for family in mlp cnn edge; do
  facet=workload.model,interconnect.chips,stage.replicas
  [ "$family" = edge ] && facet=workload.model
  "$lrsim" report "$out/fo-$family" --baseline "$out/bp-$family" --facet "$facet" --out "$out/report-$family.html" \
    >/dev/null
done
[ -f scripts/results/forward-only-summary.py ] && python3 scripts/results/forward-only-summary.py "$out"
