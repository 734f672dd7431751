import Foundation
import LRSim

/// Human-readable summaries of sim reports for the terminal.
public enum SimSummary {
    /// One run: the headline and steady state, every unit's cycles by state with its main stall, then memory, DRAM
    /// and energy.
    public static func text(_ r: SimReport) -> String {
        var s =
            "\(r.workload.model) \(r.workload.estimator) on \(r.hardware.name) (\(r.hardware.mapping), \(r.hardware.pipeline)"
        if r.hardware.lanes > 1 {
            s +=
                ", \(r.hardware.chips) chip\(r.hardware.chips == 1 ? "" : "s") x \(r.hardware.replicas) replicas, \(r.hardware.split) split"
        }
        s += "): \(r.iterations) iteration\(r.iterations == 1 ? "" : "s"), \(r.cycles) cycles\n"
        s += String(
            format:
                "steady state %.1f cycles per iteration (over %d iterations; fill %.0f cycles): %.1f iterations/s, %.0f samples/s at %.0f MHz; MAC utilisation %.1f%%\n",
            r.steadyStateCyclesPerIteration, r.periodIterations, r.fillCycles, r.throughput.iterationsPerSecond,
            r.throughput.samplesPerSecond, r.clockHz / 1e6, r.macUtilization * 100)
        var units = TextTable(
            header: ["unit", "busy", "starved", "blocked", "idle", "util", "MAC", "main stall"],
            alignment: [.left])
        for st in r.stages where st.kind != "noise" || st.busy > 0 {
            let main = st.stalls.filter { $0.key != "control" }.max { ($0.value, $1.key) < ($1.value, $0.key) }
            units.append([
                st.name, String(st.busy), String(st.starved), String(st.blocked), String(st.idle),
                String(format: "%.1f%%", st.utilization * 100),
                st.kind == "array" ? String(format: "%.1f%%", st.macUtilization * 100) : "",
                main.map { "\($0.key) \($0.value)" } ?? "",
            ])
        }
        s += units.text + "\n"
        s +=
            "memory peak \(r.memory.peakBytes) B on chip (demand \(r.memory.peakDemandBytes) B, spilled \(r.memory.spilledBytes) B); "
        s += "DRAM read \(r.dram.readBytes) B, write \(r.dram.writeBytes) B; "
        s += String(
            format: "energy %.3g uJ (%.3g uJ per iteration)", r.energyPj.total / 1e6, r.energyPj.perIteration / 1e6)
        s += r.work.conserved ? "" : "\nWARNING: executed work differs from the workload's totals"
        for w in r.warnings { s += "\nnote: \(w)" }
        return s
    }

    /// Several estimators side by side (`--compare`, the demo): steady-state rate, MAC utilisation, memory, DRAM and
    /// energy per iteration.
    public static func comparison(_ reports: [SimReport]) -> String {
        var t = TextTable(
            header: [
                "estimator", "cycles/iter", "iter/s", "samples/s", "MAC util", "peak mem B",
                "demand B", "DRAM B/iter", "energy uJ/iter",
            ], alignment: [.left])
        for r in reports {
            let dram = Double(r.dram.readBytes + r.dram.writeBytes) / Double(max(r.iterations, 1))
            t.append([
                r.workload.estimator, String(format: "%.0f", r.steadyStateCyclesPerIteration),
                String(format: "%.1f", r.throughput.iterationsPerSecond),
                String(format: "%.0f", r.throughput.samplesPerSecond), String(format: "%.1f%%", r.macUtilization * 100),
                String(r.memory.peakBytes), String(r.memory.peakDemandBytes), String(format: "%.0f", dram),
                String(format: "%.3f", r.energyPj.perIteration / 1e6),
            ])
        }
        return t.text
    }
}
