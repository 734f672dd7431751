#!/usr/bin/env python3
"""Tables of docs/results.md "Where forward-only training wins" from the sweeps of forward-only-study.sh.

For every forward-only point: the best backprop point on the same silicon (same chips, replicas and network; the
fastest schedule for iterations/s, the least-energy one for energy, the smallest for memory), as FO / BP ratios, the
same matching `lrsim report --baseline` does. Prints, per family (mlp, cnn, edge):
  1. the best forward-only configuration per network and lane count against backprop's best,
  2. ALR/BP and LR/BP iterations/s ratios over K (best split and injection per K),
  3. where the time and energy go for a few chosen points.

    scripts/results/forward-only-summary.py [OUT=results-forward-only]
"""
import csv
import os
import sys
from collections import defaultdict

out = sys.argv[1] if len(sys.argv) > 1 else "results-forward-only"


def rows(name):
    path = os.path.join(out, name, "sweep.csv")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [r for r in csv.DictReader(f) if r["status"] == "ok"]


def depth(model):
    """Parametric layers of an mlp spelling, else the model's name."""
    if model.startswith("mlp:"):
        return f"mlp{len(model[4:].split('-')) - 1}"
    return model


def lanes(r):
    return int(r.get("interconnect.chips", 1) or 1) * int(r.get("stage.replicas", 1) or 1)


def lane_label(r):
    c, p = int(r.get("interconnect.chips", 1) or 1), int(r.get("stage.replicas", 1) or 1)
    return f"{c * p} ({c} chip{'s' if c > 1 else ''} x {p})"


def num(r, k):
    try:
        return float(r[k])
    except (KeyError, ValueError):
        return float("nan")


def key(r):
    return (r["workload.model"], r.get("interconnect.chips", "1"), r.get("stage.replicas", "1"))


def best_bp(bp):
    """Per (model, chips, replicas): the best backprop value of each metric and the schedule behind it."""
    best = {}
    for r in bp:
        k = key(r)
        b = best.setdefault(k, {"ips": (0, ""), "energy": (float("inf"), ""), "memory": (float("inf"), "")})
        s = r.get("workload.schedule", "serial")
        if num(r, "sim.iterations_per_second") > b["ips"][0]:
            b["ips"] = (num(r, "sim.iterations_per_second"), s)
        if num(r, "sim.energy_uj_per_iteration") < b["energy"][0]:
            b["energy"] = (num(r, "sim.energy_uj_per_iteration"), s)
        if num(r, "sim.memory_peak_bytes") < b["memory"][0]:
            b["memory"] = (num(r, "sim.memory_peak_bytes"), s)
    return best


def best_bp_subset(bp, k):
    """The fastest backprop point on any part of the silicon of k (as many or fewer chips and replicas): backprop may
    leave lanes idle when its data-parallel all-reduce costs more than the lanes give."""
    m, c, p = k[0], int(k[1]), int(k[2])
    pts = [r for r in bp if r["workload.model"] == m and int(r.get("interconnect.chips", 1) or 1) <= c
           and int(r.get("stage.replicas", 1) or 1) <= p]
    top = max(pts, key=lambda r: num(r, "sim.iterations_per_second"))
    return num(top, "sim.iterations_per_second"), f"{lanes(top)} lane{'s' if lanes(top) > 1 else ''}, " \
        f"{top.get('workload.schedule', 'serial')}"


def fmt(x):
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def family(name):
    fo, bp = rows(f"fo-{name}"), rows(f"bp-{name}")
    if not fo or not bp:
        return
    best = best_bp(bp)
    print(f"\n### {name}: {len(fo)} forward-only points against {len(bp)} backprop points\n")
    # 1. Best forward-only configuration per network and lane configuration.
    print("| network | lanes | backprop: iterations/s (schedule) | best forward-only | its iterations/s | FO/BP "
          "iterations/s | FO/BP energy/iteration | FO/BP peak memory | backprop on any part of it | FO/that |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    groups = defaultdict(list)
    for r in fo:
        groups[key(r)].append(r)
    for k in sorted(groups, key=lambda k: (depth(k[0]), int(k[1]) * int(k[2]), k[1])):
        b = best[k]
        top = max(groups[k], key=lambda r: num(r, "sim.iterations_per_second"))
        sub = best_bp_subset(bp, k)
        cfg = (f"{top['workload.estimator']} K={top['workload.copies']} {top['workload.injection']}"
               + (f" split={top['mapping.split']}" if "mapping.split" in top and lanes(top) > 1 else ""))
        print(f"| {depth(k[0])} | {lane_label(top)} | {b['ips'][0]:.0f} ({b['ips'][1]}) | {cfg} | "
              f"{num(top, 'sim.iterations_per_second'):.0f} | "
              f"**{fmt(num(top, 'sim.iterations_per_second') / b['ips'][0])}** | "
              f"{fmt(num(top, 'sim.energy_uj_per_iteration') / b['energy'][0])} | "
              f"{fmt(num(top, 'sim.memory_peak_bytes') / b['memory'][0])} | {sub[0]:.0f} ({sub[1]}) | "
              f"**{fmt(num(top, 'sim.iterations_per_second') / sub[0])}** |")
    # 2. Ratios over K per estimator (best split and injection per K), per network and lane count.
    ks = sorted({int(r["workload.copies"]) for r in fo})
    print("\nFO/BP iterations/s over K (best split and injection at each K; energy ratio in parentheses)\n")
    print("| network | lanes | estimator | " + " | ".join(f"K={k}" for k in ks) + " |")
    print("|---|---|---|" + "---|" * len(ks))
    for k in sorted(groups, key=lambda k: (depth(k[0]), int(k[1]) * int(k[2]), k[1])):
        for est in ("alr", "lr"):
            cells = []
            for kk in ks:
                pts = [r for r in groups[k] if r["workload.estimator"] == est and int(r["workload.copies"]) == kk]
                if not pts:
                    cells.append("-")
                    continue
                top = max(pts, key=lambda r: num(r, "sim.iterations_per_second"))
                inj = "A" if top["workload.injection"] == "all-layers" else "L"
                cells.append(f"{fmt(num(top, 'sim.iterations_per_second') / best[k]['ips'][0])}{inj} "
                             f"({fmt(num(top, 'sim.energy_uj_per_iteration') / best[k]['energy'][0])})")
            print(f"| {depth(k[0])} | {lane_label(groups[k][0])} | {est} | " + " | ".join(cells) + " |")
    print("\n(L: layer-wise injection was the faster; A: all-layers.)")
    # 3. Where the energy goes: the best forward-only point and backprop's fastest, per network at 1 and 16 lanes.
    parts = ["pe", "sram", "dram", "interconnect", "noise"]
    print("\nEnergy per iteration by unit (uJ), fastest forward-only point vs fastest backprop point\n")
    print("| network | lanes | run | " + " | ".join(parts) + " | total | MAC utilisation |")
    print("|---|---|---|" + "---|" * (len(parts) + 2))
    bpby = defaultdict(list)
    for r in bp:
        bpby[key(r)].append(r)
    for k in sorted(groups, key=lambda k: (depth(k[0]), int(k[1]) * int(k[2]), k[1])):
        if int(k[1]) * int(k[2]) not in (1, 16):
            continue
        top = max(groups[k], key=lambda r: num(r, "sim.iterations_per_second"))
        btop = max(bpby[k], key=lambda r: num(r, "sim.iterations_per_second"))
        for label, r in ((f"{top['workload.estimator']} K={top['workload.copies']} {top['workload.injection']}", top),
                         (f"bp {btop.get('workload.schedule', 'serial')}", btop)):
            e = [num(r, f"sim.energy_uj_per_iteration.{p}") for p in parts]
            print(f"| {depth(k[0])} | {lanes(r)} | {label} | " + " | ".join(f"{x:.1f}" for x in e)
                  + f" | {num(r, 'sim.energy_uj_per_iteration'):.1f} | {100 * num(r, 'sim.mac_utilization'):.1f}% |")


for name in ("mlp", "cnn", "edge"):
    family(name)
