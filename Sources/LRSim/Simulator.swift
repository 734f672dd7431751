import Foundation
import HWModel
import LRCore

/// The simulator's entry point: build the workload's task graph for a hardware model, run the engine, report.
///
///     let spec = WorkloadSpec(network: try NetworkSpec.parse("mlp:784-256-10"), method: .alr, batch: 128,
///                             copies: [32], iterations: 10)
///     let result = try Simulator.run(spec, on: try HardwareModel.load(path: "hwmodels/edge.toml"))
///     print(result.report.throughput.iterationsPerSecond)
public enum Simulator {
    /// Simulates `spec` on `hardware`. `record` keeps the activity needed for VCD and timeline output.
    public static func run(_ spec: WorkloadSpec, on hardware: HardwareModel, record: Bool = false) throws -> SimulationResult {
        let start = DispatchTime.now().uptimeNanoseconds
        let built = try WorkloadBuilder(spec: spec, hardware: hardware).build()
        let engine = try Engine(graph: built.graph, recordActivity: record).run()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let report = makeReport(built: built, engine: engine, wallSeconds: wall)
        return SimulationResult(workload: built, engine: engine, report: report)
    }

    /// The report of a finished run (`wallSeconds` is the only field that is not a function of the inputs).
    public static func makeReport(built: BuiltWorkload, engine e: EngineResult, wallSeconds: Double) -> SimReport {
        let g = built.graph, hw = built.hardware, spec = built.spec
        let hz = hw.clock.hz
        let seconds = Double(e.cycles) / hz
        var stages: [SimReport.StageReport] = g.units.indices.map { i in
            let c = e.unitCycles[i], u = g.units[i]
            return .init(name: u.name, kind: u.kind.rawValue, stage: u.stage, busy: c.busy, starved: c.starved,
                         blocked: c.blocked, idle: c.idle, utilization: c.utilization, tasks: e.unitTasks[i],
                         macs: e.unitCounts[i].macs)
        }
        stages.append(.init(name: "dram", kind: "dram", stage: "", busy: e.dramCycles.busy, starved: e.dramCycles.starved,
                            blocked: e.dramCycles.blocked, idle: e.dramCycles.idle, utilization: e.dramCycles.utilization,
                            tasks: 0, macs: 0))
        let buffers: [SimReport.BufferReport] = g.buffers.indices.map { i in
            let b = g.buffers[i]
            return .init(name: b.name, stage: b.stage, role: b.role.rawValue, capacityBytes: b.capacityBytes,
                         peakBytes: e.bufferPeakBytes[i], peakDemandBytes: e.bufferPeakDemandBytes[i],
                         spilledBytes: e.bufferSpilledBytes[i])
        }
        var byRole: [String: Int] = [:]
        for b in buffers { byRole[b.role, default: 0] += b.peakDemandBytes }
        let memory = SimReport.MemoryReport(
            peakBytes: buffers.reduce(0) { $0 + $1.peakBytes },
            peakDemandBytes: buffers.reduce(0) { $0 + $1.peakDemandBytes },
            spilledBytes: buffers.reduce(0) { $0 + $1.spilledBytes },
            perBuffer: Dictionary(uniqueKeysWithValues: buffers.map { ($0.name, $0.peakBytes) }),
            peakDemandByRole: byRole, buffers: buffers,
            fifos: g.fifos.indices.map { .init(name: g.fifos[$0].name, capacityWords: g.fifos[$0].capacityWords,
                                               peakWords: e.fifoPeakWords[$0]) })
        let iterations = spec.iterations
        let steady: Double
        if iterations >= 2, let first = e.iterationEnd.first, let last = e.iterationEnd.last {
            steady = Double(last - first) / Double(iterations - 1)
        } else {
            steady = Double(e.cycles)
        }
        let expected = g.totals
        return SimReport(
            hardware: .init(name: hw.name, silicon: hw.silicon, mapping: hw.mapping.kind.rawValue,
                            pipeline: hw.pipeline.mode.rawValue, staleness: hw.pipeline.staleness,
                            timing: GemmTimingConvention(hw.timing.systolic).rawValue),
            workload: .init(model: spec.network.name, estimator: spec.method.rawValue, batch: spec.batch,
                            copies: spec.method.isForwardOnly ? built.layers.indices.map { spec.copies(ofLayer: $0) } : [],
                            antithetic: spec.antithetic, copiesPerPass: spec.copiesPerPass,
                            layers: built.layers.map(\.summary), tasks: g.tasks.count),
            cycles: e.cycles, clockHz: hz, iterations: iterations, seconds: seconds,
            cyclesPerIteration: Double(e.cycles) / Double(iterations),
            steadyStateCyclesPerIteration: steady,
            throughput: .init(samplesPerSecond: seconds > 0 ? Double(iterations * spec.batch) / seconds : 0,
                              iterationsPerSecond: seconds > 0 ? Double(iterations) / seconds : 0),
            stages: stages, memory: memory,
            dram: .init(readBytes: e.dramReadBytes, writeBytes: e.dramWriteBytes, spillReadBytes: e.spillReadBytes,
                        spillWriteBytes: e.spillWriteBytes, busyCycles: e.dramCycles.busy,
                        utilization: e.dramCycles.utilization),
            energyPj: EnergyModel.report(counts: e.executed, dramRead: e.dramReadBytes, dramWrite: e.dramWriteBytes,
                                         cycles: e.cycles, iterations: iterations, graph: g, table: hw.energy),
            work: .init(executed: e.executed, expected: expected, conserved: e.executed == expected,
                        tasks: e.tasksExecuted),
            wallSeconds: wallSeconds,
            simulatedCyclesPerSecond: wallSeconds > 0 ? Double(e.cycles) / wallSeconds : 0,
            warnings: g.warnings)
    }
}

/// A finished simulation: the workload, the engine's raw result and the report.
public struct SimulationResult: Sendable {
    public var workload: BuiltWorkload
    public var engine: EngineResult
    public var report: SimReport
}
