import Foundation
import HWModel
import LRIO
import LRSim

/// Kind `sim`: the cycle-level simulation of one workload on the point's hardware. Writes `sim.json` (wall-clock
/// fields zeroed, so equal inputs give equal bytes) and reports throughput, memory, DRAM traffic, energy, MAC
/// utilisation and each unit's utilisation. The point's `workload.*` values replace the sweep's workload options.
public struct SimPointEvaluator: PointEvaluator {
    public let kind = "sim"
    public var options: SimWorkloadOptions

    public init(options: SimWorkloadOptions) { self.options = options }

    /// The workload simulated at `point`.
    public func workload(at point: SweepPoint) throws -> WorkloadSpec {
        try WorkloadOverrides.split(point.overrides).workload.applied(to: options).workload()
    }

    public func evaluate(_ hardware: HardwareModel, point: SweepPoint, directory: String) throws -> [String: Double] {
        var report = try Simulator.run(workload(at: point), on: hardware).report
        report.wallSeconds = 0
        report.simulatedCyclesPerSecond = 0
        try JSONReport.write(report, to: (directory as NSString).appendingPathComponent("sim.json"))
        return Self.metrics(report)
    }

    /// The sweep's view of a sim report.
    public static func metrics(_ r: SimReport) -> [String: Double] {
        var m: [String: Double] = [
            "sim.cycles_per_iteration": r.steadyStateCyclesPerIteration,
            "sim.iterations_per_second": r.clockHz / max(1, r.steadyStateCyclesPerIteration),
            "sim.samples_per_second": r.clockHz / max(1, r.steadyStateCyclesPerIteration) * Double(r.workload.batch),
            "sim.energy_uj_per_iteration": r.energyPj.perIteration / 1e6,
            "sim.energy_nj_per_sample": r.energyPj.perIteration / 1e3 / Double(max(1, r.workload.batch)),
            "sim.memory_peak_bytes": Double(r.memory.peakBytes),
            "sim.memory_demand_bytes": Double(r.memory.peakDemandBytes),
            "sim.dram_bytes_per_iteration": Double(r.dram.readBytes + r.dram.writeBytes) / Double(max(1, r.iterations)),
            "sim.mac_utilization": r.macUtilization,
            "sim.fill_cycles": r.fillCycles,
        ]
        // Where the energy of an iteration goes (the study's breakdown).
        let n = Double(max(1, r.iterations))
        for (part, pj) in [
            ("pe", r.energyPj.pe), ("sram", r.energyPj.sram), ("dram", r.energyPj.dram),
            ("interconnect", r.energyPj.interconnect), ("noise", r.energyPj.noise),
        ] {
            m["sim.energy_uj_per_iteration." + part] = pj / n / 1e6
        }
        for s in r.stages { m["sim.utilization." + s.name] = s.utilization }
        return m
    }
}
