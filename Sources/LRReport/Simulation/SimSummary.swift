import Foundation
import LRSim

/// Human-readable summaries of sim reports for the terminal.
public enum SimSummary {
    /// One run: the headline, every unit's cycles by state, then memory, DRAM and energy.
    public static func text(_ r: SimReport) -> String {
        var s =
            "\(r.workload.model) \(r.workload.estimator) on \(r.hardware.name) (\(r.hardware.mapping), "
            + "\(r.hardware.pipeline)): "
        s += "\(r.iterations) iteration\(r.iterations == 1 ? "" : "s"), \(r.cycles) cycles"
        s += String(
            format: " (%.1f per iteration), %.1f iterations/s, %.0f samples/s at %.0f MHz\n",
            r.steadyStateCyclesPerIteration, r.throughput.iterationsPerSecond, r.throughput.samplesPerSecond,
            r.clockHz / 1e6)
        var units = TextTable(header: ["unit", "busy", "starved", "blocked", "idle", "util"], alignment: [.left])
        for st in r.stages where st.kind != "noise" || st.busy > 0 {
            units.append([
                st.name, String(st.busy), String(st.starved), String(st.blocked), String(st.idle),
                String(format: "%.1f%%", st.utilization * 100),
            ])
        }
        s += units.text + "\n"
        s +=
            "memory peak \(r.memory.peakBytes) B on chip (demand \(r.memory.peakDemandBytes) B, spilled "
            + "\(r.memory.spilledBytes) B); "
        s += "DRAM read \(r.dram.readBytes) B, write \(r.dram.writeBytes) B; "
        s += String(
            format: "energy %.3g uJ (%.3g uJ per iteration)", r.energyPj.total / 1e6, r.energyPj.perIteration / 1e6)
        s += r.work.conserved ? "" : "\nWARNING: executed work differs from the workload's totals"
        for w in r.warnings { s += "\nnote: \(w)" }
        return s
    }

    /// Several estimators side by side (`--compare`, the demo).
    public static func comparison(_ reports: [SimReport]) -> String {
        var t = TextTable(
            header: [
                "estimator", "cycles/iter", "iter/s", "samples/s", "util(arrays)", "peak mem B",
                "demand B", "DRAM B/iter", "energy uJ/iter",
            ], alignment: [.left])
        for r in reports {
            let arrays = r.stages.filter { $0.kind == "array" }
            let util = arrays.isEmpty ? 0 : arrays.reduce(0) { $0 + $1.utilization } / Double(arrays.count)
            let dram = Double(r.dram.readBytes + r.dram.writeBytes) / Double(max(r.iterations, 1))
            t.append([
                r.workload.estimator, String(format: "%.0f", r.steadyStateCyclesPerIteration),
                String(format: "%.1f", r.throughput.iterationsPerSecond),
                String(format: "%.0f", r.throughput.samplesPerSecond), String(format: "%.1f%%", util * 100),
                String(r.memory.peakBytes), String(r.memory.peakDemandBytes), String(format: "%.0f", dram),
                String(format: "%.3f", r.energyPj.perIteration / 1e6),
            ])
        }
        return t.text
    }
}
