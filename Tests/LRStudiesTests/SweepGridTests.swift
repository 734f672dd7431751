import XCTest

@testable import LRStudies

final class SweepGridTests: XCTestCase {
    func testCanonicalOrderFirstAxisSlowest() throws {
        let grid = try SweepGrid(axes: [SweepAxis.parse("a.bits=4,8"), SweepAxis.parse("pe.rows=16,32,64")])
        XCTAssertEqual(
            grid.points.map(\.overrides),
            [
                ["a.bits=4", "pe.rows=16"], ["a.bits=4", "pe.rows=32"], ["a.bits=4", "pe.rows=64"],
                ["a.bits=8", "pe.rows=16"], ["a.bits=8", "pe.rows=32"], ["a.bits=8", "pe.rows=64"],
            ])
        XCTAssertEqual(grid.points.map(\.index), Array(0..<6))
    }

    func testIdsAreStableSortedAndDistinct() throws {
        let a = SweepPoint(index: 0, overrides: ["pe.rows=16", "formats.activations.bits=4"])
        let b = SweepPoint(index: 7, overrides: ["formats.activations.bits=4", "pe.rows=16"])
        XCTAssertEqual(a.id, b.id, "the id depends on the overrides, not their order or the index")
        XCTAssertTrue(a.id.hasPrefix("formats-activations-bits-4_pe-rows-16-"), a.id)
        // FNV-1a 64 of the sorted, newline-joined overrides, folded to 32 bits: computed independently here.
        var h: UInt64 = 0xcbf29ce484222325
        for byte in "formats.activations.bits=4\npe.rows=16".utf8 { h = (h ^ UInt64(byte)) &* 0x100000001b3 }
        let folded = UInt32(truncatingIfNeeded: h ^ (h >> 32))
        let hex = String(folded, radix: 16)
        XCTAssertEqual(String(a.id.suffix(8)), String(repeating: "0", count: 8 - hex.count) + hex)
        let grid = try SweepGrid(axes: [SweepAxis.parse("x=1,2,3,4,5"), SweepAxis.parse("y=a,b,c")])
        XCTAssertEqual(Set(grid.points.map(\.id)).count, 15)
    }

    func testShardsPartitionTheGrid() throws {
        let grid = try SweepGrid(axes: [SweepAxis.parse("x=1,2,3,4,5"), SweepAxis.parse("y=1,2,3")])
        var seen: [Int] = []
        for i in 0..<4 {
            let shard = try SweepShard.parse("\(i)/4")
            let mine = grid.points(in: shard).map(\.index)
            XCTAssertTrue(mine.allSatisfy { $0 % 4 == i })
            seen += mine
        }
        XCTAssertEqual(seen.sorted(), Array(0..<15))
    }

    func testBadInputsGiveOneLineErrors() {
        func message(_ f: () throws -> Void) -> String {
            do { try f(); return "" } catch { return "\(error)" }
        }
        XCTAssertTrue(message { _ = try SweepAxis.parse("pe.rows") }.contains("expected KEY=V1,V2"))
        XCTAssertTrue(message { _ = try SweepAxis.parse("pe.rows=1,,2") }.contains("non-empty values"))
        XCTAssertTrue(message { _ = try SweepAxis.parse("pe.rows=1,1") }.contains("listed twice"))
        XCTAssertTrue(message { _ = try SweepShard.parse("4/4") }.contains("0 <= I < N"))
        XCTAssertTrue(message { _ = try SweepShard.parse("x") }.contains("I/N"))
        XCTAssertTrue(
            message { _ = try SweepGrid(axes: [.init(key: "a", values: ["1"]), .init(key: "a", values: ["2"])]) }
                .contains("varied twice"))
        let big = SweepAxis(key: "a", values: (0..<400).map(String.init))
        XCTAssertTrue(
            message { _ = try SweepGrid(axes: [big, SweepAxis(key: "b", values: big.values)]) }.contains("more than"))
    }
}
