import Foundation
import HWModel
import XCTest

@testable import LRSim

final class SystolicTimingTests: XCTestCase {
    func testPublishedChecks() {
        let a = SystolicArray(rows: 32, cols: 32, dataflow: .ws)
        XCTAssertEqual(a.timing(GemmShape(m: 3025, n: 96, k: 363)).cycles, 112283)  // AlexNet conv1
        XCTAssertEqual(a.timing(GemmShape(m: 4096, n: 256, k: 784)).cycles, 837999)
        XCTAssertEqual(a.timing(GemmShape(m: 4096, n: 256, k: 784), convention: .scalesimRTL).cycles, 838000)
    }

    func testFoldArithmeticByHand() {
        // os 8x8, M=37 N=21 K=19: ceil(37/8)=5 x ceil(21/8)=3 = 15 folds of 8+8+19-2 = 33 -> 494.
        let os = SystolicArray(rows: 8, cols: 8, dataflow: .os).timing(GemmShape(m: 37, n: 21, k: 19))
        XCTAssertEqual(os.folds, 15); XCTAssertEqual(os.cyclesPerFold, 33); XCTAssertEqual(os.cycles, 494)
        // Mapping efficiency: 37*21 used PE-folds over 15 folds of 64 = 80.9375 %.
        XCTAssertEqual(os.mappingEfficiencyPercent, 80.9375, accuracy: 1e-9)
        // is 4x4, M=N=K=4: 1 fold of 8+4+4-2 = 14 -> 13.
        XCTAssertEqual(SystolicArray(rows: 4, cols: 4, dataflow: .is).timing(GemmShape(m: 4, n: 4, k: 4)).cycles, 13)
        // ONNXim convention: fill/drain once: 15 * max(19,4) + (33 - 19) = 299.
        XCTAssertEqual(
            SystolicArray(rows: 8, cols: 8, dataflow: .os).timing(GemmShape(m: 37, n: 21, k: 19), convention: .onnxim)
                .cycles, 299)
    }

    /// Every case SCALE-Sim v3 was run on (scripts/scalesim/compare.py writes the table): equal to the cycle, and the
    /// same mapping efficiency.
    func testAgreesWithCommittedSCALESimTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/scalesim/scalesim_cycles.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = lines[0]
        func col(_ n: String) -> Int { header.firstIndex(of: n)! }
        var checked = 0
        for row in lines.dropFirst() where row.count == header.count {
            let array = SystolicArray(
                rows: Int(row[col("rows")])!, cols: Int(row[col("cols")])!,
                dataflow: Dataflow(rawValue: row[col("dataflow")])!)
            let t = array.timing(GemmShape(m: Int(row[col("M")])!, n: Int(row[col("N")])!, k: Int(row[col("K")])!))
            XCTAssertEqual(t.cycles, Int(row[col("total_cycles")])!, row[0])
            XCTAssertEqual(
                t.mappingEfficiencyPercent, Double(row[col("mapping_efficiency_percent")])!, accuracy: 1e-6, row[0])
            XCTAssertEqual(t.utilizationPercent, Double(row[col("overall_util_percent")])!, accuracy: 1e-6, row[0])
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3)
    }

    func testResNet18PresetHas21Layers() {
        let list = GemmList.preset("resnet18")!
        XCTAssertEqual(list.count, 21)
        XCTAssertEqual(list[0].shape, GemmShape(m: 112 * 112, n: 64, k: 147))
        XCTAssertEqual(list.last!.shape, GemmShape(m: 1, n: 1000, k: 512))
    }

    func testTopologyParsingAndErrors() throws {
        let gemm = try GemmList.parse(text: "Layer, M, N, K,\nfc1, 128, 256, 784,\n", file: "t.csv")
        XCTAssertEqual(gemm, [NamedGemm(name: "fc1", shape: GemmShape(m: 128, n: 256, k: 784))])
        // SCALE-Sim conv format: 227x227 ifmap, 11x11 filter, 3 channels, 96 filters, stride 4 -> AlexNet conv1.
        let conv = try GemmList.parse(
            text:
                "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1, 227, 227, 11, 11, 3, 96, 4,\n",
            file: "c.csv")
        XCTAssertEqual(conv[0].shape, GemmShape(m: 3025, n: 96, k: 363))
        XCTAssertThrowsError(try GemmList.parse(text: "Layer, M, N, K,\nfc1, 128, x, 784,\n", file: "bad.csv")) { e in
            XCTAssertEqual("\(e)", "bad.csv:2: field 3 ('x'): expected a positive integer (at most 2^30)")
        }
    }
}
