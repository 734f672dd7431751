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
    public static func run(_ spec: WorkloadSpec, on hardware: HardwareModel, record: Bool = false) throws
        -> SimulationResult
    {
        let start = DispatchTime.now().uptimeNanoseconds
        var source = try WorkloadBuilder(spec: spec, hardware: hardware)
        let engine = try Engine(recordActivity: record).run(source: &source)
        let built = source.built
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let report = makeReport(built: built, engine: engine, wallSeconds: wall)
        return SimulationResult(workload: built, engine: engine, report: report)
    }

    /// The report of a finished run (`wallSeconds` is the only field that is not a function of the inputs).
    public static func makeReport(built: BuiltWorkload, engine e: EngineResult, wallSeconds: Double) -> SimReport {
        let g = built.graph, hw = built.hardware, spec = built.spec
        let hz = hw.clock.hz
        let seconds = Double(e.cycles) / hz
        var arrayMACs = 0, arrayPEs = 0
        var stages: [SimReport.StageReport] = g.units.indices.map { i in
            let c = e.unitCycles[i], u = g.units[i]
            var stalls: [String: Int] = [:]
            for r in StallReason.allCases where r != .none && c.cycles(r) > 0 { stalls[r.name] = c.cycles(r) }
            let macs = e.unitCounts[i].macs
            var macUtilization = 0.0
            if u.kind == .array {
                arrayMACs &+= macs; arrayPEs &+= u.width
                macUtilization = e.cycles > 0 ? Double(macs) / (Double(e.cycles) * Double(u.width)) : 0
            }
            return .init(
                name: u.name, kind: u.kind.rawValue, stage: u.stage, busy: c.busy, starved: c.starved,
                blocked: c.blocked, idle: c.idle, utilization: c.utilization, macUtilization: macUtilization,
                tasks: e.unitTasks[i], macs: macs, stalls: stalls)
        }
        let dram = e.dramCycles
        for (c, busy) in e.dramBusyCycles.enumerated() {
            stages.append(
                .init(
                    name: g.memories[c].name, kind: "dram", stage: "", busy: busy, starved: 0, blocked: 0,
                    idle: max(0, e.cycles - busy), utilization: e.cycles > 0 ? Double(busy) / Double(e.cycles) : 0,
                    macUtilization: 0, tasks: 0, macs: 0, stalls: [:]))
        }
        let buffers: [SimReport.BufferReport] = g.buffers.indices.map { i in
            let b = g.buffers[i]
            return .init(
                name: b.name, stage: b.stage, role: b.role.rawValue, capacityBytes: b.capacityBytes,
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
            fifos: g.fifos.indices.map {
                .init(
                    name: g.fifos[$0].name, capacityWords: g.fifos[$0].capacityWords,
                    peakWords: e.fifoPeakWords[$0])
            })
        let iterations = spec.iterations
        let period = SteadyState(iterationEnd: e.iterationEnd, cycles: e.cycles)
        let expected = g.totals
        func throughput(_ cyclesPerIteration: Double) -> SimReport.Throughput {
            let ips = cyclesPerIteration > 0 ? hz / cyclesPerIteration : 0
            return .init(samplesPerSecond: ips * Double(spec.batch), iterationsPerSecond: ips)
        }
        let replicas = built.stagesReplicas.max() ?? 1
        return SimReport(
            hardware: .init(
                name: hw.name, silicon: hw.silicon, mapping: hw.mapping.kind.rawValue,
                pipeline: hw.pipeline.mode.rawValue, staleness: hw.pipeline.staleness,
                timing: GemmTimingConvention(hw.timing.systolic).rawValue, chips: hw.interconnect.chips,
                replicas: replicas, lanes: hw.interconnect.chips * replicas,
                split: hw.mapping.split.rawValue, collective: hw.interconnect.collective.rawValue,
                tiles: hw.timing.tiles),
            workload: .init(
                model: spec.network.name, estimator: spec.method.rawValue, batch: spec.batch,
                copies: spec.method.isForwardOnly ? built.layers.indices.map { spec.copies(ofLayer: $0) } : [],
                antithetic: spec.antithetic, copiesPerPass: spec.copiesPerPass,
                injection: spec.method.isForwardOnly ? spec.injection.rawValue : "",
                schedule: spec.method == .bp ? spec.schedule.rawValue : "",
                microbatches: spec.method == .bp ? spec.microbatches : 0,
                layers: built.layers.map(\.summary), tasks: g.taskCount),
            cycles: e.cycles, clockHz: hz, iterations: iterations, seconds: seconds,
            cyclesPerIteration: Double(e.cycles) / Double(iterations),
            steadyStateCyclesPerIteration: period.cyclesPerIteration, fillCycles: period.fillCycles,
            periodIterations: period.iterations,
            throughput: throughput(period.cyclesPerIteration),
            averageThroughput: throughput(Double(e.cycles) / Double(iterations)),
            macUtilization: arrayPEs > 0 && e.cycles > 0
                ? Double(arrayMACs) / (Double(e.cycles) * Double(arrayPEs)) : 0,
            stages: stages, memory: memory,
            dram: .init(
                devices: e.dramBusyCycles.count, readBytes: e.dramReadBytes, writeBytes: e.dramWriteBytes,
                spillReadBytes: e.spillReadBytes, spillWriteBytes: e.spillWriteBytes, busyCycles: dram.busy,
                utilization: e.cycles > 0
                    ? Double(dram.busy) / (Double(e.cycles) * Double(max(1, e.dramBusyCycles.count))) : 0),
            energyPj: EnergyModel.report(
                counts: e.executed, dramRead: e.dramReadBytes, dramWrite: e.dramWriteBytes,
                cycles: e.cycles, iterations: iterations, graph: g, hardware: hw),
            work: .init(
                executed: e.executed, expected: expected, conserved: e.executed == expected,
                tasks: e.tasksExecuted, peakLiveTasks: e.peakLiveTasks),
            wallSeconds: wallSeconds,
            simulatedCyclesPerSecond: wallSeconds > 0 ? Double(e.cycles) / wallSeconds : 0,
            warnings: g.warnings)
    }
}

/// The steady-state period of a run from the cycles its iterations ended at. The first and the last quarter of the
/// iterations are left out: at the start the pipeline fills, and at the end the last iterations' gradient work has no
/// forward work after it and finishes early (measured over all iterations the overlapped pipelines looked 20-30%
/// faster at 4 iterations than at 32). Below 8 iterations every iteration counts.
public struct SteadyState: Sendable, Hashable {
    public var cyclesPerIteration: Double
    public var fillCycles: Double
    /// Iterations the period was measured over.
    public var iterations: Int

    public init(iterationEnd ends: [Int], cycles: Int) {
        let n = ends.count
        guard n >= 2 else {
            cyclesPerIteration = Double(cycles); fillCycles = 0; iterations = n
            return
        }
        let lo = n >= 8 ? n / 4 : 0
        let hi = n >= 8 ? n - 1 - n / 4 : n - 1
        cyclesPerIteration = Double(ends[hi] - ends[lo]) / Double(hi - lo)
        fillCycles = max(0, Double(ends[lo]) - Double(lo) * cyclesPerIteration)
        iterations = hi - lo
    }
}

/// A finished simulation: the workload, the engine's raw result and the report.
public struct SimulationResult: Sendable {
    public var workload: BuiltWorkload
    public var engine: EngineResult
    public var report: SimReport
}
