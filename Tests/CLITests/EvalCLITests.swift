import Foundation
import LRTestSupport
import XCTest

/// `lrsim eval` attacks as a user runs them: white-box and transfer FGSM, PGD, SPSA, saved adversarial sets, and
/// one-line errors for bad combinations.
final class EvalCLITests: XCTestCase {
    let data = ["--data", "synthetic:features=16,classes=3,train=256,test=128"]

    func run(_ args: [String]) throws -> LRSimProcess.Result {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        return try LRSimProcess.run(args)
    }

    func json(_ path: String) throws -> [String: Any] {
        try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func train(_ dir: TemporaryDirectory, _ name: String, seed: Int, extra: [String] = []) throws {
        let r = try run(
            ["train"] + data + [
                "--model", "mlp:16-8-3", "--estimator", "bp", "--epochs", "2", "--batch", "32",
                "--seed", "\(seed)", "--checkpoint", dir.path(name), "--quiet",
            ] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    func testTransferSavedSetsAndEveryAttackInTheReport() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try train(dir, "target.ckpt", seed: 1)
        try train(dir, "substitute.ckpt", seed: 2, extra: ["--weight-decay", "1e-4", "--train-noise", "0.5"])
        func eval(_ args: [String], _ report: String) throws -> [String: Any] {
            let r = try run(
                ["eval", "--checkpoint", dir.path("target.ckpt")] + data + args + ["--report", dir.path(report)])
            XCTAssertEqual(r.status, 0, r.stderr)
            return try json(dir.path(report))
        }
        // Crafted on the target itself, "transfer" is the white-box attack.
        let white = try eval(["--fgsm", "0.1"], "white.json")
        let selfTransfer = try eval(["--fgsm", "0.1", "--source", dir.path("target.ckpt")], "self.json")
        let w = try XCTUnwrap(white["fgsm"] as? [String: Any]),
            s = try XCTUnwrap(selfTransfer["fgsm"] as? [String: Any])
        XCTAssertEqual(w["accuracy"] as? Double, s["accuracy"] as? Double)
        XCTAssertEqual(s["source_accuracy"] as? Double, s["accuracy"] as? Double)
        XCTAssertEqual(white["threat_model"] as? String, "white-box")
        XCTAssertEqual(selfTransfer["threat_model"] as? String, "transfer")

        // A set crafted on the substitute scores the same whether crafted in the run or read back from the file.
        let transfer = try eval(
            [
                "--fgsm", "0.13", "--source", dir.path("substitute.ckpt"), "--save-adversarial",
                dir.path("adv.lradv"),
            ], "transfer.json")
        let saved = try eval(["--adversarial", dir.path("adv.lradv")], "saved.json")
        let t = try XCTUnwrap(transfer["fgsm"] as? [String: Any]),
            a = try XCTUnwrap(saved["adversarial_set"] as? [String: Any])
        XCTAssertEqual(t["accuracy"] as? Double, a["accuracy"] as? Double)
        XCTAssertEqual(a["attack"] as? String, "fgsm")
        XCTAssertEqual(a["source"] as? String, dir.path("substitute.ckpt"))
        XCTAssertNotNil(transfer["source_test_accuracy"] as? Double)

        let both = try eval(
            ["--pgd", "0.1", "--pgd-steps", "5", "--spsa", "0.1", "--spsa-steps", "3", "--spsa-samples", "8"],
            "both.json")
        for key in ["pgd", "spsa"] {
            let r = try XCTUnwrap(both[key] as? [String: Any], key)
            XCTAssertLessThanOrEqual(
                try XCTUnwrap(r["accuracy"] as? Double), try XCTUnwrap(both["test_accuracy"] as? Double))
            XCTAssertNotNil((r["settings"] as? [String: Any])?["steps"], key)
        }
    }

    func testBadAttackOptionsGiveOneLineErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try train(dir, "c.ckpt", seed: 1)
        let base = ["eval", "--checkpoint", dir.path("c.ckpt")] + data
        for (args, needle) in [
            (["--fgsm", "0.1", "--pgd", "0.1", "--save-adversarial", dir.path("x")], "--save-adversarial"),
            (["--source", dir.path("c.ckpt")], "--source"),
            (["--pgd", "2"], "--pgd"),
            (["--spsa", "0.1", "--spsa-samples", "0"], "--spsa-samples"),
            (["--adversarial", "/etc/hostname"], "/etc/hostname"),
            (["--fgsm", "0.1", "--source", "/nonexistent.ckpt"], "/nonexistent.ckpt"),
            (["--pgd", "0.1", "--surrogate-sharpness", "4"], "has none"),
        ] {
            let r = try run(base + args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("x")))
    }
}
