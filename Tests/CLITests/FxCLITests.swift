import Foundation
import LRTestSupport
import XCTest

@testable import LRSimCLI

/// `fx quantize` with long value lists (reliability report D18: quadratic in the value count inside the argument
/// parser, 16,000 values 12.4 s, 50,000 > 60 s).
final class FxCLITests: XCTestCase {
    func values(_ n: Int, from start: Int = 0) -> [String] { (start..<(start + n)).map { "\(Double($0) / 7)" } }

    func testLongValueListsAreMovedIntoOneArgumentAndBack() {
        let v = values(100) + ["-1/3", "-0x1p-13", "-.5", "abc", ""]
        let out = FxValueList.rewritten(
            ["fx", "quantize", "--format", "s3.12"] + v + ["--json", "--seed=4", "--mode", "RND"])
        XCTAssertEqual(out.count, 10)
        XCTAssertEqual(
            Array(out.prefix(8)), ["fx", "quantize", "--format", "s3.12", "--json", "--seed=4", "--mode", "RND"])
        XCTAssertEqual(out[8], "--value-list")
        XCTAssertEqual(FxValueList.split(out[9]), v, "the same values in the same order")
    }

    func testAnythingUnusualIsLeftToTheParser() {
        let base = ["fx", "quantize", "--format", "s3.12"] + values(100)
        for extra in [["--help"], ["-h"], ["--"], ["--frobnicate"], ["-x"], ["a\u{1F}b"], ["--mode"]] {
            XCTAssertEqual(FxValueList.rewritten(base + extra), base + extra, "\(extra)")
        }
        let short = ["fx", "quantize", "--format", "s3.12"] + values(64)
        XCTAssertEqual(FxValueList.rewritten(short), short, "short lists go through the parser")
        let other = ["sim"] + values(100)
        XCTAssertEqual(FxValueList.rewritten(other), other)
    }

    func run(_ args: [String]) throws -> (LRSimProcess.Result, Double) {
        guard LRSimProcess.executable != nil else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let t0 = Date()
        let r = try LRSimProcess.run(args)
        return (r, Date().timeIntervalSince(t0))
    }

    func testALongListGivesTheSameResultsAsShortOnes() throws {
        let v = values(300)
        let (long, _) = try run(["fx", "quantize", "--format", "s7.8", "--json"] + v)
        XCTAssertEqual(long.status, 0, long.stderr)
        var shortResults: [Any] = []
        for chunk in stride(from: 0, to: v.count, by: 50) {
            let (r, _) = try run(["fx", "quantize", "--format", "s7.8", "--json"] + Array(v[chunk..<(chunk + 50)]))
            XCTAssertEqual(r.status, 0, r.stderr)
            let obj = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            shortResults += obj?["results"] as? [Any] ?? []
        }
        let longObj = try JSONSerialization.jsonObject(with: Data(long.stdout.utf8)) as? [String: Any]
        let longResults = longObj?["results"] as? [Any] ?? []
        XCTAssertEqual(longResults.count, 300)
        XCTAssertEqual(NSArray(array: longResults), NSArray(array: shortResults))
    }

    /// Linear: 4x the values must take well under the 16x a quadratic parse takes (fastest of two runs each,
    /// alternated; the program's start-up makes the linear ratio smaller than 4).
    func testTimeGrowsLinearlyWithTheValueCount() throws {
        var small = Double.infinity, large = Double.infinity
        for _ in 0..<2 {
            let (a, ta) = try run(["fx", "quantize", "--format", "s7.8"] + values(3000))
            let (b, tb) = try run(["fx", "quantize", "--format", "s7.8"] + values(12000))
            XCTAssertEqual(a.status, 0, a.stderr)
            XCTAssertEqual(b.status, 0, b.stderr)
            XCTAssertEqual(b.stdout.split(separator: "\n").count, 12002, "format line, header, one row per value")
            small = min(small, ta); large = min(large, tb)
        }
        XCTAssertLessThan(large / small, 8, "3,000 values \(small) s, 12,000 values \(large) s")
    }
}
