import Foundation
import LRSim

/// Human-readable summaries of sim reports for the terminal.
enum SimSummary {
    static func text(_ r: SimReport) -> String {
        var s = "\(r.workload.model) \(r.workload.estimator) on \(r.hardware.name) (\(r.hardware.mapping), \(r.hardware.pipeline)"
        if r.hardware.lanes > 1 { s += ", \(r.hardware.chips) chip\(r.hardware.chips == 1 ? "" : "s") x \(r.hardware.replicas) replicas, \(r.hardware.split) split" }
        s += "): \(r.iterations) iteration\(r.iterations == 1 ? "" : "s"), \(r.cycles) cycles\n"
        s += String(format: "steady state %.1f cycles per iteration (over %d iterations; fill %.0f cycles): %.1f iterations/s, %.0f samples/s at %.0f MHz; MAC utilisation %.1f%%\n",
                    r.steadyStateCyclesPerIteration, r.periodIterations, r.fillCycles, r.throughput.iterationsPerSecond,
                    r.throughput.samplesPerSecond, r.clockHz / 1e6, r.macUtilization * 100)
        s += "unit                    busy   starved   blocked      idle   util   MAC%  main stall\n"
        for st in r.stages where st.kind != "noise" || st.busy > 0 {
            s += st.name.padding(toLength: 18, withPad: " ", startingAt: 0)
            let main = st.stalls.filter { $0.key != "control" }.max { ($0.value, $1.key) < ($1.value, $0.key) }
            s += String(format: " %9d %9d %9d %9d %6.1f%% %5.1f%%  %@\n", st.busy, st.starved, st.blocked, st.idle,
                        st.utilization * 100, st.macUtilization * 100, main.map { "\($0.key) \($0.value)" } ?? "")
        }
        s += "memory peak \(r.memory.peakBytes) B on chip (demand \(r.memory.peakDemandBytes) B, spilled \(r.memory.spilledBytes) B); "
        s += "DRAM read \(r.dram.readBytes) B, write \(r.dram.writeBytes) B; "
        s += String(format: "energy %.3g uJ (%.3g uJ per iteration)", r.energyPj.total / 1e6, r.energyPj.perIteration / 1e6)
        s += r.work.conserved ? "" : "\nWARNING: executed work differs from the workload's totals"
        for w in r.warnings { s += "\nnote: \(w)" }
        return s
    }

    static func comparison(_ reports: [SimReport]) -> String {
        var s = "estimator  cycles/iter   iter/s   samples/s   MAC util  peak mem B  demand B  DRAM B/iter  energy uJ/iter\n"
        for r in reports {
            let util = r.macUtilization
            let dram = Double(r.dram.readBytes + r.dram.writeBytes) / Double(max(r.iterations, 1))
            s += r.workload.estimator.padding(toLength: 9, withPad: " ", startingAt: 0)
            s += String(format: " %12.0f %8.1f %11.0f %9.1f%% %11d %9d %12.0f %15.3f\n", r.steadyStateCyclesPerIteration,
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
