#!/usr/bin/env python3
"""Tables and verdict of scripts/results/robustness.sh (docs/results.md section 3), read from its JSON reports.

    python3 scripts/results/robustness-summary.py OUT SEED...
"""
import json
import os
import statistics
import sys

out, seeds = sys.argv[1], sys.argv[2:]
EPS = ["0.1", "0.13", "0.2"]
# The authors' Fashion-MNIST numbers (LR_Experiment README): clean / AdvFGSM (transfer, eps 0.13), in %.
PAPER = {"bp-sigmoid": (86.45, 17.86), "lr-sigmoid": (83.93, 52.85), "lr-step": (85.54, 42.62)}
ROWS = [
    ("substitute", "S: BP ReLU 784-100-50-10 (substitute)"),
    ("bp-sigmoid", "T1: BP sigmoid"),
    ("lr-sigmoid", "T2: LR sigmoid (all-layers, Laplace 1.0, K 10)"),
    ("lr-step", "T3: LR threshold (same, batch 32)"),
    ("lr-step-k100", "T3': LR threshold, K 100, 50 epochs"),
    ("lr-sigmoid-50ep", "T2': LR sigmoid, 50 epochs"),
    ("alr-sigmoid", "T4: ALR sigmoid (sign of Gaussian noise)"),
    ("bp-relu", "T5: BP ReLU (control)"),
    ("bp-step", "T6: BP step (control)"),
    ("bp-plus", "T7: BP+ sigmoid, N(0, 2^2) on every logit (control)"),
    ("lr-sigmoid-layerwise", "T8: LR sigmoid, layer-wise injection (control)"),
    ("bp-sigmoid-matched", "T9: BP sigmoid stopped at LR's clean accuracy (control)"),
]


def load(path):
    path = os.path.join(out, path)
    return json.load(open(path)) if os.path.exists(path) else None


def seed_of(name, s):
    return str(int(s) + 100) if name == "substitute" else s


def pct(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    mean = 100 * statistics.mean(values)
    per = " / ".join(f"{100 * v:.1f}" for v in values)
    return f"**{mean:.1f}** ({per})" if len(values) > 1 else f"{mean:.1f}"


def clean(name):
    return [r["final"]["test_accuracy"] if (r := load(f"{name}-s{seed_of(name, s)}.json")) else None for s in seeds]


def transfer(name, eps):
    if name == "substitute":
        return [r["fgsm"]["accuracy"] if (r := load(f"adv-s{s}-{eps}.json")) else None for s in seeds]
    return [r["adversarial_set"]["accuracy"] if (r := load(f"transfer-{name}-s{s}-{eps}.json")) else None for s in seeds]


def whitebox(name, attack):
    if name == "substitute":
        return [None]
    prefix, key = {"spsa": ("spsa", "spsa"), "bpda": ("bpda", "pgd")}.get(attack, ("whitebox", attack))
    return [r[key]["accuracy"] if (r := load(f"{prefix}-{name}-s{s}.json")) and r.get(key) else None for s in seeds]


print(f"Seeds {', '.join(seeds)}; accuracy in % (mean over seeds in bold, then per seed).\n")
print("| model | clean | transfer FGSM 0.1 | transfer FGSM 0.13 | transfer FGSM 0.2 | white-box FGSM 0.13 | "
      "white-box PGD 0.13 | BPDA PGD 0.13 | SPSA 0.13 | paper: clean / AdvFGSM |")
print("|---|---|---|---|---|---|---|---|---|---|")
# A row goes in the table only when its model has a report for every seed asked for. A model with reports for some
# seeds only (a side run not repeated, or unfinished) is listed under the table as a side note with what it has, and a
# model with none at all is named as missing: no empty rows.
notes, missing = [], []
for name, label in ROWS:
    paper = PAPER.get(name)
    values = [clean(name)] + [transfer(name, e) for e in EPS] + [whitebox(name, a) for a in ("fgsm", "pgd", "bpda", "spsa")]
    have = [s for s, v in zip(seeds, values[0]) if v is not None]
    if len(have) < len(seeds):
        if not have:
            missing.append(label)
            continue
        heads = ["clean"] + [f"transfer FGSM {e}" for e in EPS] + ["white-box FGSM 0.13", "white-box PGD 0.13",
                                                                  "BPDA PGD 0.13", "SPSA 0.13"]
        got = [f"{h} {pct(v)}" for h, v in zip(heads, values) if any(x is not None for x in v)]
        notes.append(f"- {label}: seed {', '.join(have)} only: " + ", ".join(got) + "; no other reports")
        continue
    cells = [pct(v) for v in values]
    cells.append(f"{paper[0]} / {paper[1]}" if paper else "-")
    print(f"| {label} | " + " | ".join(cells) + " |")
if notes:
    print("\nSide notes (not on every seed):")
    print("\n".join(notes))
if missing:
    print("\nNo reports (not run or unfinished): " + "; ".join(missing))

# Verdict, by issue 17's rule, at the authors' eps 0.13.
print()
t1 = transfer("bp-sigmoid", "0.13")
if None in t1:
    print("verdict: incomplete (missing reports)")
    sys.exit(0)
lines, gaps_ok, gaps_pos, clean_ok = [], True, True, True
for name in ("bp-sigmoid", "lr-sigmoid", "lr-step"):
    c = statistics.mean(clean(name)) * 100
    ok = abs(c - PAPER[name][0]) <= 3
    clean_ok &= ok
    lines.append(f"clean {name}: {c:.2f} vs paper {PAPER[name][0]} ({'within' if ok else 'outside'} 3 points)")
bp = statistics.mean(t1) * 100
lines.append(f"transfer 0.13 bp-sigmoid: {bp:.2f} ({'<=' if bp <= 25 else '>'} 25)")
for name in ("lr-sigmoid", "lr-step"):
    per = [100 * (a - b) for a, b in zip(transfer(name, "0.13"), t1)]
    mean = statistics.mean(per)
    gaps_ok &= mean >= 20 and min(per) > 10
    gaps_pos &= mean > 0
    lines.append(f"gap {name} - bp-sigmoid: mean {mean:+.2f} points, per seed " + ", ".join(f"{g:+.1f}" for g in per))
for name in ("bp-relu", "bp-step", "bp-plus", "alr-sigmoid", "bp-sigmoid-matched", "lr-sigmoid-layerwise"):
    per = [100 * (a - b) for a, b in zip(transfer(name, "0.13"), t1)]
    if None not in per:
        lines.append(f"control gap {name} - bp-sigmoid: mean {statistics.mean(per):+.2f} points")
if clean_ok and bp <= 25 and gaps_ok:
    verdict = "reproduced"
elif gaps_pos:
    verdict = "partial"
else:
    verdict = "not reproduced"
failed = [what for what, ok in (("clean accuracies within 3 points", clean_ok), ("BP sigmoid <= 25 % under transfer",
                                   bp <= 25), ("both LR gaps >= 20 on the mean, every seed > 10", gaps_ok)) if not ok]
print("\n".join(lines))
print(f"verdict (issue 17's rule): {verdict}" + (f" (not met: {'; '.join(failed)})" if failed else ""))
