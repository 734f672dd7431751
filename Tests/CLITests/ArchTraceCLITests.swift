import Foundation
import LRTestSupport
import XCTest

/// rnn, snn and gnn runs end to end: `train --model ... --trace`, `trace info`, `trace verify`, `replay` and `sim --trace`.
final class ArchTraceCLITests: XCTestCase {
    func run(_ args: [String]) throws -> LRSimProcess.Result {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        return try LRSimProcess.run(args)
    }

    /// Repository root (for hwmodels/edge.toml).
    var root: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }

    func cycles(_ reportPath: String) throws -> (cycles: Int, iterations: Int, workload: [String: Any]) {
        let json = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any]
        )
        return (
            try XCTUnwrap(json["cycles"] as? Int), try XCTUnwrap(json["iterations"] as? Int),
            json["workload"] as? [String: Any] ?? [:]
        )
    }

    func testTraceVerifyAndSimulateRNNAndSNN() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let hw = root.appendingPathComponent("hwmodels/edge.toml").path
        let data = "synthetic:features=784,classes=3,train=64,test=32"
        let runs: [(String, [String], String)] = [
            ("rnn", ["--copies", "4", "--sigma", "0.1"], "rnn:112x8-3xT7"),
            ("snn", ["--copies", "4", "--sigma", "0.3", "--trace-compression", "zlib"], "snn:784-16-3xT4"),
        ]
        for (arch, options, spec) in runs {
            let path = dir.path("\(arch).lrt")
            let train = try run(
                [
                    "train", "--model", spec, "--estimator", "lr", "--data", data, "--epochs", "2", "--batch", "16",
                    "--trace", path, "--trace-every", "3", "--quiet",
                ] + options)
            XCTAssertEqual(train.status, 0, train.stderr)
            XCTAssertEqual(train.stderr, "")

            let info = try run(["trace", "info", path])
            XCTAssertEqual(info.status, 0, info.stderr)
            XCTAssertTrue(info.stdout.contains("model:       \(spec)"), info.stdout)
            XCTAssertTrue(info.stdout.contains("0, 3, 6, 7"), info.stdout)
            XCTAssertTrue(info.stdout.contains("layer0.grad.weight"), info.stdout)
            if arch == "rnn" { XCTAssertTrue(info.stdout.contains("layer0.weight_hh"), info.stdout) }

            let verify = try run(["trace", "verify", path])
            XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
            XCTAssertTrue(verify.stdout.contains("passed on 4 step(s)"), verify.stdout)
            XCTAssertFalse(verify.stdout.contains("NOT RUN"), verify.stdout)

            // replay runs every recorded step through the fixed-point datapath; edge-wide's is exact vs GMP.
            let wide = root.appendingPathComponent("hwmodels/edge-wide.toml").path
            let replay = try run([
                "replay", "--trace", path, "--hw", wide, "--no-wall-clock", "--report", dir.path("\(arch)-replay.json"),
            ])
            XCTAssertEqual(replay.status, 0, replay.stderr)
            XCTAssertTrue(replay.stdout.contains("4 steps: every gradient bit-exact vs GMP"), replay.stdout)
            let replayed = try XCTUnwrap(
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: dir.path("\(arch)-replay.json")))) as? [String: Any])
            XCTAssertEqual((replayed["steps"] as? [Any])?.count, 4)
            XCTAssertEqual((replayed["workload"] as? [String: Any])?["model"] as? String, spec)

            // One flipped byte fails verify with one-line problems naming the file.
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count / 3] ^= 0x01
            let damaged = dir.path("\(arch)-damaged.lrt")
            try bytes.write(to: URL(fileURLWithPath: damaged))
            let bad = try run(["trace", "verify", damaged])
            XCTAssertNotEqual(bad.status, 0)
            XCTAssertTrue(bad.stderr.contains("\(arch)-damaged.lrt"), bad.stderr)
            XCTAssertFalse(bad.stderr.contains("Fatal error"))

            // sim --trace simulates the recorded workload: same cycles as --model with the same settings.
            let fromTrace = try run([
                "sim", "--hw", hw, "--trace", path, "--no-wall-clock", "--report", dir.path("\(arch)-trace.json"),
            ])
            XCTAssertEqual(fromTrace.status, 0, fromTrace.stderr)
            let fromModel = try run([
                "sim", "--hw", hw, "--model", spec, "--batch", "16", "--copies", "4", "--estimator", "lr",
                "--iterations", "8", "--no-wall-clock", "--report", dir.path("\(arch)-model.json"),
            ])
            XCTAssertEqual(fromModel.status, 0, fromModel.stderr)
            let a = try cycles(dir.path("\(arch)-trace.json")), b = try cycles(dir.path("\(arch)-model.json"))
            XCTAssertEqual(a.iterations, 8, "2 epochs x 4 batches")
            XCTAssertGreaterThan(a.cycles, 0)
            XCTAssertEqual(a.cycles, b.cycles, arch)
            XCTAssertTrue(fromTrace.stdout.hasPrefix(spec), fromTrace.stdout)
            // A different batch gives different cycles, so the equality above is not vacuous.
            let other = try run([
                "sim", "--hw", hw, "--trace", path, "--batch", "8", "--no-wall-clock", "--report",
                dir.path("\(arch)-b8.json"),
            ])
            XCTAssertEqual(other.status, 0, other.stderr)
            XCTAssertNotEqual(try cycles(dir.path("\(arch)-b8.json")).cycles, a.cycles)
        }
    }

    /// A gnn run is traced (the whole graph per step), verified bit for bit, simulated like `sim --model gnn:...e<E>`
    /// and replayed; a bad replay option is a one-line error.
    func testGNNTraceVerifySimulateAndReplay() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("gnn.lrt")
        let train = try run([
            "train", "--model", "gnn:120-8-12-4", "--data", "sbm:p_in=0.1,p_out=0.01,train=60,seed=5",
            "--estimator", "lr", "--copies", "4", "--sigma", "0.1", "--epochs", "3", "--trace", path,
            "--trace-every", "1", "--quiet",
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let verify = try run(["trace", "verify", path])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("passed on 3 step(s)"), verify.stdout)
        let info = try run(["trace", "info", path])
        let line = try XCTUnwrap(info.stdout.split(separator: "\n").first { $0.hasPrefix("model:") })
        let spec = try XCTUnwrap(
            line.dropFirst("model:".count).split(separator: ",").first?.trimmingCharacters(in: .whitespaces))
        XCTAssertTrue(spec.hasPrefix("gnn:120-8-12-4e"), info.stdout)
        let hw = root.appendingPathComponent("hwmodels/edge.toml").path
        let fromTrace = try run([
            "sim", "--hw", hw, "--trace", path, "--no-wall-clock", "--report", dir.path("trace.json"),
        ])
        XCTAssertEqual(fromTrace.status, 0, fromTrace.stderr)
        let fromModel = try run([
            "sim", "--hw", hw, "--model", spec, "--copies", "4", "--estimator", "lr", "--iterations", "3",
            "--no-wall-clock", "--report", dir.path("model.json"),
        ])
        XCTAssertEqual(fromModel.status, 0, fromModel.stderr)
        XCTAssertEqual(try cycles(dir.path("trace.json")).cycles, try cycles(dir.path("model.json")).cycles)
        let replay = try run([
            "replay", "--trace", path, "--hw", root.appendingPathComponent("hwmodels/edge-wide.toml").path,
        ])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertTrue(replay.stdout.contains("3 steps: every gradient bit-exact vs GMP"), replay.stdout)
        let bad = try run(["replay", "--trace", path, "--hw", hw, "--steps", "7"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertEqual(bad.stderr.split(separator: "\n").count, 1, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("step 7 is not recorded"), bad.stderr)
    }
}
