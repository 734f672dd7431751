#!/usr/bin/env python3
# docs/results.md section 6: LR vs ALR vs backprop on each shipped hardware model (run from the repository root).
import json, os, subprocess, tempfile
L = os.environ.get("LRSIM", ".build/release/lrsim")
rows = []
tmp = tempfile.mkdtemp()
for hw, hwbp in [("edge", "edge-bp"), ("datacenter", "datacenter-bp"), ("edge-temporal", "edge-temporal")]:
    for mname, margs in [("MLP", ["--model", "mlp:784-256-10", "--batch", "128", "--copies", "32"]),
                         ("CNN", ["--model", "cnn:small", "--batch", "32", "--copies", "8"])]:
        for est in ["lr", "alr", "bp"]:
            h = hwbp if est == "bp" else hw
            out = os.path.join(tmp, f"{hw}-{mname}-{est}.json")
            subprocess.run([L, "sim", "--hw", f"hwmodels/{h}.toml", *margs, "--iterations", "8", "--estimator", est,
                            "--report", out], check=True, capture_output=True)
            d = json.load(open(out)); it = d["iterations"]
            arrays = [s for s in d["stages"] if s["kind"] == "array"]
            util = sum(s["busy"] for s in arrays) / (len(arrays) * d["cycles"])
            dram = (d["dram"]["read_bytes"] + d["dram"]["write_bytes"]) / it
            e = sum(d["energy_pj"]["actions"].values()) / it / 1e6
            rows.append(f"| {mname} | {h} | {est} | {d['steady_state_cycles_per_iteration']:.0f} | "
                        f"{d['throughput']['iterations_per_second']:.1f} | {100*util:.1f} % | {100*d['mac_utilization']:.1f} % | {d['memory']['peak_bytes']} | "
                        f"{dram:.0f} | {e:.2f} |")
print("\n".join(rows))
