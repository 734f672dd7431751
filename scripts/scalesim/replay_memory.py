#!/usr/bin/env python3
"""Check the model lrsim implements (Sources/LRSim/Memory, docs/simulator.md "Memory stalls") on SCALE-Sim v3's own
prefetch and demand matrices: sets of ceil(words/100) elements, a circular active window of sets that slides by the
prefetch half on every fill, fills completing every ceil(fill words / bandwidth) + 1 cycles from cycle -1, the read
stall map x -> L + max(0, L - x), and the OFMAP drain rule. Runs in seconds (no per-fill trace concatenation) and
must reproduce every "Total Cycles" / "Stall Cycles" of scalesim_memory.csv.

Usage:  /tmp/ss/bin/python scripts/scalesim/replay_memory.py scripts/scalesim/scalesim_memory.csv [--verbose]
        (needs SCALE-Sim installed: it builds the matrices with SCALE-Sim's compute classes; keep to small cases)
"""
import math, os, sys, csv, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scalesim.scale_config import scale_config
from scalesim.topology_utils import topologies
from scalesim.layout_utils import layouts
from scalesim.compute.operand_matrix import operand_matrix
from scalesim.compute.systolic_compute_os import systolic_compute_os
from scalesim.compute.systolic_compute_ws import systolic_compute_ws
from scalesim.compute.systolic_compute_is import systolic_compute_is
from compare_memory import CONFIG
import tempfile

def matrices(case):
    with tempfile.TemporaryDirectory() as d:
        cfgf = os.path.join(d, 'c.cfg'); open(cfgf, 'w').write(CONFIG.format(**case))
        topf = os.path.join(d, 't.csv'); open(topf, 'w').write(f"Layer, M, N, K,\nl, {case['M']}, {case['N']}, {case['K']},\n")
        cfg = scale_config(); cfg.read_conf_file(cfgf)
        topo = topologies(); topo.load_arrays(topofile=topf, mnk_inputs=True)
    om = operand_matrix(); om.set_params(config_obj=cfg, topoutil_obj=topo, layoututil_obj=layouts(), layer_id=0)
    _, i = om.get_ifmap_matrix(); _, f = om.get_filter_matrix(); _, o = om.get_ofmap_matrix()
    cs = {'ws': systolic_compute_ws, 'os': systolic_compute_os, 'is': systolic_compute_is}[case['dataflow']]()
    cs.set_params(config_obj=cfg, ifmap_op_mat=i, filter_op_mat=f, ofmap_op_mat=o)
    ip, fp = cs.get_prefetch_matrices()
    idm, fdm, odm = cs.get_demand_matrices()
    return ip, fp, idm, fdm, odm

class Window:
    def __init__(self, prefetch, words, bw):
        flat = [x for x in np.asarray(prefetch).flatten() if x != -1]
        self.E = math.ceil(words / 100)
        A = math.ceil(words * 0.5); P = words - A
        self.setof = {a: r // self.E for r, a in enumerate(flat)}
        self.n = len(flat) // self.E + 1
        self.nA = min(math.ceil(A / self.E), self.n)
        self.nP = min(math.ceil(P / self.E), self.n - self.nA)
        self.u = 0
        self.delta = math.ceil(P / bw) + 1
        self.k = 0
    def line(self, addrs, c):
        x = c + 1
        for a in addrs:
            if a == -1: continue
            s = self.setof[a]
            d = (s - self.u) % self.n
            if d >= self.nA:
                steps = -(-(d - self.nA + 1) // self.nP)
                for _ in range(steps):
                    self.k += 1
                    L = -1 + self.k * self.delta
                    x = L + max(0, L - x)
                self.u = (self.u + steps * self.nP) % self.n
        return x - c - 1

class WriteBuf:
    def __init__(self, words, bw):
        self.S = words; self.A = math.ceil(words * 0.5); self.D = words - self.A; self.B = bw
        self.free = words; self.drainEnd = 0
        self.rows = []  # valid counts of trace rows
        self.cur = 0    # elements in current (open) row
        self.ds = 0
    def store(self):
        self.free -= 1; self.cur += 1
        if self.cur == self.B: self.rows.append(self.B); self.cur = 0
    def line(self, count, c):
        cur = c
        for _ in range(count):
            self.store()
            if cur < self.drainEnd:
                if not self.free > 0:
                    cur = self.drainEnd
            elif self.free < self.A:
                if self.cur: self.rows.append(self.cur); self.cur = 0
                lt = math.ceil(self.D / self.B)
                end = min(self.ds + lt, len(self.rows))
                nl = end - self.ds
                credit = nl * self.B - (self.B - self.rows[end - 1])
                self.free += credit
                self.ds = end
                self.drainEnd = cur + nl - 1
        return cur - c

def replay(case):
    ip, fp, idm, fdm, odm = matrices(case)
    bw = int(case['bandwidth'])
    wi = Window(ip, int(case['ifmap_kb']) * 1024, bw)
    wf = Window(fp, int(case['filter_kb']) * 1024, bw)
    wo = WriteBuf(int(case['ofmap_kb']) * 1024, bw)
    S = 0
    for i in range(odm.shape[0]):
        c = i + S
        a = wi.line(idm[i], c); b = wf.line(fdm[i], c); o = wo.line(int((odm[i] != -1).sum()), c)
        S += max(a, b, o)
    return odm.shape[0] - 1 + S, S

if __name__ == '__main__':
    rows = list(csv.DictReader(open(sys.argv[1])))
    bad = 0
    for r in rows:
        t, s = replay(r)
        ok = (t, s) == (int(r['total_cycles']), int(r['stall_cycles']))
        bad += not ok
        if not ok or len(sys.argv) > 2: print(r['name'], t, s, r['total_cycles'], r['stall_cycles'], 'ok' if ok else 'MISMATCH')
    print(len(rows) - bad, '/', len(rows))
