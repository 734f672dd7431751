import FixedPoint
import Foundation
import XCTest

final class FormatTests: XCTestCase {
    func testSpellings() throws {
        let s312 = try FixedFormat.parse("s3.12")
        XCTAssertEqual(s312, try FixedFormat(signed: true, intBits: 3, fracBits: 12))
        XCTAssertEqual(s312.width, 15)
        XCTAssertEqual(s312.rawMin, -16384)
        XCTAssertEqual(s312.rawMax, 16383)
        XCTAssertEqual(try FixedFormat.parse("u0.8").rawMax, 255)
        // TI/ARM Q notation excludes the sign bit: Q3.12 is s4.12 (16 bits), Q15 is s1.15.
        XCTAssertEqual(try FixedFormat.parse("Q3.12"), try FixedFormat.parse("s4.12"))
        XCTAssertEqual(try FixedFormat.parse("q15"), try FixedFormat.parse("s1.15"))
        XCTAssertEqual(try FixedFormat.parse("UQ1.15"), try FixedFormat.parse("u1.15"))
        XCTAssertEqual(try FixedFormat.parse("ac_fixed<16, 4, true>"), try FixedFormat.parse("s4.12"))
        XCTAssertEqual(try FixedFormat.parse(" s-2.10 ").width, 8)
        XCTAssertEqual(try FixedFormat.parse("u12.-4").width, 8)
        XCTAssertEqual(try FixedFormat.parse("s64.64").width, 128)
        XCTAssertEqual(try FixedFormat.parse("s3.12").description, "s3.12")
    }

    func testInvalidFormatsAreRejectedWithClearErrors() {
        for bad in [
            "", "s3", "x3.12", "s3.x", "s0.0", "u0.0", "s100.100", "u64.64", "s-3.2", "Q", "ac_fixed<8,4,maybe>",
            "s99999.1", "s3.12.1",
        ] {
            XCTAssertThrowsError(try FixedFormat.parse(bad), bad) { e in
                guard let err = e as? FixedPointError else { return XCTFail("\(bad): \(e)") }
                XCTAssertEqual(err.kind, .invalidFormat, bad)
                XCTAssertTrue(err.description.contains("format"), err.description)
                XCTAssertFalse(err.description.contains("\n"))
            }
        }
        XCTAssertThrowsError(try FixedFormat.parse("s40.40").requireValueFormat("weight"))
        XCTAssertNoThrow(try FixedFormat.parse("s32.32").requireValueFormat())
    }

    func testModesParseByACFixedName() throws {
        for q in Quantization.allCases {
            XCTAssertEqual(Quantization(rawValue: q.rawValue), q)
            XCTAssertEqual(try Quantization.parse(q.rawValue.lowercased()), q)
        }
        XCTAssertEqual(try Overflow.parse("ac_sat_sym"), .saturateSymmetric)
        XCTAssertThrowsError(try Quantization.parse("ROUND"))
        XCTAssertThrowsError(try Overflow.parse("CLAMP"))
    }

    func testConfigCodableForm() throws {
        let json = #"{"format":"s3.12","rounding":"RND_CONV","overflow":"SAT"}"#
        let c = try JSONDecoder().decode(FixedConfig.self, from: Data(json.utf8))
        XCTAssertEqual(c, FixedConfig(try .parse("s3.12"), rounding: .roundHalfToEven, overflow: .saturate))
        let defaults = try JSONDecoder().decode(FixedConfig.self, from: Data(#"{"format":"u0.8"}"#.utf8))
        XCTAssertEqual(defaults.rounding, .truncate)
        XCTAssertEqual(defaults.overflow, .wrap)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        XCTAssertEqual(
            String(decoding: try enc.encode(c), as: UTF8.self),
            #"{"format":"s3.12","overflow":"SAT","rounding":"RND_CONV"}"#)
        XCTAssertThrowsError(try JSONDecoder().decode(FixedConfig.self, from: Data(#"{"format":"s3.x"}"#.utf8)))
    }
}
