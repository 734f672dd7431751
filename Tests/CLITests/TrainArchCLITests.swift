import Foundation
import LRTestSupport
import XCTest

/// `lrsim train-arch`, the deprecated alias of `train --model rnn:|snn:|gnn:`, as a user runs it: reports with the
/// contract's fields, one-line errors on bad input naming its own options.
final class TrainArchCLITests: XCTestCase {
    func run(_ args: [String]) throws -> LRSimProcess.Result {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        return try LRSimProcess.run(args)
    }

    func testBadOptionsGiveOneLineErrors() throws {
        let cases: [([String], String)] = [
            (["--arch", "rnn", "--copies", "3"], "--copies"),
            (["--arch", "snn", "--sigma", "nan"], "--sigma"),
            (["--arch", "gnn", "--epochs", "0"], "--epochs"),
            (["--arch", "gnn", "--nodes", "1"], "nodes"),
            (["--arch", "rnn", "--hidden", "0"], "--hidden"),
            (["--arch", "rnn", "--steps", "27", "--data", "synthetic:features=784,train=16,test=16"], "--steps"),
            (["--arch", "snn", "--data", "mnist"], "--data-dir"),
        ]
        for (args, needle) in cases {
            let r = try run(["train-arch"] + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error"))
        }
    }

    func testReportsHaveTheContractFields() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let gnn = try run([
            "train-arch", "--arch", "gnn", "--nodes", "200", "--train-nodes", "100", "--hidden", "8",
            "--copies", "8", "--epochs", "5", "--lr", "0.01", "--grad-check-every", "2",
            "--report", dir.path("gnn.json"), "--quiet",
        ])
        XCTAssertEqual(gnn.status, 0, gnn.stderr)
        XCTAssertEqual(gnn.stderr, "")
        let snn = try run([
            "train-arch", "--arch", "snn", "--data", "synthetic:features=784,classes=3,train=64,test=32",
            "--hidden", "16", "--steps", "4", "--copies", "4", "--sigma", "0.3", "--epochs", "1",
            "--batch", "16", "--report", dir.path("snn.json"),
        ])
        XCTAssertEqual(snn.status, 0, snn.stderr)
        XCTAssertTrue(snn.stderr.contains("epoch 1: test accuracy"), snn.stderr)
        for (name, epochs) in [("gnn.json", 5), ("snn.json", 1)] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir.path(name)))
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(json["command"] as? String, "train")  // the alias runs `lrsim train`
            let final = try XCTUnwrap(json["final"] as? [String: Any])
            let acc = try XCTUnwrap(final["test_accuracy"] as? Double)
            XCTAssertTrue((0...1).contains(acc))
            XCTAssertNotNil(final["train_loss"] as? Double)
            let list = try XCTUnwrap(json["epochs"] as? [[String: Any]])
            XCTAssertEqual(list.count, epochs)
            XCTAssertNotNil(list.first?["seconds"] as? Double)
            XCTAssertEqual(
                ((json["config"] as? [String: Any])?["estimator"] as? [String: Any])?["kind"] as? String, "lr")
        }
        let g =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path("gnn.json"))))
            as? [String: Any]
        XCTAssertEqual((g?["gradient_checks"] as? [Any])?.count, 3)
        XCTAssertEqual(g?["gradient_groups"] as? [String], ["layer1", "layer2"])
        XCTAssertEqual((g?["gradient_cosine_vs_bp"] as? [Double])?.count, 2)
    }

    /// The alias is exactly the `train` command it prints: the same epochs, bit for bit.
    func testAliasEqualsTheTrainCommand() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let alias = try run([
            "train-arch", "--arch", "gnn", "--nodes", "200", "--train-nodes", "100", "--hidden", "8",
            "--copies", "8", "--epochs", "4", "--lr", "0.01", "--report", dir.path("alias.json"),
        ])
        XCTAssertEqual(alias.status, 0, alias.stderr)
        XCTAssertTrue(alias.stderr.contains("this run is: lrsim train --model gnn:200-32-8-5"), alias.stderr)
        let train = try run([
            "train", "--model", "gnn:200-32-8-5", "--estimator", "lr", "--copies", "8", "--epochs", "4",
            "--lr", "0.01", "--data", "sbm:train=100", "--quiet", "--report", dir.path("train.json"),
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        func epochs(_ name: String) throws -> [[Double]] {
            let json = try XCTUnwrap(
                JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path(name))))
                    as? [String: Any])
            return try XCTUnwrap(json["epochs"] as? [[String: Any]]).map { e in
                ["test_accuracy", "test_loss", "train_loss"].map { (e[$0] as? Double) ?? .nan }
            }
        }
        XCTAssertEqual(try epochs("alias.json"), try epochs("train.json"))
        XCTAssertEqual(try epochs("train.json").count, 4)
    }
}
