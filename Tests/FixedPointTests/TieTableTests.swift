import FixedPoint
import XCTest

/// Hand-checked ties for every rounding mode (values in ULPs; the same table is in docs/fixed-point.md).
final class TieTableTests: XCTestCase {
    //                                          2.5  3.5  -2.5  -3.5   2.25  -2.75
    static let table: [(Quantization, [Int128])] = [
        (.truncate, [2, 3, -3, -4, 2, -3]),
        (.truncateToZero, [2, 3, -2, -3, 2, -2]),
        (.roundHalfUp, [3, 4, -2, -3, 2, -3]),
        (.roundHalfToZero, [2, 3, -2, -3, 2, -3]),
        (.roundHalfAwayFromZero, [3, 4, -3, -4, 2, -3]),
        (.roundHalfDown, [2, 3, -3, -4, 2, -3]),
        (.roundHalfToEven, [2, 4, -2, -4, 2, -3]),
        (.roundHalfToOdd, [3, 3, -3, -3, 2, -3]),
    ]
    static let inputs: [Double] = [2.5, 3.5, -2.5, -3.5, 2.25, -2.75]

    func testTieTableInWholeULPs() throws {
        let f = try FixedFormat.parse("s8.0")
        for (mode, expected) in Self.table {
            let cfg = FixedConfig(f, rounding: mode, overflow: .saturate)
            for (x, want) in zip(Self.inputs, expected) {
                XCTAssertEqual(FixedArithmetic.quantize(x, into: cfg), want, "\(mode.rawValue) of \(x)")
                XCTAssertEqual(
                    ExactReference.round(Rational(exactly: x)!, into: cfg), want, "GMP \(mode.rawValue) of \(x)")
            }
        }
    }

    /// The same ties at a fractional scale: in s3.12 one ULP is 2^-12, so x ULPs is x / 4096.
    func testTieTableInS3_12() throws {
        let f = try FixedFormat.parse("s3.12")
        for (mode, expected) in Self.table {
            let cfg = FixedConfig(f, rounding: mode, overflow: .saturate)
            for (x, want) in zip(Self.inputs, expected) {
                XCTAssertEqual(
                    FixedArithmetic.quantize(Float(x / 4096), into: cfg), want, "\(mode.rawValue) of \(x) ULPs")
            }
        }
    }

    /// Hand-checked overflow results in s3.0 (range -4...3) for the value 5 and -5 and the code -4.
    func testOverflowTable() throws {
        let f = try FixedFormat.parse("s3.0")
        let cases: [(Overflow, [Int128])] = [
            //            5   -5   -4   9
            (.wrap, [-3, 3, -4, 1]),
            (.saturate, [3, -4, -4, 3]),
            (.saturateToZero, [0, 0, -4, 0]),
            (.saturateSymmetric, [3, -3, -3, 3]),
        ]
        for (o, want) in cases {
            let cfg = FixedConfig(f, rounding: .truncate, overflow: o)
            XCTAssertEqual([5.0, -5, -4, 9].map { FixedArithmetic.quantize($0, into: cfg) }, want, o.rawValue)
        }
        // Unsigned: u3.0 holds 0...7; -1 wraps to 7 and saturates to 0.
        let u = FixedConfig(try .parse("u3.0"), rounding: .truncate, overflow: .wrap)
        XCTAssertEqual(FixedArithmetic.quantize(-1.0, into: u), 7)
        XCTAssertEqual(FixedArithmetic.quantize(-1.0, into: FixedConfig(u.format, overflow: .saturateSymmetric)), 0)
    }
}
