import Foundation
import LRTestSupport
import XCTest

/// `lrsim sweep`, `sweep merge` and `report` as a user runs them.
final class SweepCLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func run(_ args: [String]) throws -> LRSimProcess.Result {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        return try LRSimProcess.run(args)
    }

    var small: [String] {
        [
            "--hw", Self.root + "/hwmodels/edge.toml", "--vary", "pe.rows=8,16", "--vary", "pe.cols=8,16,32",
            "--model", "mlp:784-32-10", "--estimator", "alr", "--copies", "4", "--batch", "4", "--iterations", "2",
        ]
    }

    func testShardedSweepMergesToTheUnshardedTableAndReportRenders() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let whole = try run(["sweep"] + small + ["--out", tmp.path("whole")])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertTrue(whole.stderr.contains("[6/6] pe.rows=16 pe.cols=32: ok"), whole.stderr)
        XCTAssertTrue(whole.stdout.contains("it/s"), whole.stdout)
        var shards: [String] = []
        for i in 0..<3 {
            let r = try run(["sweep"] + small + ["--shard", "\(i)/3", "--out", tmp.path("s\(i)"), "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            shards.append(tmp.path("s\(i)"))
        }
        let m = try run(["sweep", "merge"] + shards + ["--out", tmp.path("merged")])
        XCTAssertEqual(m.status, 0, m.stderr)
        for f in ["sweep.csv", "sweep.json"] {
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: tmp.path("whole/\(f)"))),
                try Data(contentsOf: URL(fileURLWithPath: tmp.path("merged/\(f)"))), f)
        }
        let again = try run(["sweep"] + small + ["--out", tmp.path("whole")])
        XCTAssertTrue(again.stderr.contains("0 run, 6 skipped"), again.stderr)
        let rep = try run(["report", tmp.path("merged")])
        XCTAssertEqual(rep.status, 0, rep.stderr)
        let html = try String(contentsOfFile: tmp.path("merged/report.html"), encoding: .utf8)
        XCTAssertGreaterThanOrEqual(html.components(separatedBy: "<svg ").count - 1, 1)
    }

    func testBadInputsGiveOneLineErrors() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        func oneLine(_ args: [String], _ needle: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, file: file, line: line)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr, file: file, line: line)
            XCTAssertTrue(r.stderr.contains(needle), r.stderr, file: file, line: line)
        }
        try oneLine(
            [
                "sweep", "--vary", "pe.rowz=8,16", "--model", "mlp:784-32-10", "--estimator", "alr", "--out",
                tmp.path("a"),
            ],
            "pe.rowz")
        try oneLine(
            ["sweep", "--vary", "pe.rows", "--model", "mlp:784-32-10", "--out", tmp.path("b")], "expected KEY=V1,V2")
        try oneLine(
            [
                "sweep", "--vary", "pe.rows=8", "--model", "mlp:784-32-10", "--estimator", "alr", "--shard", "2/2",
                "--out", tmp.path("c"),
            ], "--shard: '2/2'")
        try oneLine(["sweep", "merge", tmp.path("nothing"), "--out", tmp.path("d")], "sweep-spec.json")
        try oneLine(["report", tmp.path("nothing")], "no such directory")
    }

    /// A point whose override is invalid fails alone; the sweep finishes and records the error.
    func testFailedPointIsRecorded() throws {
        let tmp = try TemporaryDirectory(); defer { tmp.cleanup() }
        let r = try run([
            "sweep", "--hw", Self.root + "/hwmodels/edge.toml", "--vary", "pe.rows=8,0", "--model", "mlp:784-32-10",
            "--estimator", "alr", "--copies", "4", "--batch", "4", "--iterations", "1", "--out", tmp.path("o"),
        ])
        let csv = try String(contentsOfFile: tmp.path("o/sweep.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 3, "\(r.stderr)")
        XCTAssertTrue(csv[1].contains(",ok,8,"))
        XCTAssertTrue(csv[2].contains(",failed,0,"), String(csv[2]))
        XCTAssertTrue(r.stderr.contains("1 failed"), r.stderr)
    }
}
