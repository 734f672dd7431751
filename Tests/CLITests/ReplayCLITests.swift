import Foundation
import LRTestSupport
import XCTest

@testable import LRSimCLI

final class ReplayCLITests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    func path(_ p: String) -> String { Self.root.appendingPathComponent(p).path }

    func replay(_ args: [String]) throws {
        var command = try LRSimCommand.parseAsRoot(["replay", "--quiet"] + args)
        try command.run()
    }

    /// The report has the DESIGN.md fields, says edge-wide is bit-exact on every step, and is byte-identical when run twice.
    func testReportFieldsAndDeterminism() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let args = [
            "--hw", path("hwmodels/edge-wide.toml"), "--trace", path("traces/replay-mlp-lr-sgd.lrt"), "--no-wall-clock",
        ]
        try replay(args + ["--report", dir.path("a.json")])
        try replay(args + ["--report", dir.path("b.json")])
        let a = try Data(contentsOf: URL(fileURLWithPath: dir.path("a.json")))
        XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: dir.path("b.json"))))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: a) as? [String: Any])
        XCTAssertEqual(json["kind"] as? String, "replay")
        for key in ["cycles", "clock_hz", "iterations", "throughput", "steps", "summary", "hardware", "workload"] {
            XCTAssertNotNil(json[key], key)
        }
        let steps = try XCTUnwrap(json["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 4)
        for s in steps {
            let layers = try XCTUnwrap(s["layers"] as? [[String: Any]])
            XCTAssertEqual(layers.count, 2)
            for l in layers {
                XCTAssertEqual(l["bit_exact_vs_exact"] as? Bool, true)
                XCTAssertEqual(l["max_abs_error_vs_exact"] as? Double, 0)
                XCTAssertGreaterThan(try XCTUnwrap(l["cosine_vs_float"] as? Double), 0.3)
                XCTAssertNotNil(l["accumulator_bound_bits"])
                XCTAssertNotNil(l["cosine_vs_bp"] as? Double)
            }
        }
        let summary = try XCTUnwrap(json["summary"] as? [String: Any])
        XCTAssertEqual(summary["all_bit_exact_vs_exact"] as? Bool, true)
        XCTAssertEqual((json["iterations"] as? Int), 4)
        // Plain SGD: the fixed-point update ran and the batch's loss moved.
        XCTAssertNotNil(steps[0]["loss_after_update"] as? Double)
        XCTAssertNotNil(steps[0]["loss_relative_change"] as? Double)
    }

    /// Overrides narrow the datapath: `--set` takes effect (no longer bit-exact) and is echoed in the report.
    func testSetOverridesAndStepSelection() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try replay([
            "--hw", path("hwmodels/edge-wide.toml"), "--trace", path("traces/mlp16-lr.lrt"), "--steps", "0",
            "--set", "formats.products.format=s8.8", "--report", dir.path("r.json"),
        ])
        let json = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("r.json"))))
                as? [String: Any])
        let steps = try XCTUnwrap(json["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.map { $0["step"] as? Int }, [0])
        let summary = try XCTUnwrap(json["summary"] as? [String: Any])
        XCTAssertEqual(summary["all_bit_exact_vs_exact"] as? Bool, false)
        let hw = try XCTUnwrap(json["hardware"] as? [String: Any])
        XCTAssertEqual(hw["overrides"] as? [String], ["formats.products.format=s8.8"])
    }

    func testBadInputsFailWithOneLineErrors() throws {
        XCTAssertThrowsError(try replay(["--hw", path("hwmodels/edge.toml"), "--trace", "/nonexistent/x.lrt"]))
        XCTAssertThrowsError(
            try replay([
                "--hw", path("hwmodels/edge.toml"), "--trace", path("traces/mlp16-lr.lrt"),
                "--steps", "12345",
            ]))
        XCTAssertThrowsError(try LRSimCommand.parseAsRoot(["replay", "--trace", "x.lrt", "--steps", "a,b"]))
    }
}
