import Foundation
import LRTestSupport
import XCTest

/// The bad inputs of the reliability campaign (issue 13) that the command line owns, each as a user types it: one
/// `error:` line naming what is wrong and a nonzero exit, never a trap, a silent accept or a late failure.
final class BadInputTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    let synthetic = [
        "--data", "synthetic:features=16,classes=3,train=128,test=64", "--model", "mlp:16-8-3",
        "--estimator", "lr", "--copies", "4", "--batch", "32", "--quiet",
    ]

    func run(_ args: [String], in dir: TemporaryDirectory? = nil, env: [String: String]? = nil) throws
        -> LRSimProcess.Result
    {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        return try LRSimProcess.run(args, in: dir?.url.path, environment: env)
    }

    /// Exit status != 0 and < 128 (no signal), one `error:` line containing `needle`.
    func refused(
        _ args: [String], _ needle: String, in dir: TemporaryDirectory? = nil, env: [String: String]? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let r = try run(args, in: dir, env: env)
        XCTAssertTrue(r.status != 0 && r.status < 128, "\(args): status \(r.status)", file: file, line: line)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "\(args): \(r.stderr)", file: file, line: line)
        XCTAssertTrue(
            r.stderr.hasPrefix("error: ") && r.stderr.contains(needle), "\(args): \(r.stderr)", file: file, line: line)
    }

    /// Runs lrsim through the shell so stdout or stderr can be /dev/full or closed; returns the exit status.
    func shell(_ command: String) throws -> Int32 {
        guard let exe = LRSimProcess.executable else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command.replacingOccurrences(of: "LRSIM", with: "'\(exe.path)'")]
        p.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// D5: output that cannot be written is an error exit, never a trap (132) or a silent success.
    func testUnwritableStdoutAndStderr() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        for (command, why) in [
            ("LRSIM hw check /nonexistent.toml 2>/dev/full", "error message lost"),
            ("LRSIM trace verify traces/nonexistent.lrt 2>/dev/full", "error message lost"),
            ("LRSIM gemm --rows 16 --cols 16 --dataflow ws --layers resnet18 --json >/dev/full", "JSON lost"),
            ("LRSIM trace dump traces/mlp16-lr.lrt --all >/dev/full", "dump lost"),
            ("LRSIM hw show hwmodels/edge.toml >&-", "stdout closed"),
            ("LRSIM fx quantize --format s3.12 0.1 >/dev/full 2>/dev/full", "both lost"),
        ] {
            let status = try shell(command)
            XCTAssertTrue(status != 0 && status < 128, "\(command) (\(why)): status \(status)")
        }
        XCTAssertEqual(try shell("LRSIM hw show hwmodels/edge.toml >/dev/null"), 0, "a writable stdout still succeeds")
    }

    /// D6: --resume refuses a checkpoint whose settings differ, naming each difference; the same settings resume.
    func testResumeRefusesOtherSettings() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let first = try run(["train"] + synthetic + ["--epochs", "1", "--checkpoint", dir.path("c.ckpt")])
        XCTAssertEqual(first.status, 0, first.stderr)
        let again = synthetic + ["--epochs", "2", "--resume", dir.path("c.ckpt")]
        try refused(["train"] + again + ["--batch", "64"], "batch 32 (now 64)")
        try refused(["train"] + again + ["--seed", "7"], "seed 0 (now 7)")
        try refused(["train"] + again + ["--lr", "0.5"], "learning_rate")
        try refused(["train"] + again + ["--optimizer", "sgd"], "optimizer adam (now sgd)")
        try refused(["train"] + again + ["--estimator", "alr"], "estimator.kind lr (now alr)")
        try refused(["train"] + again + ["--hw", Self.root + "/hwmodels/edge.toml"], "datapath")
        let ok = try run(["train"] + again)
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    /// D7 and D16: outputs are checked before training: two on one path, an input overwritten, a directory given as a
    /// file; a missing parent directory is created for every output alike.
    func testOutputPathsAreCheckedUpFront() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        try refused(
            ["train"] + synthetic + ["--trace", dir.path("x.lrt"), "--report", dir.path("x.lrt")],
            "--trace writes the same path")
        try refused(
            ["train"] + synthetic + ["--trace", dir.path("y"), "--checkpoint", dir.path("./y")],
            "--trace writes the same path")
        try refused(
            ["sim", "--trace", Self.root + "/traces/mlp16-lr.lrt", "--report", Self.root + "/traces/mlp16-lr.lrt"],
            "it is the --trace input")
        try FileManager.default.createDirectory(atPath: dir.path("adir"), withIntermediateDirectories: true)
        let start = Date()
        try refused(
            [
                "train", "--model", "mlp:784-64-10", "--estimator", "lr", "--copies", "8", "--train-samples", "4000",
                "--epochs", "3", "--report", dir.path("adir"),
            ], "it is a directory")
        XCTAssertLessThan(Date().timeIntervalSince(start), 10, "refused before training")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("x.lrt")))
        let nested = try run(
            ["train"] + synthetic + [
                "--epochs", "1", "--trace", dir.path("new/a/t.lrt"),
                "--report", dir.path("new/b/r.json"),
            ])
        XCTAssertEqual(nested.status, 0, nested.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.path("new/a/t.lrt")))
    }

    /// D8: a trace names its model; --model with --trace is refused by sim and sweep, never ignored.
    func testTraceWithModelIsRefused() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let trace = Self.root + "/traces/mlp32-alr.lrt"
        try refused(
            [
                "sim", "--trace", trace, "--model", "mlp:784-64-10", "--batch", "16", "--estimator", "alr", "--copies",
                "8",
            ],
            "--model")
        try refused(
            [
                "sweep", "--trace", trace, "--model", "mlp:784-64-10", "--estimator", "alr", "--copies", "8",
                "--vary", "pe.rows=8", "--out", dir.path("o"),
            ], "not both")
    }

    /// D11: the demo checks every option, file and sweep value before it trains anything.
    func testDemoValidatesBeforeTraining() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let quick = ["demo", "--out", dir.path("o"), "--train-samples", "256", "--test-samples", "100"]
        for (extra, needle) in [
            (["--sweep-activation-bits", "x"], "formats.activations.bits"),
            (["--sweep-activation-bits", "0"], "formats.activations.bits"),
            (["--sweep-accumulator-bits", "200"], "formats.accumulators.bits"),
            (["--train-samples", "0"], "--train-samples"),
            (["--sigma", "nan"], "--sigma"),
            (["--copies", "31"], "--copies"),
            (["--hw", dir.path("missing.toml")], "missing.toml"),
        ] as [([String], String)] {
            let start = Date()
            try refused(quick + extra, needle)
            XCTAssertLessThan(Date().timeIntervalSince(start), 15, "\(extra): refused before training")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.path("o/train-alr.json")), "\(extra)")
        }
    }

    /// D12: values that were accepted silently.
    func testUnvalidatedValuesAreRefused() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let sgd = ["train"] + synthetic + ["--epochs", "1", "--optimizer", "sgd"]
        try refused(sgd + ["--momentum=-1"], "--momentum")
        try refused(sgd + ["--momentum", "2"], "--momentum")
        try refused(sgd + ["--momentum=nan"], "--momentum")
        let s = ["sim", "--model", "mlp:784-64-10", "--batch", "32", "--estimator", "alr"]
        try refused(s + ["--copies", "8", "--sigma=nan"], "--sigma")
        try refused(s + ["--copies", "8", "--sigma=-1"], "--sigma")
        try refused(s + ["--copies", "8", "--compare", ""], "--compare")
        try refused(s + ["--copies", "7"], "even number of copies")
        try refused(
            ["sweep"] + s.dropFirst() + [
                "--copies", "8", "--sigma", "nan", "--vary", "pe.rows=8", "--out", dir.path("o"),
            ],
            "--sigma")
        for value in ["x", "0", "-3", "100000"] {
            try refused(["version"], "LRSIM_THREADS", env: ["LRSIM_THREADS": value])
        }
        XCTAssertEqual(try run(["version"], env: ["LRSIM_THREADS": "2"]).status, 0)
        try refused(["help", "frobnicate"], "frobnicate")
        try refused(["help", "sweep", "nope"], "nope")
        XCTAssertEqual(try run(["help", "sweep", "merge"]).status, 0)
    }

    /// D13: messages that named nothing or the wrong thing.
    func testMessagesNameTheCulprit() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        try refused(
            ["train"] + synthetic + ["--train-samples", "-1"], "--train-samples: expected a positive count, got -1")
        try refused(["train"] + synthetic + ["--copies", "-1"], "--copies")
        for (option, value) in [
            ("--nodes", "0"), ("--graph-classes", "0"), ("--p-in", "2"), ("--p-in", "nan"), ("--p-out", "-0.1"),
            ("--signal", "nan"), ("--train-nodes", "5000"), ("--train-nodes", "0"), ("--features", "0"),
            ("--nodes", "100000000"),
        ] {
            try refused(["train-arch", "--arch", "gnn", option, value], option)
        }
        try refused(["train", "--model", "gnn:1000-32-64-5", "--data", "sbm:p_in=2"], "p_in")
        let r = try run([
            "sweep", "--model", "mlp:784-64-10", "--estimator", "alr", "--copies", "nan", "--vary", "pe.rows=8",
            "--out", dir.path("o"),
        ])
        XCTAssertFalse(r.stderr.contains("CommandError"), r.stderr)
        try FileManager.default.createDirectory(atPath: dir.path("adir"), withIntermediateDirectories: true)
        try refused(["hw", "check", dir.path("adir")], "it is a directory")
    }
}
