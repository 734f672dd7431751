import Benchmark
import Foundation
import HWModel
import LRCore
import LRSim

/// Simulator speed: `lrsim gemm` on ResNet-18 (SCALE-Sim takes minutes), one epoch (469 iterations) of the MLP with
/// K=32 on the edge model, and how the time scales with iterations, copies and stages. The custom metric
/// `simulated cycles/s` is simulated cycles per wall-second.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(3), maxIterations: 20)

    let edgePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("hwmodels/edge.toml").path
    guard let edge = try? HardwareModel.load(path: edgePath) else {
        fatalError("cannot load \(edgePath)")
    }
    let cyclesPerSecond = BenchmarkMetric.custom("simulated cycles/s", polarity: .prefersLarger, useScalingFactor: false)

    Benchmark("gemm resnet18 (21 layers, 32x32 ws)") { benchmark in
        let list = GemmList.preset("resnet18")!
        for _ in benchmark.scaledIterations {
            blackHole(GemmReport(list: list, array: SystolicArray(rows: 32, cols: 32, dataflow: .ws), convention: .scalesim))
        }
    }

    func simulate(_ name: String, model: String, method: EstimatorKind, copies: Int, iterations: Int) {
        Benchmark(name, configuration: .init(metrics: [.wallClock, cyclesPerSecond], maxDuration: .seconds(5), maxIterations: 5)) { benchmark in
            let spec = WorkloadSpec(network: try NetworkSpec.parse(model), method: method, batch: 128,
                                    copies: [copies], iterations: iterations)
            for _ in benchmark.scaledIterations {
                let start = DispatchTime.now().uptimeNanoseconds
                let r = try Simulator.run(spec, on: edge)
                let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                benchmark.measurement(cyclesPerSecond, Int(Double(r.report.cycles) / wall))
                blackHole(r.report.cycles)
            }
        }
    }

    simulate("sim epoch mlp:784-256-10 alr K=32 x469", model: "mlp:784-256-10", method: .alr, copies: 32, iterations: 469)
    simulate("sim epoch mlp:784-256-10 lr K=32 x469", model: "mlp:784-256-10", method: .lr, copies: 32, iterations: 469)
    simulate("sim epoch mlp:784-256-10 bp x469", model: "mlp:784-256-10", method: .bp, copies: 0, iterations: 469)
    for n in [50, 100, 200, 400] {
        simulate("scaling iterations=\(n) (alr K=32)", model: "mlp:784-256-10", method: .alr, copies: 32, iterations: n)
    }
    for k in [8, 16, 32, 64] {
        simulate("scaling copies=\(k) (alr, 100 it)", model: "mlp:784-256-10", method: .alr, copies: k, iterations: 100)
    }
    for (depth, spec) in [(2, "mlp:784-256-10"), (4, "mlp:784-256-256-256-10"), (8, "mlp:784-256-256-256-256-256-256-256-10")] {
        simulate("scaling stages=\(depth) (alr K=32, 100 it)", model: spec, method: .alr, copies: 32, iterations: 100)
    }
}
