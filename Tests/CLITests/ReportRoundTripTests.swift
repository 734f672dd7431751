import Foundation
import LRIO
import LRReport
import LRSim
import LRStudies
import LRTestSupport
import LRTrace
import LRTrain
import XCTest

@testable import LRSimCLI

/// One JSON coding for every report (`JSONReport`): each file a command writes decodes into its type and encodes back
/// to the same bytes, and no key is camelCase. The files come from real runs of the commands, including each sweep
/// point's `replay.json` and `train.json` and the demo's files (which once used camelCase keys).
final class ReportRoundTripTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func run(_ args: [String], in dir: TemporaryDirectory) throws -> LRSimProcess.Result {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let r = try LRSimProcess.run(args, in: dir.url.path)
        XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
        return r
    }

    /// Decodes `data` as `T`, encodes it again, and checks the bytes and the key spelling.
    func roundTrip<T: Codable>(
        _ type: T.Type, _ data: Data, _ name: String, file: StaticString = #filePath,
        line: UInt = #line
    ) throws {
        let value = try JSONReport.decode(T.self, from: data)
        var again = try JSONReport.encode(value)
        if data.last != 0x0A { again.removeLast() }  // stdout JSON has no final newline
        XCTAssertEqual(
            String(decoding: again, as: UTF8.self), String(decoding: data, as: UTF8.self), name,
            file: file, line: line)
        let camel = try camelCaseKeys(JSONSerialization.jsonObject(with: data))
        XCTAssertEqual(camel, [], "\(name): camelCase keys", file: file, line: line)
    }

    func camelCaseKeys(_ json: Any) -> [String] {
        if let d = json as? [String: Any] {
            return d.keys.filter { $0.range(of: "[a-z][A-Z]", options: .regularExpression) != nil }
                + d.values.flatMap(camelCaseKeys)
        }
        if let a = json as? [Any] { return a.flatMap(camelCaseKeys) }
        return []
    }

    func file(_ dir: TemporaryDirectory, _ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: dir.path(name)))
    }

    func testEveryReportRoundTripsThroughTheOneWriter() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let hw = Self.root + "/hwmodels/edge.toml", traces = Self.root + "/traces"
        let data = ["--data", "synthetic:features=16,classes=3,train=128,test=64"]
        _ = try run(
            ["train"] + data + [
                "--model", "mlp:16-8-3", "--estimator", "alr", "--copies", "4", "--epochs", "1",
                "--batch", "32", "--grad-check-every", "2", "--report", "train.json",
                "--checkpoint", "c.ckpt", "--quiet",
            ], in: dir)
        try roundTrip(TrainingReport.self, file(dir, "train.json"), "train.json")
        _ = try run(["eval", "--checkpoint", "c.ckpt"] + data + ["--fgsm", "0.1", "--report", "eval.json"], in: dir)
        try roundTrip(Eval.Report.self, file(dir, "eval.json"), "eval.json")
        _ = try run(["gradcheck", "--copies", "10", "--seeds", "1", "--report", "gradcheck.json"], in: dir)
        try roundTrip([GradientStudy.Row].self, file(dir, "gradcheck.json"), "gradcheck.json")
        let model = ["--model", "mlp:16-8-4", "--batch", "2", "--copies", "2"]
        _ = try run(["sim", "--hw", hw] + model + ["--estimator", "alr", "--report", "sim.json"], in: dir)
        try roundTrip(SimReport.self, file(dir, "sim.json"), "sim.json")
        _ = try run(["sim", "--hw", hw] + model + ["--compare", "lr,bp", "--report", "compare.json"], in: dir)
        try roundTrip(SimComparison.self, file(dir, "compare.json"), "compare.json")
        _ = try run(["gemm", "--hw", hw, "--layers", "alexnet-conv1", "--report", "gemm.json"], in: dir)
        try roundTrip(GemmReport.self, file(dir, "gemm.json"), "gemm.json")
        _ = try run(
            [
                "replay", "--hw", hw, "--trace", traces + "/mlp16-lr.lrt", "--steps", "0", "--quiet",
                "--report", "replay.json",
            ], in: dir)
        try roundTrip(ReplayReport.self, file(dir, "replay.json"), "replay.json")
        let q = try run(["fx", "quantize", "--format", "s3.12", "--json", "0.1", "-1/3"], in: dir)
        try roundTrip(FxQuantize.Report.self, Data(q.stdout.utf8.dropLast()), "fx quantize --json")
        let d = try run(
            [
                "fx", "dot", "--a", "0.5,-0.25", "--b", "1,2", "--input-format", "s2.14",
                "--product-format", "s4.28", "--acc-format", "s6.28", "--json",
            ], in: dir)
        try roundTrip(FxDot.Report.self, Data(d.stdout.utf8.dropLast()), "fx dot --json")

        // A sweep with every kind: its spec, table, points and each point's sim.json, replay.json and train.json.
        _ = try run(
            [
                "sweep", "--hw", hw, "--vary", "formats.accumulators.bits=24,32", "--trace", traces + "/mlp16-lr.lrt",
                "--steps", "0", "--out", "replay-sweep", "--quiet",
            ], in: dir)
        _ = try run(
            [
                "sweep", "--hw", hw, "--vary", "formats.activations.bits=8", "--model", "mlp:784-16-10",
                "--estimator", "alr", "--copies", "4", "--train", "--train-samples", "64", "--test-samples", "32",
                "--out", "train-sweep", "--quiet",
            ], in: dir)
        for sweep in ["replay-sweep", "train-sweep"] {
            try roundTrip(SweepSpec.self, file(dir, "\(sweep)/sweep-spec.json"), "\(sweep)/sweep-spec.json")
            try roundTrip(SweepTable.self, file(dir, "\(sweep)/sweep.json"), "\(sweep)/sweep.json")
            let points = try FileManager.default.contentsOfDirectory(atPath: dir.path("\(sweep)/points"))
            XCTAssertFalse(points.isEmpty)
            for p in points {
                let base = "\(sweep)/points/\(p)/"
                try roundTrip(PointResult.self, file(dir, base + "point.json"), base + "point.json")
                try roundTrip(SimReport.self, file(dir, base + "sim.json"), base + "sim.json")
                if sweep == "replay-sweep" {
                    try roundTrip(ReplayReport.self, file(dir, base + "replay.json"), base + "replay.json")
                }
                if sweep == "train-sweep" {
                    try roundTrip(TrainingReport.self, file(dir, base + "train.json"), base + "train.json")
                }
            }
        }
    }

    /// The trace reports (`trace info/verify/dump --json`) are written by the same writer; their types spell their keys
    /// as the trace format does (snake_case too), so they are checked for spelling only.
    func testTraceReportsUseSnakeCaseKeys() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let trace = Self.root + "/traces/mlp16-lr.lrt"
        for args in [
            ["trace", "info", trace, "--json"], ["trace", "verify", trace, "--json", "--no-recompute"],
            ["trace", "dump", trace, "--json", "--limit", "2"],
        ] {
            let r = try run(args, in: dir)
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
            XCTAssertEqual(camelCaseKeys(json), [], args.joined(separator: " "))
        }
    }

    /// The demo's own files (`summary.json`, `replay.json`, `sim-compare.json`), from a tiny demo run.
    func testDemoFilesRoundTrip() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        _ = try run(
            [
                "demo", "--out", "demo", "--train-samples", "128", "--test-samples", "64", "--sweep-train-samples",
                "32",
                "--sweep-test-samples", "16", "--sweep-activation-bits", "8", "--sweep-accumulator-bits", "32",
            ], in: dir)
        try roundTrip(DemoSummary.self, file(dir, "demo/summary.json"), "summary.json")
        try roundTrip(ReplayReport.self, file(dir, "demo/replay.json"), "replay.json")
        try roundTrip(SimComparison.self, file(dir, "demo/sim-compare.json"), "sim-compare.json")
        try roundTrip(TrainingReport.self, file(dir, "demo/train-alr.json"), "train-alr.json")
        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: file(dir, "demo/summary.json")) as? [String: Any])
        let row = try XCTUnwrap((summary["rows"] as? [[String: Any]])?.first)
        for key in ["test_accuracy", "iterations_per_second", "peak_memory_kib", "energy_uj_per_iteration"] {
            XCTAssertNotNil(row[key], key)
        }
    }
}
