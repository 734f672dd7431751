#!/usr/bin/env bash
# docs/results-architectures.md "Closing the RNN gap": LR on the Elman RNN (rnn:28x128-10xT28, Fashion-MNIST read as
# 28 rows of 28 pixels) with the variance-reduction tools lrsim has, against BPTT.
#   1. Gradient agreement at initialisation: cosine of the LR estimate to BPTT's gradient per tensor, every step of an
#      epoch on 1280 images (10 steps of 128), for each tool at K 16 (and K 4 / 64 / 256).
#   2. Accuracy: the protocol of the architectures table (10 000 training images, 3 epochs, batch 128, Adam 2e-3,
#      seed 0, the full test set) for the most promising settings, with their epoch times.
# Every run writes its JSON report under OUT and is skipped when the report exists.
#   scripts/results/rnn-gap.sh [OUT=results-rnn] [BUILD=.build]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results-rnn}
build=${2:-.build}
mkdir -p "$out"
swift build -c release --build-path "$build" >/dev/null
lrsim=$build/release/lrsim
M=(--model rnn:28x128-10xT28 --batch 128 --lr 2e-3 --seed 0)

run() {  # run NAME ARGS...
  local name=$1; shift
  if [ -f "$out/$name.json" ]; then return; fi
  echo "$name: lrsim train $*" >&2
  "$lrsim" train "${M[@]}" "$@" --report "$out/$name.json" --quiet
}

# 1. Cosines (1280 images, one epoch, a check every step).
CHECK=(--train-samples 1280 --test-samples 200 --epochs 1 --grad-check-every 1 --estimator lr)
run cos-k16 "${CHECK[@]}" --copies 16
run cos-k16-independent "${CHECK[@]}" --copies 16 --no-antithetic
run cos-k16-mean "${CHECK[@]}" --copies 16 --baseline mean
run cos-k16-none "${CHECK[@]}" --copies 16 --baseline none
run cos-k16-qmc "${CHECK[@]}" --copies 16 --qmc
for s in 0.03 0.3 1.0; do run "cos-k16-sigma$s" "${CHECK[@]}" --copies 16 --sigma "$s"; done
run cos-k64 "${CHECK[@]}" --copies 64
run cos-k256 "${CHECK[@]}" --copies 256
run cos-k4-perstep "${CHECK[@]}" --copies 4 --step-injection per-step
run cos-k16-perstep "${CHECK[@]}" --copies 16 --step-injection per-step
run cos-k8-perstep-independent "${CHECK[@]}" --copies 8 --step-injection per-step --no-antithetic
run cos-k16-perstep-independent "${CHECK[@]}" --copies 16 --step-injection per-step --no-antithetic
run cos-k64-independent "${CHECK[@]}" --copies 64 --no-antithetic

# 2. Accuracy (the architectures table's protocol).
ACC=(--train-samples 10000 --epochs 3)
run acc-bptt "${ACC[@]}" --estimator bp
run acc-k16 "${ACC[@]}" --estimator lr --copies 16
run acc-k16-independent "${ACC[@]}" --estimator lr --copies 16 --no-antithetic
run acc-k4-perstep "${ACC[@]}" --estimator lr --copies 4 --step-injection per-step
run acc-k8-perstep-independent "${ACC[@]}" --estimator lr --copies 8 --step-injection per-step --no-antithetic
run acc-k16-perstep-independent "${ACC[@]}" --estimator lr --copies 16 --step-injection per-step --no-antithetic
# Longer: the best setting for 12 epochs against BPTT for 12.
run acc-k8-perstep-independent-12ep --train-samples 10000 --epochs 12 --estimator lr --copies 8 \
  --step-injection per-step --no-antithetic
run acc-bptt-12ep --train-samples 10000 --epochs 12 --estimator bp
# (All-steps at K 64 / 256 for comparison: docs/results-architectures.md's earlier table and the cosines above.)

python3 - "$out" <<'EOF'
import glob, json, os, statistics, sys
out = sys.argv[1]
T = 28


def setting(r):
    e = r["config"]["estimator"]
    if e["kind"] == "bp":
        return "BPTT", "-", "-"
    parts = [e.get("step_injection", "all-steps"), "antithetic" if e["antithetic"] else "independent",
             f"baseline {e['baseline']}", f"sigma {e['sigma'][0]:g}"] + (["QMC"] if e["qmc"] else [])
    k = e["copies"][0]
    # Copy-steps per sample and step: all-steps runs T cell steps per copy; per-step runs, for each t, T - t steps.
    work = k * (T * (T + 1) // 2 if e.get("step_injection") == "per-step" else T)
    return ", ".join(parts), k, work


def cpu(r):
    return statistics.mean(ep["cpu_seconds"] for ep in r["epochs"])


print("Gradient cosine to BPTT, mean over 10 steps of 128 images at initialisation (one run each):\n")
print("| setting | K | copy-steps per sample and step | W_in | W_hh | b | head | CPU s (incl. BPTT check) |")
print("|---|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(f"{out}/cos-*.json")):
    r = json.load(open(path))
    c = r.get("gradient_cosine_vs_bp") or []
    name, k, work = setting(r)
    print(f"| {name} | {k} | {work} | " + " | ".join(f"{v:.3f}" for v in c) + f" | {cpu(r):.1f} |")
print()
accs = {os.path.basename(p)[4:-5]: json.load(open(p)) for p in sorted(glob.glob(f"{out}/acc-*.json"))}
bptt = cpu(accs["bptt"]) if "bptt" in accs else None
print("Accuracy (10 000 training images, full test set):\n")
print("| setting | K | test accuracy per epoch | CPU s per epoch (x BPTT) | wall s per epoch |")
print("|---|---|---|---|---|")
for name, r in accs.items():
    label, k, _ = setting(r)
    acc = " / ".join(f'{e["test_accuracy"]:.4f}' for e in r["epochs"])
    ratio = f" ({cpu(r) / bptt:.0f}x)" if bptt and r["config"]["estimator"]["kind"] != "bp" else ""
    wall = ", ".join(f'{e["seconds"]:.0f}' for e in r["epochs"])
    print(f"| {label} ({name}) | {k} | {acc} | {cpu(r):.1f}{ratio} | {wall} |")
EOF
