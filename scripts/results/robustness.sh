#!/usr/bin/env bash
# docs/results.md section 3: the LR papers' FGSM robustness claim under the authors' own protocol
# (docs/results.md §3 and the protocol, item by item: shared reference authors-protocol.md §5; issue 17).
#
# Fashion-MNIST, pixels in [0, 1], per seed: a substitute mlp:784-100-50-10 ReLU trained by backprop; targets
# mlp:784-50-10 trained as the authors' scripts do (BP sigmoid, LR sigmoid, LR threshold, ALR) and controls (BP ReLU,
# BP step, BP+ = backprop with N(0, 2^2) noise on every logit, LR sigmoid with layer-wise injection); then
#   A. transfer FGSM crafted on the substitute at eps 0.1 / 0.13 / 0.2 (saved once per seed and eps, every target
#      scored on the same images: `lrsim eval --adversarial`), and
#   B. white-box FGSM and PGD at 0.13 on every target; for the step models, whose input gradient is zero, the adaptive
#      attacks: PGD on their sigmoid surrogate (BPDA) and the gradient-free SPSA (also run on BP and LR sigmoid to
#      calibrate it against PGD).
# Every run writes its JSON report (and checkpoint) under OUT and is skipped when its report exists, so an interrupted
# run resumes. The summary tables and the verdict at the end are read back from the reports.
#
#   scripts/results/robustness.sh [OUT=results-robustness] [SEEDS="0 1 2"]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results-robustness}
seeds=${2:-"0 1 2"}
mkdir -p "$out"
swift build -c release >/dev/null
lrsim=.build/release/lrsim

D=(--data fashion-mnist)
# The targets: the authors' 784-50-10 with their initialisation (N(0,1) x 2/sqrt(fan_in + 1), biases included).
T=(--model mlp:784-50-10 --epochs 10 --init scaled-normal)
SGD=(--optimizer sgd --momentum 0)
# The authors' LR (GLR_ADV Train&Test/LRS.py, LRT.py): Laplace noise of scale 1 on every layer's output at once,
# K = 10, score sign(z)/b, no baseline, no antithetic pairs, plain SGD lr 1e-2 with weight decay 1e-4.
LR=(--injection all-layers --noise laplace --sigma 1.0 --copies 10 --baseline none --no-antithetic --lr 1e-2
    --weight-decay 1e-4)
EPS="0.1 0.13 0.2"
SPSA=(--spsa 0.13 --spsa-steps 40 --spsa-samples 64 --spsa-delta 0.05)

train() {  # train NAME SEED ARGS...: one checkpoint and report per model and seed
  local name=$1 seed=$2; shift 2
  local base="$out/$name-s$seed"
  if [ -f "$base.json" ]; then return; fi
  echo "$name seed $seed: lrsim train $*" >&2
  "$lrsim" train "${D[@]}" "$@" --seed "$seed" --checkpoint "$base.ckpt" --report "$base.json" --quiet
}

evaluate() {  # evaluate REPORT ARGS...: one eval report
  local report=$1; shift
  if [ -f "$report" ]; then return; fi
  echo "lrsim eval $*" >&2
  "$lrsim" eval "${D[@]}" "$@" --report "$report" >/dev/null
}

targets() {  # targets SEED: the substitute and the models the protocol names
  local s=$1
  # The substitute: LR_Experiment blackModel.py (784-100-50-10 ReLU, SGD 1e-2, momentum 0.9, wd 1e-4, 10 epochs).
  train substitute "$((s + 100))" --model mlp:784-100-50-10 --activation relu --estimator bp --optimizer sgd --lr 1e-2 \
    --momentum 0.9 --weight-decay 1e-4 --batch 128 --epochs 10
  # T1 BP benchmark (BP.py): sigmoid, SGD lr 0.1, wd 1e-4, batch 128.
  train bp-sigmoid "$s" "${T[@]}" --activation sigmoid --estimator bp "${SGD[@]}" --lr 0.1 --weight-decay 1e-4 --batch 128
  # T2 LR sigmoid (LRS.py), T3 LR threshold (LRT.py: batch 32), T4 ALR: sign-encoded Gaussian noise (under Laplace
  # noise alr and lr are the same estimator, bit for bit, since the Laplace score is already a sign).
  train lr-sigmoid "$s" "${T[@]}" --activation sigmoid --estimator lr "${LR[@]}" "${SGD[@]}" --batch 128
  train lr-step "$s" "${T[@]}" --activation step --estimator lr "${LR[@]}" "${SGD[@]}" --batch 32
  train alr-sigmoid "$s" "${T[@]}" --activation sigmoid --estimator alr "${LR[@]}" --noise gaussian "${SGD[@]}" --batch 128
  # Controls: BP ReLU (the substitute's recipe on the targets' shape), BP step (trains the output layer only), BP+
  # (BPplus.py: N(0, 2^2) on every logit, SGD lr 0.1, no weight decay), and LR sigmoid with layer-wise injection.
  train bp-relu "$s" "${T[@]}" --activation relu --estimator bp --optimizer sgd --lr 1e-2 --momentum 0.9 \
    --weight-decay 1e-4 --batch 128
  train bp-step "$s" "${T[@]}" --activation step --estimator bp "${SGD[@]}" --lr 0.1 --weight-decay 1e-4 --batch 128
  train bp-plus "$s" "${T[@]}" --activation sigmoid --estimator bp --train-noise 2.0 "${SGD[@]}" --lr 0.1 --batch 128
  train lr-sigmoid-layerwise "$s" "${T[@]}" --activation sigmoid --estimator lr "${LR[@]}" --injection layerwise \
    "${SGD[@]}" --batch 128
  # BP sigmoid stopped at LR's clean accuracy (SGD lr 0.01, 3 epochs: about 73 %): is the LR models' transfer
  # accuracy a matter of being a weaker classifier?
  train bp-sigmoid-matched "$s" "${T[@]}" --epochs 3 --activation sigmoid --estimator bp "${SGD[@]}" --lr 0.01 \
    --weight-decay 1e-4 --batch 128
}

longer() {  # longer SEED: LR trained longer (closer to the papers' clean accuracies)
  local s=$1
  train lr-sigmoid-50ep "$s" "${T[@]}" --epochs 50 --activation sigmoid --estimator lr "${LR[@]}" "${SGD[@]}" --batch 128
  # LR_Experiment's LRT variant: K = 100, 50 epochs (their Adagrad is not in lrsim: SGD as above).
  train lr-step-k100 "$s" "${T[@]}" --epochs 50 --activation step --estimator lr "${LR[@]}" --copies 100 "${SGD[@]}" \
    --batch 32
}

attacks() {  # attacks SEED TARGET...
  local s=$1; shift
  local sub="$out/substitute-s$((s + 100)).ckpt"
  for eps in $EPS; do
    # Attack A: crafted once on the substitute (its own white-box accuracy is the sanity check), saved, reused.
    evaluate "$out/adv-s$s-$eps.json" --checkpoint "$sub" --fgsm "$eps" --save-adversarial "$out/adv-s$s-$eps.lradv"
    for t in "$@"; do
      evaluate "$out/transfer-$t-s$s-$eps.json" --checkpoint "$out/$t-s$s.ckpt" --adversarial "$out/adv-s$s-$eps.lradv"
    done
  done
  for t in "$@"; do
    # Attack B: white-box FGSM and PGD (20 steps of eps/8) at eps 0.13.
    evaluate "$out/whitebox-$t-s$s.json" --checkpoint "$out/$t-s$s.ckpt" --fgsm 0.13 --pgd 0.13 --pgd-steps 20 \
      --pgd-step-size 0.01625
    # SPSA (gradient-free, 40 x 128 probes per image) on the step models, whose input gradient is zero, and on two
    # differentiable models to calibrate it against PGD.
    case $t in
      *step*|bp-sigmoid|lr-sigmoid) evaluate "$out/spsa-$t-s$s.json" --checkpoint "$out/$t-s$s.ckpt" "${SPSA[@]}" --seed "$s" ;;
    esac
    # BPDA on the step models: FGSM and PGD crafted on their own weights with sigmoid(z) for the step (sharpness 1 was
    # the strongest of 1, 4, 16, 64 on seed 0).
    case $t in
      *step*) evaluate "$out/bpda-$t-s$s.json" --checkpoint "$out/$t-s$s.ckpt" --fgsm 0.13 --pgd 0.13 --pgd-steps 20 \
                --pgd-step-size 0.01625 --surrogate-sharpness 1 ;;
    esac
  done
}

main="bp-sigmoid lr-sigmoid lr-step alr-sigmoid bp-relu bp-step bp-plus lr-sigmoid-layerwise bp-sigmoid-matched"
for s in $seeds; do targets "$s"; attacks "$s" $main; done
for s in $seeds; do longer "$s"; attacks "$s" lr-sigmoid-50ep lr-step-k100; done

python3 scripts/results/robustness-summary.py "$out" $seeds
