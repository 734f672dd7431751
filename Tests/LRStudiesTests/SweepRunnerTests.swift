import Foundation
import HWModel
import LRCore
import LRSim
import LRTestSupport
import XCTest

@testable import LRStudies

/// A deterministic evaluator: metrics from the overrides, one chosen point fails, calls are counted.
final class FakeEvaluator: PointEvaluator {
    let kind = "fake"
    var calls = 0
    let failing: String
    init(failing: String) { self.failing = failing }
    struct Boom: Error, CustomStringConvertible { var description: String }
    func evaluate(_ hardware: HardwareModel, point: SweepPoint, directory: String) throws -> [String: Double] {
        calls += 1
        if point.overrides.contains(failing) { throw Boom(description: "boom at \(point.id)") }
        let rows = Double(hardware.stageTemplate.array.rows)
        return ["fake.rows": rows, "fake.third": rows / 3]
    }
}

final class SweepRunnerTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static var edge: String { root + "/hwmodels/edge.toml" }

    func makeSpec() throws -> SweepSpec {
        SweepSpec(
            hw: Self.edge, axes: [try SweepAxis.parse("pe.rows=8,16,32"), try SweepAxis.parse("pe.cols=8,16")],
            kinds: ["fake"])
    }

    func run(_ dir: String, shard: SweepShard = .all, evaluator: FakeEvaluator) throws -> SweepRunner.Summary {
        let spec = try makeSpec()
        return try SweepRunner(
            spec: spec, grid: try SweepGrid(axes: spec.axes), hardware: try HardwareModel.load(path: Self.edge),
            evaluators: [evaluator], store: SweepStore(directory: dir), shard: shard
        ).run()
    }

    func testFailedPointIsRecordedAndTheRestRun() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let fake = FakeEvaluator(failing: "pe.rows=16")
        let s = try run(tmp.path("out"), evaluator: fake)
        XCTAssertEqual(s.ran, 6); XCTAssertEqual(s.failed, 2); XCTAssertEqual(fake.calls, 6)
        let table = try SweepTable.read(from: tmp.path("out"))
        XCTAssertEqual(table.points.map(\.status), [.ok, .ok, .failed, .failed, .ok, .ok])
        XCTAssertEqual(table.points[4].metrics["fake.rows"], 32)
        XCTAssertTrue(table.points[2].error?.hasPrefix("boom at pe-cols-8_pe-rows-16-") == true)
        let csv = try String(contentsOfFile: tmp.path("out/sweep.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv[0], "index,id,status,pe.rows,pe.cols,fake.rows,fake.third,error")
        XCTAssertTrue(csv[1].hasSuffix(",ok,8,8,8,\(8.0 / 3),"), String(csv[1]))
        XCTAssertTrue(csv[3].contains(",failed,16,8,,,boom at "), String(csv[3]))
    }

    func testResumeSkipsFinishedPointsAndRetriesFailedOnes() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        _ = try run(tmp.path("out"), evaluator: FakeEvaluator(failing: "pe.rows=16"))
        let again = FakeEvaluator(failing: "none")
        let s = try run(tmp.path("out"), evaluator: again)
        XCTAssertEqual(s.skipped, 4); XCTAssertEqual(s.ran, 2); XCTAssertEqual(again.calls, 2)
        XCTAssertTrue(try SweepTable.read(from: tmp.path("out")).points.allSatisfy { $0.status == .ok })
    }

    func testShardedRunsMergeToTheUnshardedTableByteForByte() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        _ = try run(tmp.path("whole"), evaluator: FakeEvaluator(failing: "pe.cols=16"))
        var dirs: [String] = []
        for i in 0..<4 {
            let d = tmp.path("shard\(i)")
            _ = try run(d, shard: SweepShard(index: i, count: 4), evaluator: FakeEvaluator(failing: "pe.cols=16"))
            dirs.append(d)
        }
        XCTAssertThrowsError(try SweepMerge.merge(Array(dirs.prefix(3)), into: tmp.path("partial"))) { e in
            XCTAssertTrue("\(e)".contains("is in none of the directories"), "\(e)")
        }
        try SweepMerge.merge(dirs, into: tmp.path("merged"))
        for f in ["sweep.csv", "sweep.json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: tmp.path("whole/\(f)")))
            let b = try Data(contentsOf: URL(fileURLWithPath: tmp.path("merged/\(f)")))
            XCTAssertEqual(a, b, f)
        }
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: tmp.path(
                    "merged/points/\(SweepPoint(index: 0, overrides: ["pe.rows=8", "pe.cols=8"]).id)/point.csv")))
    }

    func testADifferentSweepInTheSameDirectoryIsRefused() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        _ = try run(tmp.path("out"), evaluator: FakeEvaluator(failing: "none"))
        var other = try makeSpec()
        other.axes[0].values = ["8", "64"]
        XCTAssertThrowsError(
            try SweepRunner(
                spec: other, grid: try SweepGrid(axes: other.axes), hardware: try HardwareModel.load(path: Self.edge),
                evaluators: [], store: SweepStore(directory: tmp.path("out"))
            ).run()
        ) { e in
            XCTAssertTrue("\(e)".contains("holds a different sweep"), "\(e)")
        }
    }

    func testSimEvaluatorMetricsEqualADirectSimulation() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let options = SimWorkloadOptions(model: "mlp:784-64-10", estimator: .alr, batch: 8, copies: [4], iterations: 2)
        let work = try options.workload()
        let spec = SweepSpec(hw: Self.edge, axes: [try SweepAxis.parse("pe.rows=8,16")], kinds: ["sim"], sim: options)
        let base = try HardwareModel.load(path: Self.edge)
        _ = try SweepRunner(
            spec: spec, grid: try SweepGrid(axes: spec.axes), hardware: base,
            evaluators: [SimPointEvaluator(options: options)], store: SweepStore(directory: tmp.path("o"))
        ).run()
        let table = try SweepTable.read(from: tmp.path("o"))
        for (i, rows) in ["8", "16"].enumerated() {
            let direct = try Simulator.run(work, on: try base.applying(overrides: ["pe.rows=\(rows)"])).report
            let m = table.points[i].metrics
            XCTAssertEqual(m["sim.cycles_per_iteration"], direct.steadyStateCyclesPerIteration)
            XCTAssertEqual(m["sim.iterations_per_second"], direct.clockHz / direct.steadyStateCyclesPerIteration)
            XCTAssertEqual(m["sim.energy_uj_per_iteration"], direct.energyPj.perIteration / 1e6)
            XCTAssertEqual(m["sim.memory_peak_bytes"], Double(direct.memory.peakBytes))
        }
        XCTAssertLessThan(
            table.points[1].metrics["sim.cycles_per_iteration"]!, table.points[0].metrics["sim.cycles_per_iteration"]!,
            "twice the rows: fewer cycles")
    }
}
