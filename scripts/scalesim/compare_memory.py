#!/usr/bin/env python3
"""Run SCALE-Sim v3 with finite SRAMs and a user bandwidth on every GEMM of memory_cases.csv and write
scalesim_memory.csv (its "Total Cycles" and "Stall Cycles" per case).

The Swift test suite (Tests/LRSimTests/ScratchpadAgreementTests.swift) checks lrsim's double-buffered scratchpad model
against the committed scalesim_memory.csv, so SCALE-Sim itself never runs in the test suite.

SCALE-Sim's configuration for a case: ArrayHeight/ArrayWidth = rows/cols, IfmapSramSzkB / FilterSramSzkB /
OfmapSramSzkB = the three sizes in KiB (SCALE-Sim's word is 1 byte, so a KiB holds 1024 words),
InterfaceBandwidth: USER, and the bandwidth in words per cycle written to all three places v3.0.0 reads it from:
`Bandwidth` (the OFMAP write interface) and `IfmapSRAMBankBandwidth` / `FilterSRAMBankBandwidth` (in USER mode v3.0.0
takes the IFMAP and filter read interfaces' bandwidth from the [layout] section), with one bank each.

Usage:  python3 -m venv /tmp/ss && /tmp/ss/bin/pip install scalesim "numpy<2"
        /tmp/ss/bin/python scripts/scalesim/compare_memory.py --generate 90 --seed 7   # (re)write memory_cases.csv
        /tmp/ss/bin/python scripts/scalesim/compare_memory.py --generate 90 --seed 8 --profile stress --append
        /tmp/ss/bin/python scripts/scalesim/compare_memory.py [--lrsim .build/release/lrsim] [--jobs 2]
"""
import argparse, contextlib, csv, io, json, os, random, subprocess, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor

CONFIG = """[general]
run_name = lrsim_memory

[architecture_presets]
ArrayHeight:    {rows}
ArrayWidth:     {cols}
IfmapSramSzkB:    {ifmap_kb}
FilterSramSzkB:   {filter_kb}
OfmapSramSzkB:    {ofmap_kb}
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Dataflow : {dataflow}
Bandwidth : {bandwidth}
ReadRequestBuffer: 32
WriteRequestBuffer: 32
MemoryBanks: 1

[layout]
IfmapCustomLayout: False
IfmapSRAMBankBandwidth: {bandwidth}
IfmapSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterCustomLayout: False
FilterSRAMBankBandwidth: {bandwidth}
FilterSRAMBankNum: 1
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

CASE_FIELDS = ["name", "rows", "cols", "dataflow", "M", "N", "K", "ifmap_kb", "filter_kb", "ofmap_kb", "bandwidth"]


def run_case(case):
    from scalesim.scale_sim import scalesim
    t0 = time.time()
    with tempfile.TemporaryDirectory() as workdir:
        cfg = os.path.join(workdir, "scale.cfg")
        topo = os.path.join(workdir, "gemm.csv")
        layout = os.path.join(workdir, "layout.csv")  # v3 requires one even when custom layouts are off
        with open(cfg, "w") as f:
            f.write(CONFIG.format(**case))
        with open(topo, "w") as f:
            f.write("Layer, M, N, K,\n")
            f.write(f"{case['name']}, {case['M']}, {case['N']}, {case['K']},\n")
        with open(layout, "w") as f:
            f.write(f"Layer,\n{case['name']},\n")
        out = os.path.join(workdir, "out")
        s = scalesim(save_disk_space=True, verbose=False, config=cfg, topology=topo, layout=layout,
                     input_type_gemm=True)
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
    # LayerID, Total Cycles (incl. prefetch), Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, ...
    r = dict(case)
    r.update({"total_cycles": int(float(vals[2])), "stall_cycles": int(float(vals[3])),
              "scalesim_seconds": round(time.time() - t0, 2)})
    return r


def lines_estimate(c):
    """SCALE-Sim's demand-matrix rows: folds x cycles per fold (its run time is about linear in this)."""
    rows, cols, m, n, k = (int(c[x]) for x in ("rows", "cols", "M", "N", "K"))
    sr, sc, t = {"ws": (k, n, m), "os": (m, n, k), "is": (k, m, n)}[c["dataflow"]]
    per = (rows if c["dataflow"] == "os" else 2 * rows) + cols + t - 2
    return -(-sr // rows) * -(-sc // cols) * per


def generate(count, seed, profile, first=0):
    """Random cases: every dataflow, square and rectangular arrays, ragged shapes. `mixed`: SRAMs from 1 KiB
    (stall-heavy) to 64 KiB (often everything fits), bandwidths 1-64 words per cycle, at most ~40k demand rows.
    `stress`: 1-3 KiB SRAMs, 1-8 words per cycle, operands larger than the buffers (re-streaming, wrap-arounds,
    OFMAP drains that stall), up to ~60k demand rows."""
    rng = random.Random(seed)
    cases = []
    stress = profile == "stress"
    while len(cases) < count:
        df = ("ws", "os", "is")[len(cases) % 3]
        rows = rng.choice([2, 3, 4, 5, 8, 8, 12, 16, 16, 32])
        cols = rng.choice([2, 3, 4, 6, 8, 8, 12, 16, 16, 32])
        if stress:
            dim = lambda: rng.choice([rng.randint(1, 40), rng.randint(20, 160), rng.randint(60, 300)])
            kb = lambda: rng.choice([1, 1, 1, 2, 3])
            bw = lambda: rng.choice([1, 1, 2, 3, 4, 8])
        else:
            dim = lambda: rng.choice([rng.randint(1, 16), rng.randint(1, 80), rng.randint(20, 200)])
            kb = lambda: rng.choice([1, 1, 1, 2, 2, 3, 4, 8, 16, 64])
            bw = lambda: rng.choice([1, 1, 2, 3, 4, 5, 8, 10, 16, 64])
        n = first + len(cases)
        c = {"name": f"{'st' if stress else 'mem'}{n:03d}_{df}", "rows": rows, "cols": cols, "dataflow": df,
             "M": dim(), "N": dim(), "K": dim(), "ifmap_kb": kb(), "filter_kb": kb(), "ofmap_kb": kb(),
             "bandwidth": bw()}
        if lines_estimate(c) > (60000 if stress else 40000):
            continue
        if stress and int(c["M"]) * int(c["K"]) + int(c["K"]) * int(c["N"]) < 2048:
            continue
        cases.append({k: str(v) for k, v in c.items()})
    return cases


def lrsim_cycles(binary, c):
    p = subprocess.run([binary, "gemm", "--rows", c["rows"], "--cols", c["cols"], "--dataflow", c["dataflow"],
                        "--ifmap-sram-kb", c["ifmap_kb"], "--filter-sram-kb", c["filter_kb"],
                        "--ofmap-sram-kb", c["ofmap_kb"], "--bandwidth", c["bandwidth"],
                        c["M"], c["N"], c["K"], "--json"], capture_output=True, text=True, check=True)
    layer = json.loads(p.stdout)["layers"][0]
    return layer["cycles"], layer["stall_cycles"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=os.path.join(here, "memory_cases.csv"))
    ap.add_argument("--out", default=os.path.join(here, "scalesim_memory.csv"))
    ap.add_argument("--generate", type=int, default=0, help="write this many random cases to --cases and stop")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", choices=["mixed", "stress"], default="mixed")
    ap.add_argument("--append", action="store_true", help="with --generate: add to the existing cases file")
    ap.add_argument("--lrsim", default=None, help="path to an lrsim binary to compare against")
    ap.add_argument("--only", default=None, help="comma-separated case names")
    ap.add_argument("--jobs", type=int, default=1, help="SCALE-Sim processes at once")
    args = ap.parse_args()
    if args.generate:
        old = []
        if args.append:
            with open(args.cases) as f:
                old = list(csv.DictReader(f))
        cases = old + generate(args.generate, args.seed, args.profile)
        with open(args.cases + ".tmp", "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=CASE_FIELDS, lineterminator="\n")
            w.writeheader()
            w.writerows(cases)
        os.replace(args.cases + ".tmp", args.cases)
        print(f"wrote {len(cases)} cases to {args.cases}")
        return 0
    with open(args.cases) as f:
        cases = [r for r in csv.DictReader(f) if not r["name"].startswith("#")]
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c["name"] in keep]
    results, mismatches = [], 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for r in pool.map(run_case, cases):
            extra = ""
            if args.lrsim:
                cyc, stall = lrsim_cycles(args.lrsim, r)
                ok = (cyc, stall) == (r["total_cycles"], r["stall_cycles"])
                mismatches += 0 if ok else 1
                extra = f"  lrsim={cyc}/{stall}{'' if ok else '  MISMATCH'}"
            results.append(r)
            print(f"{r['name']:14s} {r['dataflow']} {r['rows']}x{r['cols']} M={r['M']} N={r['N']} K={r['K']} "
                  f"kb={r['ifmap_kb']}/{r['filter_kb']}/{r['ofmap_kb']} bw={r['bandwidth']}: "
                  f"total={r['total_cycles']} stall={r['stall_cycles']}{extra}  ({r['scalesim_seconds']} s)",
                  flush=True)
    fields = CASE_FIELDS + ["total_cycles", "stall_cycles", "scalesim_seconds"]
    with open(args.out + ".tmp", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(results)
    os.replace(args.out + ".tmp", args.out)
    if args.lrsim:
        print(f"{len(results) - mismatches}/{len(results)} cases agree to the cycle")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
