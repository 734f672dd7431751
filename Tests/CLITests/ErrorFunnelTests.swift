import Foundation
import LRTestSupport
import XCTest

/// The one error funnel (`LRSimCommand.main`): whatever the command and whichever module failed, stderr gets exactly
/// one line, `error: ...`, naming what was wrong, and the exit status is nonzero (64 for a usage mistake).
final class ErrorFunnelTests: XCTestCase {
    func testEveryCommandFailsWithOneErrorLine() throws {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let synthetic = ["--data", "synthetic:features=16,classes=3,train=64,test=32", "--model", "mlp:16-8-3"]
        let cases: [([String], String, Int32?)] = [
            (["train"] + synthetic + ["--epochs", "0"], "--epochs", 64),
            (["train"] + synthetic + ["--estimator", "lr", "--copies", "0"], "--copies", 64),
            (["train", "--estimator", "sgd"], "--estimator", 64),
            (["train", "--set", "pe.rows=8"], "--set", 64),
            (["sim", "--model", "mlp:4-2", "--batch", "1", "--estimator", "lr"], "--copies", 64),
            (["sim", "--model", "foo:1-2", "--batch", "1", "--estimator", "bp"], "model 'foo:1-2'", 1),
            (
                ["sim", "--hw", "/nonexistent/x.toml", "--model", "mlp:4-2", "--batch", "1", "--estimator", "bp"],
                "/nonexistent/x.toml", 1
            ),
            (["replay", "--trace", "/nonexistent/x.lrt"], "/nonexistent/x.lrt", 1),
            (["gemm", "--rows", "4"], "--cols", 64),
            (["hw", "show", "/nonexistent/x.toml"], "/nonexistent/x.toml", 1),
            (["fx", "quantize", "--format", "s3.x", "1"], "--format", 1),
            (["trace", "info", "/nonexistent/x.lrt"], "/nonexistent/x.lrt", 1),
            (["sweep", "merge", dir.path("none"), "--out", dir.path("m")], "sweep-spec.json", 1),
            (["report", dir.path("none")], "no such directory", 1),
            (["eval", "--checkpoint", "/nonexistent/c.ckpt"], "/nonexistent/c.ckpt", 1),
        ]
        for (args, needle, status) in cases {
            let r = try LRSimProcess.run(args)
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("error: "), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Usage:") || r.stderr.contains("Fatal error"), "\(args): \(r.stderr)")
            if let status {
                XCTAssertEqual(r.status, status, "\(args)")
            } else {
                XCTAssertNotEqual(r.status, 0, "\(args)")
            }
        }
    }
}
