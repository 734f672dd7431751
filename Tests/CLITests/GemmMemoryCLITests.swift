import Foundation
import LRTestSupport
import XCTest

@testable import LRSimCLI

/// `lrsim gemm` with the scratchpad model: options, hardware-model mapping, report fields, errors.
final class GemmMemoryCLITests: XCTestCase {
    func report(_ args: [String], in dir: TemporaryDirectory) throws -> [String: Any] {
        var cmd = try LRSimCommand.parseAsRoot(["gemm"] + args + ["--report", dir.path("g.json")])
        try cmd.run()
        return try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("g.json")))
            as! [String: Any]
    }

    /// Case mem001_os of scripts/scalesim/scalesim_memory.csv: SCALE-Sim v3 reported 1134 total, 736 stall cycles.
    func testSCALESimOptionsReportStallsInJSONAndComputeReport() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let json = try report(
            [
                "--rows", "16", "--cols", "12", "--dataflow", "os", "--ifmap-sram-kb", "1",
                "--filter-sram-kb", "2", "--ofmap-sram-kb", "4", "--bandwidth", "2", "2", "74", "31",
            ], in: dir)
        let layer = (json["layers"] as! [[String: Any]])[0]
        XCTAssertEqual(layer["cycles"] as? Int, 1134)
        XCTAssertEqual(layer["stall_cycles"] as? Int, 736)
        XCTAssertEqual(layer["compute_cycles"] as? Int, 398)  // ceil(2/16) * ceil(74/12) = 7 folds of 16+12+31-2, minus 1
        XCTAssertEqual(json["total_stall_cycles"] as? Int, 736)
        let memory = json["memory"] as! [String: Any]
        XCTAssertEqual(memory["ifmap_words"] as? Int, 1024)
        XCTAssertEqual(memory["ofmap_bandwidth"] as? Int, 2)
        let csv = try String(contentsOfFile: dir.path("COMPUTE_REPORT.csv"), encoding: .utf8)
        XCTAssertTrue(csv.contains(",1134,736,"), csv)
    }

    /// The edge model's buffers: inputs 32 KiB of 8-bit activations, weights 64 KiB of 8-bit weights, accumulators
    /// 64 KiB of 32-bit words; DRAM 25.6 bytes per cycle -> 25, 25 and 6 words per cycle.
    func testHardwareModelMapping() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let edge = SimCLITests.repo.appendingPathComponent("hwmodels/edge.toml").path
        let json = try report(["--hw", edge, "--memory", "100", "64", "300"], in: dir)
        let memory = json["memory"] as! [String: Any]
        XCTAssertEqual(memory["ifmap_words"] as? Int, 32768)
        XCTAssertEqual(memory["filter_words"] as? Int, 65536)
        XCTAssertEqual(memory["ofmap_words"] as? Int, 16384)
        XCTAssertEqual(
            [memory["ifmap_bandwidth"], memory["filter_bandwidth"], memory["ofmap_bandwidth"]] as? [Int], [25, 25, 6])
        // An override replaces the model's value.
        let json2 = try report(["--hw", edge, "--memory", "--filter-sram-kb", "2", "100", "64", "300"], in: dir)
        XCTAssertEqual((json2["memory"] as! [String: Any])["filter_words"] as? Int, 2048)
        let l1 = (json["layers"] as! [[String: Any]])[0], l2 = (json2["layers"] as! [[String: Any]])[0]
        XCTAssertEqual(l1["compute_cycles"] as? Int, l2["compute_cycles"] as? Int)
        XCTAssertGreaterThan(
            l2["stall_cycles"] as! Int, l1["stall_cycles"] as! Int, "a 2 KiB filter buffer stalls more")
    }

    func testWithoutMemoryOptionsTheReportIsStallFree() throws {
        let dir = try TemporaryDirectory(); defer { dir.cleanup() }
        let json = try report(["--rows", "32", "--cols", "32", "--dataflow", "ws", "3025", "96", "363"], in: dir)
        let layer = (json["layers"] as! [[String: Any]])[0]
        XCTAssertEqual(
            [layer["cycles"], layer["compute_cycles"], layer["stall_cycles"]] as? [Int], [112283, 112283, 0])
        XCTAssertNil(json["memory"])
    }

    func testBadMemoryOptionsFailCleanly() throws {
        // --memory needs a hardware model or all four options (parse-time ValidationError).
        XCTAssertThrowsError(
            try LRSimCommand.parseAsRoot(["gemm", "--rows", "4", "--cols", "4", "--memory", "1", "2", "3"]))
        for args in [
            ["gemm", "--rows", "4", "--cols", "4", "--ifmap-sram-kb", "1", "1", "2", "3"],
            [
                "gemm", "--rows", "4", "--cols", "4", "--ifmap-sram-kb", "1", "--filter-sram-kb", "1",
                "--ofmap-sram-kb", "1", "--bandwidth", "0", "1", "2", "3",
            ],
            [
                "gemm", "--rows", "4", "--cols", "4", "--ifmap-sram-kb", "1", "--filter-sram-kb", "1",
                "--ofmap-sram-kb", "1", "--bandwidth", "2", "--convention", "onnxim", "1", "2", "3",
            ],
        ] {
            var cmd = try LRSimCommand.parseAsRoot(args)
            XCTAssertThrowsError(try cmd.run(), args.joined(separator: " "))
        }
    }
}
