import HWModel
import LRCore
import XCTest

@testable import LRSim

/// The steady-state period is measured over the middle iterations, so it does not depend on how many iterations run.
final class SteadyStateTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func hw(_ name: String) throws -> HardwareModel {
        try HardwareModel.load(path: Self.repo.appendingPathComponent("hwmodels/\(name)").path)
    }

    func testPeriodAgreesWithinOnePercentBetween16And64Iterations() throws {
        let mlp = try NetworkSpec.parse("mlp:784-64-10")
        var cases: [(WorkloadSpec, HardwareModel)] = [
            (WorkloadSpec(network: mlp, method: .alr, batch: 32, copies: [4]), try hw("edge.toml")),
            (WorkloadSpec(network: mlp, method: .bp, batch: 32, copies: []), try hw("datacenter-bp.toml")),
            (WorkloadSpec(network: mlp, method: .lr, batch: 32, copies: [4]), try hw("datacenter.toml")),
        ]
        var gpipe = WorkloadSpec(network: try NetworkSpec.parse("mlp:64-64-64-10"), method: .bp, batch: 32, copies: [])
        gpipe.schedule = .gpipe; gpipe.microbatches = 4
        cases.append((gpipe, try hw("datacenter-bp.toml")))
        for (spec, model) in cases {
            var s = spec
            s.iterations = 16
            let short = try Simulator.run(s, on: model).report
            s.iterations = 64
            let long = try Simulator.run(s, on: model).report
            XCTAssertEqual(
                short.steadyStateCyclesPerIteration, long.steadyStateCyclesPerIteration,
                accuracy: 0.01 * long.steadyStateCyclesPerIteration, "\(spec.method) on \(model.name)")
            XCTAssertEqual(
                long.throughput.iterationsPerSecond, model.clock.hz / long.steadyStateCyclesPerIteration,
                accuracy: 1e-9 * long.throughput.iterationsPerSecond)
            XCTAssertEqual(long.periodIterations, 64 - 1 - 2 * 16)
        }
    }

    func testPeriodOfTheMiddleHalfByHand() {
        // Ends at 100, 200, ..., 800 (8 iterations): the middle half is iterations 2...5, period 100, fill 100.
        let s = SteadyState(iterationEnd: (1...8).map { $0 * 100 }, cycles: 800)
        XCTAssertEqual(s.cyclesPerIteration, 100)
        XCTAssertEqual(s.fillCycles, 100)
        XCTAssertEqual(s.iterations, 3)
        // A slow start (the fill) and a fast end (the drain) do not move it.
        let t = SteadyState(iterationEnd: [1000, 1100, 1200, 1300, 1400, 1500, 1550, 1560], cycles: 1560)
        XCTAssertEqual(t.cyclesPerIteration, 100)
        XCTAssertEqual(t.fillCycles, 1000)
    }
}
