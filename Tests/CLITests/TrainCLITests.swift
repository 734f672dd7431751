import Foundation
import LRTestSupport
import XCTest

/// `lrsim train` / `lrsim eval` as a user runs them: bad input gives one line on stderr and a nonzero exit.
final class TrainCLITests: XCTestCase {
    func run(_ args: [String]) throws -> LRSimProcess.Result {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        return try LRSimProcess.run(args)
    }

    func assertOneLineError(
        _ args: [String], contains needle: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let r = try run(args)
        XCTAssertNotEqual(r.status, 0, "exit status", file: file, line: line)
        let lines = r.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "stderr: \(r.stderr)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(needle), "stderr: \(r.stderr)", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error"), file: file, line: line)
    }

    func testBadOptionsGiveOneLineErrors() throws {
        let synthetic = [
            "--data", "synthetic:features=16,classes=3,train=64,test=32", "--model", "mlp:16-8-3", "--epochs", "1",
        ]
        try assertOneLineError(["train", "--model", "mlp:784-x-10"], contains: "--model")
        try assertOneLineError(
            ["train"] + synthetic + ["--estimator", "lr", "--copies", "3"], contains: "even number of copies")
        try assertOneLineError(
            ["train"] + synthetic + ["--estimator", "lr", "--copies", "4,4,4"], contains: "--copies")
        try assertOneLineError(["train"] + synthetic + ["--estimator", "lr", "--sigma=-1"], contains: "--sigma")
        try assertOneLineError(["train", "--data", "mnist", "--epochs", "1"], contains: "--data-dir")
        try assertOneLineError(["train", "--data", "cifar10", "--data-dir", "/nonexistent"], contains: "/nonexistent")
        try assertOneLineError(
            ["train", "--data", "synthetic:features=16,classes=3,train=64,test=32", "--model", "mlp:784-8-10"],
            contains: "inputs")
        try assertOneLineError(["eval", "--checkpoint", "/etc/hostname"], contains: "/etc/hostname")
    }

    func testTrainWritesReportAndCheckpointThatEvalReads() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let data = ["--data", "synthetic:features=16,classes=3,train=256,test=128"]
        let r = try run(
            ["train"] + data + [
                "--model", "mlp:16-8-3", "--estimator", "alr", "--copies", "8", "--epochs", "2",
                "--batch", "32", "--report", dir.path("r.json"), "--checkpoint", dir.path("c.ckpt"),
                "--grad-check-every", "4", "--quiet",
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("r.json"))))
                as? [String: Any])
        let final = try XCTUnwrap(json["final"] as? [String: Any])
        XCTAssertNotNil(final["test_accuracy"] as? Double)
        XCTAssertNotNil(final["train_loss"] as? Double)
        let epochs = try XCTUnwrap(json["epochs"] as? [[String: Any]])
        XCTAssertEqual(epochs.count, 2)
        for e in epochs { for k in ["test_accuracy", "train_loss", "seconds"] { XCTAssertNotNil(e[k], k) } }
        XCTAssertNotNil((json["throughput"] as? [String: Any])?["samples_per_second"])
        XCTAssertEqual((json["gradient_cosine_vs_bp"] as? [Double])?.count, 2)
        XCTAssertNotNil(json["config"] as? [String: Any])

        let e = try run(
            ["eval", "--checkpoint", dir.path("c.ckpt")] + data + ["--fgsm", "0.05", "--report", dir.path("e.json")])
        XCTAssertEqual(e.status, 0, e.stderr)
        let ej = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("e.json"))))
                as? [String: Any])
        XCTAssertEqual(ej["test_accuracy"] as? Double, final["test_accuracy"] as? Double)
        let fgsm = try XCTUnwrap(ej["fgsm"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(fgsm["epsilon"] as? Double), 0.05, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(
            try XCTUnwrap(fgsm["accuracy"] as? Double), try XCTUnwrap(ej["test_accuracy"] as? Double))
    }

    /// `train --set` overrides the --hw model as `sim --set` does: the datapath the run trains on (recorded in the
    /// report's config) is the overridden one.
    func testSetOverridesTheTrainingDatapath() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let base = [
            "train", "--data", "synthetic:features=16,classes=3,train=64,test=32", "--model", "mlp:16-8-3",
            "--estimator", "alr", "--copies", "4", "--epochs", "1", "--batch", "32", "--quiet", "--hw", "edge",
        ]
        func datapath(_ extra: [String], _ name: String) throws -> String {
            let r = try run(base + extra + ["--report", dir.path(name)])
            XCTAssertEqual(r.status, 0, r.stderr)
            let json = try XCTUnwrap(
                JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path(name))))
                    as? [String: Any])
            return try XCTUnwrap((json["config"] as? [String: Any])?["datapath"] as? String)
        }
        let plain = try datapath([], "a.json"), again = try datapath([], "b.json")
        let narrow = try datapath(["--set", "formats.accumulators.bits=24"], "c.json")
        XCTAssertEqual(plain, again)
        XCTAssertTrue(plain.hasPrefix("edge fnv1a64:"), plain)
        XCTAssertNotEqual(plain, narrow)
    }
}
