#!/usr/bin/env bash
# The trainer's accuracy runs of docs/results.md sections 1-3 (issue 2's must-shows): backprop, LR and ALR on the MLP
# and the CNN, step activations, and FGSM on the resulting checkpoints. Each run writes its JSON report and checkpoint
# under OUT; the summary at the end is read back from those reports.
#   scripts/results/trainer-table.sh [OUT=results-trainer] [--quick]   (--quick skips the CNN-LR run, ~25 min)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-results-trainer}
quick=${2:-}
mkdir -p "$out"
swift build -c release >/dev/null
lrsim=.build/release/lrsim
C=(--data fashion-mnist --model mlp:784-256-10 --epochs 3 --batch 128 --lr 1e-3 --seed 0)

run() {  # run NAME ARGS...: train with the common options, keep report and checkpoint
  local name=$1; shift
  if [ -f "$out/$name.json" ]; then echo "$name: done already" >&2; return; fi
  echo "$name: lrsim train $*" >&2
  "$lrsim" train "${C[@]}" "$@" --report "$out/$name.json" --checkpoint "$out/$name.ckpt" 2>&1 | grep -E '^epoch|final' >&2
}

run mlp-bp  --estimator bp
run mlp-lr  --estimator lr  --copies 32 --sigma 0.1 --grad-check-every 100
run mlp-alr --estimator alr --copies 32 --sigma 0.1 --grad-check-every 100
run step-bp --activation step --estimator bp
for s in 0.1 0.3 0.5 1.0; do run "step-lr-s$s" --activation step --estimator lr --copies 32 --sigma "$s"; done
run step-bp-10ep --activation step --estimator bp --epochs 10
run step-lr-k64-s0.5-10ep --activation step --estimator lr --copies 64 --sigma 0.5 --epochs 10
run cnn-bp --model cnn:small --estimator bp
[ "$quick" = "--quick" ] || run cnn-lr --model cnn:small --estimator lr --copies 16,16,32,32 --sigma 0.01,0.01,0.1,0.1

for m in mlp-bp mlp-lr mlp-alr step-bp step-lr-s0.1; do
  for eps in 0.02 0.05 0.1; do
    [ -f "$out/fgsm-$m-$eps.json" ] || "$lrsim" eval --checkpoint "$out/$m.ckpt" --fgsm "$eps" --report "$out/fgsm-$m-$eps.json" >/dev/null
  done
done

python3 - "$out" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
print("| run | test accuracy per epoch | epoch wall s (CPU s) | gradient cosine vs bp per layer |")
print("|---|---|---|---|")
for path in sorted(glob.glob(f"{out}/*.json")):
    name = os.path.basename(path)[:-5]
    if name.startswith("fgsm-"):
        continue
    r = json.load(open(path))
    acc = " / ".join(f'{e["test_accuracy"]:.4f}' for e in r["epochs"])
    secs = ", ".join(f'{e["seconds"]:.2f} ({e.get("cpu_seconds", 0):.2f})' for e in r["epochs"])
    cos = " / ".join(f"{c:.3f}" for c in r.get("gradient_cosine_vs_bp") or []) or "-"
    print(f"| {name} | {acc} | {secs} | {cos} |")
print()
print("| model | clean | eps 0.02 | eps 0.05 | eps 0.1 |")
print("|---|---|---|---|---|")
models = sorted({os.path.basename(p)[5:].rsplit("-", 1)[0] for p in glob.glob(f"{out}/fgsm-*.json")})
for m in models:
    row = []
    for eps in ["0.02", "0.05", "0.1"]:
        r = json.load(open(f"{out}/fgsm-{m}-{eps}.json"))
        row.append(r)
    print(f"| {m} | {row[0]['test_accuracy']:.4f} | " + " | ".join(f"{r['fgsm']['accuracy']:.4f}" for r in row) + " |")
EOF
