#!/usr/bin/env python3
"""Run SCALE-Sim v3 (PyPI `scalesim`, needs numpy<2) on every GEMM in cases.csv and write scalesim_cycles.csv.

The Swift test suite (Tests/LRSimTests/ScaleSimAgreementTests.swift) checks `lrsim gemm`'s timing model against the
committed scalesim_cycles.csv, so SCALE-Sim itself (minutes per case) never runs in the test suite.

Usage:  python3 -m venv /tmp/ss && /tmp/ss/bin/pip install scalesim "numpy<2"
        /tmp/ss/bin/python scripts/scalesim/compare.py [--cases scripts/scalesim/cases.csv] [--out scripts/scalesim/scalesim_cycles.csv]
                                                       [--lrsim .build/release/lrsim]   (also prints lrsim's numbers side by side)
"""
import argparse, csv, io, json, os, subprocess, sys, tempfile, time, contextlib

CONFIG = """[general]
run_name = lrsim_compare

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:    65536
FilterSramSzkB:   65536
OfmapSramSzkB:    65536
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Dataflow : {df}
Bandwidth : 1000
ReadRequestBuffer: 32
WriteRequestBuffer: 32
MemoryBanks: 1

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: 10
IfmapSRAMBankNum: 10
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: 10
FilterSRAMBankNum: 10
FilterSRAMBankPort: 2

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: USER
UseRamulatorTrace: False
"""


def run_case(case, workdir):
    from scalesim.scale_sim import scalesim
    cfg = os.path.join(workdir, "scale.cfg")
    topo = os.path.join(workdir, "gemm.csv")
    with open(cfg, "w") as f:
        f.write(CONFIG.format(rows=case["rows"], cols=case["cols"], df=case["dataflow"]))
    with open(topo, "w") as f:
        f.write("Layer, M, N, K,\n")
        f.write(f"{case['name']}, {case['M']}, {case['N']}, {case['K']},\n")
    layout = os.path.join(workdir, "layout.csv")  # required by v3 even when custom layouts are off
    with open(layout, "w") as f:
        f.write("Layer,\n")
        f.write(f"{case['name']},\n")
    out = os.path.join(workdir, "out")
    s = scalesim(save_disk_space=True, verbose=False, config=cfg, topology=topo, layout=layout, input_type_gemm=True)
    with contextlib.redirect_stdout(io.StringIO()):
        s.run_scale(top_path=out)
    report = None
    for root, _, files in os.walk(out):
        if "COMPUTE_REPORT.csv" in files:
            report = os.path.join(root, "COMPUTE_REPORT.csv")
    if report is None:
        raise RuntimeError(f"{case['name']}: SCALE-Sim wrote no COMPUTE_REPORT.csv")
    with open(report) as f:
        rows = [r for r in csv.reader(f)]
    vals = [x.strip() for x in rows[1]]
    # LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %
    return {"total_cycles": int(float(vals[2])), "stall_cycles": int(float(vals[3])),
            "overall_util_percent": float(vals[4]), "mapping_efficiency_percent": float(vals[5])}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=os.path.join(here, "cases.csv"))
    ap.add_argument("--out", default=os.path.join(here, "scalesim_cycles.csv"))
    ap.add_argument("--lrsim", default=None, help="path to an lrsim binary to compare against")
    ap.add_argument("--only", default=None, help="comma-separated case names")
    args = ap.parse_args()
    with open(args.cases) as f:
        cases = list(csv.DictReader(f))
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c["name"] in keep]
    results = []
    for c in cases:
        t0 = time.time()
        with tempfile.TemporaryDirectory() as d:
            r = run_case(c, d)
        r.update({k: c[k] for k in ("name", "rows", "cols", "dataflow", "M", "N", "K")})
        r["scalesim_seconds"] = round(time.time() - t0, 2)
        if args.lrsim:
            p = subprocess.run([args.lrsim, "gemm", "--rows", c["rows"], "--cols", c["cols"], "--dataflow", c["dataflow"],
                                c["M"], c["N"], c["K"], "--json"], capture_output=True, text=True, check=True)
            r["lrsim_cycles"] = json.loads(p.stdout)["layers"][0]["cycles"]
        results.append(r)
        extra = f"  lrsim={r['lrsim_cycles']}" if args.lrsim else ""
        print(f"{c['name']:24s} {c['dataflow']} {c['rows']}x{c['cols']} M={c['M']} N={c['N']} K={c['K']}: "
              f"scalesim={r['total_cycles']}{extra}  ({r['scalesim_seconds']} s)", flush=True)
    fields = ["name", "rows", "cols", "dataflow", "M", "N", "K", "total_cycles", "stall_cycles",
              "overall_util_percent", "mapping_efficiency_percent", "scalesim_seconds"]
    tmp = args.out + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in results:
            w.writerow(r)
    os.replace(tmp, args.out)
    mism = [r for r in results if args.lrsim and r["lrsim_cycles"] != r["total_cycles"]]
    if args.lrsim:
        print(f"{len(results) - len(mism)}/{len(results)} cases agree to the cycle")
    return 1 if mism else 0


if __name__ == "__main__":
    sys.exit(main())
