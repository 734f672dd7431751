import Foundation
import HWModel
import LRCore
import LRReport
import LRStudies
import LRTestSupport
import XCTest

/// The files `lrsim sim` writes are checked by independent readers: Python's vcdvcd and GTKWave's vcd2fst for the
/// VCD, JSONSerialization for the Chrome trace. Tests that need an external tool skip with a message when it is absent.
final class OutputFormatTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `lrsim sim` with every output, through the library call the command makes.
    func simulate(in dir: TemporaryDirectory) throws {
        var run = SimulationRun(
            hardware: try HardwareModel.load(path: Self.repo.appendingPathComponent("hwmodels/edge.toml").path),
            workload: SimWorkloadOptions(
                model: "mlp:32-16-10", estimator: .alr, batch: 4, copies: [4],
                iterations: 2))
        run.wallClock = false
        run.outputs = .init(
            vcd: dir.path("run.vcd"), timeline: dir.path("run.trace.json"), csv: dir.path("csv"),
            report: dir.path("report.json"))
        _ = try run.run()
    }

    func which(_ tool: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    @discardableResult
    func shell(_ exe: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out; p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testReportFieldsAndCSV() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        try simulate(in: dir)
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("report.json")))
            as! [String: Any]
        for key in ["cycles", "clock_hz", "iterations", "wall_seconds", "simulated_cycles_per_second"] {
            XCTAssertNotNil(json[key], key)
        }
        let tp = json["throughput"] as! [String: Any]
        XCTAssertNotNil(tp["samples_per_second"]); XCTAssertNotNil(tp["iterations_per_second"])
        let stages = json["stages"] as! [[String: Any]]
        for key in ["name", "busy", "starved", "blocked", "idle", "utilization"] {
            XCTAssertNotNil(stages[0][key], key)
        }
        XCTAssertNotNil((json["memory"] as! [String: Any])["peak_bytes"])
        XCTAssertNotNil((json["memory"] as! [String: Any])["per_buffer"])
        XCTAssertNotNil((json["dram"] as! [String: Any])["read_bytes"])
        XCTAssertNotNil((json["dram"] as! [String: Any])["write_bytes"])
        XCTAssertNotNil((json["energy_pj"] as! [String: Any])["total"])
        let csv = try String(contentsOfFile: dir.path("csv/stages.csv"), encoding: .utf8)
        XCTAssertTrue(csv.hasPrefix("name,kind,stage,busy,starved,blocked,idle,utilization,tasks,macs\n"))
        XCTAssertEqual(csv.split(separator: "\n").count, 1 + stages.count)
    }

    func testOutputsAreByteIdentical() throws {
        let a = try TemporaryDirectory(), b = try TemporaryDirectory()
        defer { a.cleanup(); b.cleanup() }
        try simulate(in: a); try simulate(in: b)
        for f in ["report.json", "run.vcd", "run.trace.json", "csv/stages.csv", "csv/buffers.csv"] {
            XCTAssertEqual(
                try Data(contentsOf: a.url.appendingPathComponent(f)),
                try Data(contentsOf: b.url.appendingPathComponent(f)), f)
        }
    }

    func testChromeTraceIsValidWithOneTrackPerUnit() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        try simulate(in: dir)
        let obj =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("run.trace.json")))
            as! [String: Any]
        XCTAssertEqual(obj["displayTimeUnit"] as? String, "ns")
        XCTAssertNotNil((obj["otherData"] as? [String: Any])?["microseconds_per_cycle"])
        let events = obj["traceEvents"] as! [[String: Any]]
        var names: [Int: String] = [:]
        for e in events where e["name"] as? String == "thread_name" {
            let tid = e["tid"] as! Int
            XCTAssertNil(names[tid], "two names for track \(tid)")
            names[tid] = (e["args"] as! [String: Any])["name"] as? String
        }
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("report.json")))
            as! [String: Any]
        let units = (report["stages"] as! [[String: Any]]).map { $0["name"] as! String }.filter { $0 != "dram" }
        XCTAssertEqual(Set(names.values), Set(units))
        let spans = events.filter { $0["ph"] as? String == "X" }
        XCTAssertGreaterThan(spans.count, 10)
        for s in spans {
            XCTAssertNotNil(names[s["tid"] as! Int]); XCTAssertGreaterThanOrEqual(s["dur"] as! Double, 0)
            for k in ["name", "cat", "ts", "pid", "args"] { XCTAssertNotNil(s[k], k) }
        }
    }

    func testVCDParsesWithVcdvcd() throws {
        guard let python = which("python3") else {
            throw XCTSkip("python3 not found: install it and `pip install vcdvcd` to run this check")
        }
        let (probe, _) = try shell(python, ["-c", "import vcdvcd"])
        guard probe == 0 else { throw XCTSkip("Python package vcdvcd missing: `pip install vcdvcd` to run this check") }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        try simulate(in: dir)
        let script = """
            import sys, vcdvcd
            v = vcdvcd.VCDVCD(sys.argv[1])
            sigs = v.signals
            busy = [s for s in sigs if s.endswith('stage0_array_busy')]
            assert busy, sigs
            tv = v[busy[0]].tv
            assert any(val == '1' for _, val in tv), tv
            st = [s for s in sigs if s.endswith('stage0_array_state')][0]
            assert all(int(val, 2) in (0, 1, 2, 3) for _, val in v[st].tv)
            print(len(sigs), v.endtime)
            """
        let (status, out) = try shell(python, ["-c", script, dir.path("run.vcd")])
        XCTAssertEqual(status, 0, out)
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("report.json")))
            as! [String: Any]
        let cycles = report["cycles"] as! Int
        // edge runs at 500 MHz: 2000 ps per cycle; the dump ends at the last cycle.
        XCTAssertTrue(out.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix(" \(cycles * 2000)"), out)
    }

    func testVCDLoadsInGTKWaveConverter() throws {
        guard let vcd2fst = which("vcd2fst") else {
            throw XCTSkip("GTKWave's vcd2fst not found: `apt-get install gtkwave` to run this check")
        }
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        try simulate(in: dir)
        let (status, out) = try shell(vcd2fst, [dir.path("run.vcd"), dir.path("run.fst")])
        XCTAssertEqual(status, 0, out)
        XCTAssertFalse(out.lowercased().contains("error"), out)
        let size = (try FileManager.default.attributesOfItem(atPath: dir.path("run.fst"))[.size] as? Int) ?? 0
        XCTAssertGreaterThan(size, 100)
    }
}
