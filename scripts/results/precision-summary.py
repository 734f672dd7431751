#!/usr/bin/env python3
"""Tables of docs/results.md section 8 from precision-study.sh's sweep: accuracy per activation x accumulator width
for each rounding and estimator, the float reference, and the Pareto front of accuracy against energy per iteration.

    scripts/results/precision-summary.py [OUT=results-precision ...]   (several OUTs: their sweeps joined)
"""
import csv
import json
import os
import sys

outs = sys.argv[1:] or ["results-precision"]
rows = []
for out in outs:
    with open(os.path.join(out, "sweep", "sweep.csv")) as f:
        rows += list(csv.DictReader(f))
ok = [r for r in rows if r["status"] == "ok"]
print(f"{len(ok)} of {len(rows)} points ok")
floats = {}
for out in outs:
    for e in ("lr", "alr"):
        path = os.path.join(out, f"float-{e}.json")
        if os.path.exists(path) and e not in floats:
            floats[e] = json.load(open(path))["epochs"][-1]["test_accuracy"]
acts = sorted({int(r["formats.activations.bits"]) for r in ok})
accs = sorted({int(r["formats.accumulators.bits"]) for r in ok})
roundings = [m for m in ("TRN", "RND_CONV", "STOCHASTIC") if any(r["formats.stored.rounding"] == m for r in ok)]


def acc(r):
    return float(r["train.test_accuracy"])


for e in ("lr", "alr"):
    ref = floats.get(e)
    print(f"\n{e.upper()} (float reference after 3 epochs: {ref:.4f})\n" if ref else f"\n{e.upper()}\n")
    print("| activation bits | " + " | ".join(f"{m} acc {a}" for m in roundings for a in accs) + " |")
    print("|---|" + "---|" * (len(roundings) * len(accs)))
    for b in acts:
        cells = []
        for m in roundings:
            for a in accs:
                pt = [r for r in ok if r["workload.estimator"] == e and r["formats.stored.rounding"] == m
                      and int(r["formats.activations.bits"]) == b and int(r["formats.accumulators.bits"]) == a]
                cells.append(f"{acc(pt[0]):.4f}" if pt else "-")
        print(f"| {b} | " + " | ".join(cells) + " |")

print("\nSimulated cost per activation width (edge, batch 128, K 32; the range spans the accumulator widths: "
      "the simulator charges rounding modes alike)\n")
print("| activation bits | estimator | iterations/s | energy uJ/iteration | peak memory B |")
print("|---|---|---|---|---|")
for e in ("lr", "alr"):
    for b in acts:
        pts = [r for r in ok if r["workload.estimator"] == e and int(r["formats.activations.bits"]) == b]
        ips = sorted({round(float(r["sim.iterations_per_second"]), 1) for r in pts})
        en = sorted({round(float(r["sim.energy_uj_per_iteration"]), 2) for r in pts})
        mem = sorted({int(float(r["sim.memory_peak_bytes"])) for r in pts})
        span = lambda v: f"{v[0]}" if len(v) == 1 else f"{v[0]}-{v[-1]}"
        print(f"| {b} | {e} | {span(ips)} | {span(en)} | {span(mem)} |")

print("\nPareto front: highest accuracy for at most this energy per iteration (both estimators)\n")
print("| estimator | activation bits | accumulator bits | rounding | energy uJ/iteration | accuracy |")
print("|---|---|---|---|---|---|")
best = -1.0
for r in sorted(ok, key=lambda r: (round(float(r["sim.energy_uj_per_iteration"])), -acc(r))):
    if acc(r) > best:
        best = acc(r)
        print(f"| {r['workload.estimator']} | {r['formats.activations.bits']} | {r['formats.accumulators.bits']} | "
              f"{r['formats.stored.rounding']} | {float(r['sim.energy_uj_per_iteration']):.2f} | {acc(r):.4f} |")
