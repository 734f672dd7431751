import Foundation
import LRTestSupport
import XCTest

@testable import LRSimCLI

/// `lrsim sim` and `lrsim gemm` driven in process: outputs and one-line failures.
final class SimCLITests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testGemmCommandWritesComputeReport() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        var cmd = try LRSimCommand.parseAsRoot([
            "gemm", "--rows", "32", "--cols", "32", "--dataflow", "ws",
            "3025", "96", "363", "--report", dir.path("g.json"),
        ])
        try cmd.run()
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("g.json")))
            as! [String: Any]
        let layer = (json["layers"] as! [[String: Any]])[0]
        XCTAssertEqual(layer["cycles"] as? Int, 112283)
        XCTAssertNotNil(layer["utilization_percent"]); XCTAssertNotNil(layer["mapping_efficiency_percent"])
        let csv = try String(contentsOfFile: dir.path("COMPUTE_REPORT.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains(",112283,"), csv)
    }

    func testBadInputsFailWithExitCodeNotTrap() throws {
        let edge = Self.repo.appendingPathComponent("hwmodels/edge.toml").path
        for args in [
            [
                "sim", "--hw", "/nonexistent/hw.toml", "--model", "mlp:4-2", "--batch", "1", "--copies", "2",
                "--estimator", "lr",
            ],
            ["sim", "--hw", edge, "--model", "mlp:4", "--batch", "1", "--copies", "2", "--estimator", "lr"],
            ["sim", "--hw", edge, "--model", "mlp:4-2-2", "--batch", "1", "--copies", "2,2,2", "--estimator", "alr"],
            ["gemm", "--rows", "4", "--cols", "4", "--topology", "/nonexistent/topo.csv"],
        ] {
            var cmd = try LRSimCommand.parseAsRoot(args)
            XCTAssertThrowsError(try cmd.run(), args.joined(separator: " "))
        }
        XCTAssertThrowsError(
            try LRSimCommand.parseAsRoot([
                "sim", "--model", "mlp:4-2", "--batch", "1", "--copies", "2", "--estimator", "sgd",
            ]))
        XCTAssertThrowsError(try LRSimCommand.parseAsRoot(["gemm", "--rows", "4", "--cols", "4", "1", "2"]))
    }
}

/// The shipped hardware models are found from any working directory (`HardwareModel.locate`).
final class ShippedModelLookupTests: XCTestCase {
    func testSimFindsTheDefaultModelOutsideTheRepository() throws {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let args = ["sim", "--model", "mlp:16-8-4", "--batch", "2", "--copies", "2", "--estimator", "alr"]
        let r = try LRSimProcess.run(args, in: dir.url.path)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("on edge"), r.stdout)
        // A shipped model by file name, and by its path under hwmodels/, from the same directory.
        for hw in ["edge-bp.toml", "hwmodels/edge-bp.toml", "edge-bp"] {
            let bp = try LRSimProcess.run(
                ["sim", "--hw", hw, "--model", "mlp:16-8-4", "--batch", "2", "--estimator", "bp"],
                in: dir.url.path)
            XCTAssertEqual(bp.status, 0, "\(hw): \(bp.stderr)")
        }
        // A file that is neither here nor shipped is reported with the name given.
        let missing = try LRSimProcess.run(["sim", "--hw", "nosuch.toml"] + args.dropFirst(), in: dir.url.path)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.hasPrefix("error: ") && missing.stderr.contains("nosuch.toml"), missing.stderr)
    }
}
