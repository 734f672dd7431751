import Foundation
import LRTestSupport
import XCTest

/// `train --hw` gives the same report and checkpoint whichever integer instruction set the fixed-point kernels run
/// on (`LRSIM_INT_ISA`: AVX-512 VNNI, AVX2, scalar; a set the CPU lacks falls back to the best it has).
final class HwInstructionSetCLITests: XCTestCase {
    var root: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }

    func testEveryInstructionSetTrainsTheSameWeights() throws {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        var payloads: [Data] = [], losses: [String] = []
        for isa in ["scalar", "avx2", "avx512-vnni"] {
            var env = ProcessInfo.processInfo.environment
            env["LRSIM_INT_ISA"] = isa
            let ckpt = dir.path("\(isa).ckpt"), report = dir.path("\(isa).json")
            for estimator in ["alr", "lr"] {
                let r = try LRSimProcess.run(
                    [
                        "train", "--hw", root.appendingPathComponent("hwmodels/edge.toml").path,
                        "--data", "synthetic:features=784,classes=10,train=96,test=32",
                        "--model", "mlp:784-64-10", "--estimator", estimator, "--copies", "8",
                        "--sigma", "0.1", "--batch", "32", "--epochs", "1", "--seed", "3",
                        "--checkpoint", ckpt, "--report", report,
                    ], environment: env)
                XCTAssertEqual(r.status, 0, r.stderr)
                // The parameters (after the JSON header, before the CRC) and the losses.
                let d = try Data(contentsOf: URL(fileURLWithPath: ckpt))
                let n = Int(d[12..<20].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
                payloads.append(d[(20 + n)..<(d.count - 4)])
                let json = try XCTUnwrap(
                    JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
                )
                let epochs = try XCTUnwrap(json["epochs"] as? [[String: Any]])
                losses.append("\(estimator) \(epochs[0]["train_loss"] ?? "") \(epochs[0]["test_accuracy"] ?? "")")
            }
        }
        XCTAssertEqual(payloads.count, 6)
        for i in 2..<6 {
            XCTAssertEqual(payloads[i], payloads[i % 2], "run \(i) differs from the scalar run")
            XCTAssertEqual(losses[i], losses[i % 2])
        }
    }
}
