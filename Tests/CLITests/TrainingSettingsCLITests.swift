import Foundation
import LRTestSupport
import XCTest

/// The authors' training settings on the command line (`--injection`, `--weight-decay`, `--train-noise`, `--init`,
/// `--step-injection`): they run, reach the report's configuration, and what does not apply is one line and exit 64.
final class TrainingSettingsCLITests: XCTestCase {
    let synthetic = ["--data", "synthetic:features=16,classes=3,train=128,test=64", "--epochs", "1", "--batch", "32"]

    func run(_ args: [String]) throws -> LRSimProcess.Result {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        return try LRSimProcess.run(args)
    }

    func testTheAuthorsRecipeRunsAndIsRecorded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let r = try run(
            ["train"] + synthetic + [
                "--model", "mlp:16-8-3", "--activation", "sigmoid", "--init", "scaled-normal",
                "--estimator", "lr", "--injection", "all-layers", "--noise", "laplace",
                "--sigma", "1", "--copies", "10", "--baseline", "none", "--no-antithetic",
                "--optimizer", "sgd", "--momentum", "0", "--lr", "1e-2", "--weight-decay",
                "1e-4", "--report", dir.path("r.json"), "--quiet",
            ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("r.json"))))
                as? [String: Any])
        let config = try XCTUnwrap(json["config"] as? [String: Any])
        XCTAssertEqual((config["estimator"] as? [String: Any])?["injection"] as? String, "all-layers")
        XCTAssertEqual(try XCTUnwrap(config["weight_decay"] as? Double), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(config["initialization"] as? String, "scaled-normal")
        let bpPlus = try run(
            ["train"] + synthetic + [
                "--model", "mlp:16-8-3", "--estimator", "bp", "--train-noise", "2",
                "--report", dir.path("b.json"), "--quiet",
            ])
        XCTAssertEqual(bpPlus.status, 0, bpPlus.stderr)
    }

    func testSettingsThatDoNotApplyAreOneLineErrors() throws {
        let mlp = ["train"] + synthetic + ["--model", "mlp:16-8-3"]
        let rnn = [
            "train", "--data", "synthetic:features=28,classes=3,train=64,test=32", "--epochs", "1", "--model",
            "rnn:7x8-3xT4",
        ]
        let cases: [([String], String)] = [
            (mlp + ["--estimator", "es", "--copies", "4", "--injection", "all-layers"], "--injection"),
            (mlp + ["--estimator", "lr", "--copies", "4,8", "--injection", "all-layers"], "--copies"),
            (mlp + ["--estimator", "lr", "--copies", "4", "--qmc", "--injection", "all-layers"], "--qmc"),
            (mlp + ["--estimator", "lr", "--copies", "4", "--train-noise", "1"], "--train-noise"),
            (mlp + ["--estimator", "bp", "--train-noise=-1"], "--train-noise"),
            (mlp + ["--weight-decay=-0.1"], "--weight-decay"),
            (mlp + ["--step-injection", "per-step"], "--step-injection"),
            (
                mlp + [
                    "--estimator", "lr", "--copies", "4", "--injection", "all-layers", "--hw", "hwmodels/edge.toml",
                ], "layer"
            ),
            (rnn + ["--init", "scaled-normal"], "--init"),
            (rnn + ["--estimator", "lr", "--copies", "4", "--injection", "all-layers"], "--injection"),
            (
                rnn + ["--estimator", "lr", "--copies", "4", "--step-injection", "per-step", "--trace", "/tmp/x.lrt"],
                "--trace"
            ),
            (
                [
                    "sweep", "--hw", "hwmodels/edge.toml", "--vary", "formats.activations.bits=8", "--model",
                    "mlp:16-8-3",
                    "--estimator", "lr", "--copies", "4", "--train", "--injection", "all-layers", "--out", "/tmp/none",
                ], "--injection"
            ),
        ]
        for (args, needle) in cases {
            let r = try run(args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
    }
}
