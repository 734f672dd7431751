import Foundation
import HWModel
import LRCore
import LRSim
import LRTestSupport
import LRTrain
import XCTest

@testable import LRStudies

/// `workload.*` sweep axes: they split from the hardware-model overrides, are checked when parsed, and each point
/// simulates (or trains) exactly the workload its values name.
final class WorkloadAxesTests: XCTestCase {
    static var edge: String { SweepRunnerTests.edge }

    func testOverridesSplitIntoHardwareAndWorkload() throws {
        let (hw, w) = try WorkloadOverrides.split([
            "pe.rows=16", "workload.estimator=alr", "workload.copies=8", "formats.activations.bits=6",
            "workload.injection=all-layers", "workload.schedule=1f1b", "workload.microbatches=4",
            "workload.model=mlp:784-32-10", "workload.batch=12",
        ])
        XCTAssertEqual(hw, ["pe.rows=16", "formats.activations.bits=6"])
        XCTAssertEqual(w.estimator, .alr)
        XCTAssertEqual(w.copies, CopyCounts(8))
        XCTAssertEqual(w.injection, .allLayers)
        XCTAssertEqual(w.schedule, .oneFOneB)
        XCTAssertEqual(w.microbatches, 4)
        XCTAssertEqual(w.model, "mlp:784-32-10")
        XCTAssertEqual(w.batch, 12)
        XCTAssertTrue(try WorkloadOverrides.split(["pe.rows=16"]).workload.isEmpty)
    }

    func testBadWorkloadValuesAreNamed() {
        let cases: [(String, String)] = [
            ("workload.estimator=foo", "workload.estimator=foo: expected one of bp, lr, alr, es, aes"),
            ("workload.copies=0", "workload.copies=0: expected an integer in 1 ... 65536"),
            ("workload.copies=x", "workload.copies=x: expected an integer in 1 ... 65536"),
            ("workload.schedule=zigzag", "workload.schedule=zigzag: expected one of serial, gpipe, 1f1b"),
            ("workload.depth=3", "workload.depth: expected a workload key among workload.model, workload.estimator"),
            ("workload.model=mlp:784", "workload.model=mlp:784: "),
        ]
        for (override, message) in cases {
            XCTAssertThrowsError(try WorkloadOverrides.split([override])) { e in
                XCTAssertTrue("\(e)".contains(message), "\(override): \(e)")
                XCTAssertFalse("\(e)".contains("\n"))
            }
        }
    }

    /// Each point's metrics are those of a direct simulation of the workload its values name, on the hardware its
    /// hardware values name.
    func testSimPointsSimulateTheWorkloadTheirValuesName() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        var options = SimWorkloadOptions(model: "mlp:784-32-10", estimator: .lr, batch: 8, copies: [2], iterations: 4)
        options.schedule = .serial
        let axes = [
            try SweepAxis.parse("workload.estimator=alr,bp"), try SweepAxis.parse("workload.copies=2,6"),
            try SweepAxis.parse("pe.rows=8,16"),
        ]
        let spec = SweepSpec(hw: Self.edge, axes: axes, kinds: ["sim"], sim: options)
        let base = try HardwareModel.load(path: Self.edge)
        _ = try SweepRunner(
            spec: spec, grid: try SweepGrid(axes: axes), hardware: base,
            evaluators: [SimPointEvaluator(options: options)], store: SweepStore(directory: tmp.path("o"))
        ).run()
        let table = try SweepTable.read(from: tmp.path("o"))
        XCTAssertEqual(table.points.count, 8)
        var distinct = Set<Double>()
        for p in table.points {
            XCTAssertEqual(p.status, .ok, p.error ?? "")
            let e = EstimatorKind(rawValue: try XCTUnwrap(p.values["workload.estimator"]))!
            let k = Int(try XCTUnwrap(p.values["workload.copies"]))!
            let rows = try XCTUnwrap(p.values["pe.rows"])
            let work = WorkloadSpec(
                network: try NetworkSpec.parse("mlp:784-32-10"), method: e, batch: 8, copies: CopyCounts(k),
                iterations: 4)
            let direct = try Simulator.run(work, on: try base.applying(overrides: ["pe.rows=\(rows)"])).report
            XCTAssertEqual(p.metrics["sim.cycles_per_iteration"], direct.steadyStateCyclesPerIteration, p.id)
            XCTAssertEqual(p.metrics["sim.energy_uj_per_iteration"], direct.energyPj.perIteration / 1e6, p.id)
            XCTAssertEqual(p.metrics["sim.mac_utilization"], direct.macUtilization, p.id)
            distinct.insert(direct.steadyStateCyclesPerIteration)
        }
        // ALR's cycles grow with K; backprop's do not depend on it: 2 x 2 ALR points and 2 backprop ones per K.
        XCTAssertGreaterThanOrEqual(distinct.count, 6)
    }

    /// A serial backprop point of a sweep that varies the schedule runs one batch, whatever micro-batch count the
    /// pipelined points use.
    func testSerialPointsOfAScheduleAxisRunOneBatch() throws {
        var options = SimWorkloadOptions(model: "mlp:784-32-10", estimator: .bp, batch: 8, iterations: 2)
        options.schedule = .gpipe
        options.microbatches = 4
        let serial = try WorkloadOverrides.split(["workload.schedule=serial"]).workload.applied(to: options)
        XCTAssertEqual(try serial.workload().microbatches, 1)
        let gpipe = try WorkloadOverrides.split(["workload.schedule=1f1b"]).workload.applied(to: options)
        XCTAssertEqual(try gpipe.workload().microbatches, 4)
    }

    /// Training points take the model, estimator, copies and batch from their values: the point's configuration is
    /// the base one with those fields replaced, and nothing else.
    func testTrainingConfigurationOfAPoint() throws {
        var base = TrainingConfiguration(estimator: EstimatorSettings(kind: .lr, copies: [4], sigma: [0.1]))
        base.model = "mlp:784-16-10"; base.batch = 32; base.seed = 7
        let w = try WorkloadOverrides.split([
            "workload.estimator=alr", "workload.copies=16", "workload.batch=64", "workload.model=mlp:784-8-10",
        ]).workload
        var expected = base
        expected.estimator.kind = .alr; expected.estimator.copies = [16]; expected.batch = 64
        expected.model = "mlp:784-8-10"
        XCTAssertEqual(try w.applied(to: base), expected)
        XCTAssertThrowsError(
            try WorkloadOverrides.split(["workload.injection=all-layers"]).workload.applied(to: base))
    }
}
