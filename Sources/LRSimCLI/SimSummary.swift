import Foundation
import LRSim

/// Human-readable summaries of sim reports for the terminal.
enum SimSummary {
    static func text(_ r: SimReport) -> String {
        var s = "\(r.workload.model) \(r.workload.estimator) on \(r.hardware.name) (\(r.hardware.mapping), \(r.hardware.pipeline)): "
        s += "\(r.iterations) iteration\(r.iterations == 1 ? "" : "s"), \(r.cycles) cycles"
        s += String(format: " (%.1f per iteration), %.1f iterations/s, %.0f samples/s at %.0f MHz\n",
                    r.steadyStateCyclesPerIteration, r.throughput.iterationsPerSecond, r.throughput.samplesPerSecond,
                    r.clockHz / 1e6)
        s += "unit                    busy   starved   blocked      idle   util\n"
        for st in r.stages where st.kind != "noise" || st.busy > 0 {
            s += st.name.padding(toLength: 18, withPad: " ", startingAt: 0)
            s += String(format: " %9d %9d %9d %9d %6.1f%%\n", st.busy, st.starved, st.blocked, st.idle, st.utilization * 100)
        }
        s += "memory peak \(r.memory.peakBytes) B on chip (demand \(r.memory.peakDemandBytes) B, spilled \(r.memory.spilledBytes) B); "
        s += "DRAM read \(r.dram.readBytes) B, write \(r.dram.writeBytes) B; "
        s += String(format: "energy %.3g uJ (%.3g uJ per iteration)", r.energyPj.total / 1e6, r.energyPj.perIteration / 1e6)
        s += r.work.conserved ? "" : "\nWARNING: executed work differs from the workload's totals"
        for w in r.warnings { s += "\nnote: \(w)" }
        return s
    }

    static func comparison(_ reports: [SimReport]) -> String {
        var s = "estimator  cycles/iter   iter/s   samples/s  util(arrays)  peak mem B  demand B  DRAM B/iter  energy uJ/iter\n"
        for r in reports {
            let arrays = r.stages.filter { $0.kind == "array" }
            let util = arrays.isEmpty ? 0 : arrays.reduce(0) { $0 + $1.utilization } / Double(arrays.count)
            let dram = Double(r.dram.readBytes + r.dram.writeBytes) / Double(max(r.iterations, 1))
            s += r.workload.estimator.padding(toLength: 9, withPad: " ", startingAt: 0)
            s += String(format: " %12.0f %8.1f %11.0f %12.1f%% %11d %9d %12.0f %15.3f\n", r.steadyStateCyclesPerIteration,
                        r.throughput.iterationsPerSecond, r.throughput.samplesPerSecond, util * 100, r.memory.peakBytes,
                        r.memory.peakDemandBytes, dram, r.energyPj.perIteration / 1e6)
        }
        return s
    }
}

/// Writes `error: MESSAGE` to stderr (sim and gemm's one-line errors).
func simError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
}
