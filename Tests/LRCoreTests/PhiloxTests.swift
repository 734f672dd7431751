import XCTest

@testable import LRCore

/// Known-answer vectors from Random123's kat_vectors file (philox4x32, 10 rounds).
final class PhiloxTests: XCTestCase {
    func testRandom123KnownAnswers() {
        let cases: [(ctr: SIMD4<UInt32>, key: (UInt32, UInt32), out: SIMD4<UInt32>)] = [
            (SIMD4(0, 0, 0, 0), (0, 0), SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
            (
                SIMD4(0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff),
                SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)
            ),
            (
                SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
                SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)
            ),
        ]
        for c in cases {
            XCTAssertEqual(Philox4x32(key: c.key).block(c.ctr), c.out)
        }
    }

    func testNoiseIsPureFunctionOfCoordinates() {
        let key = NoiseKey(seed: 42, step: 7, layer: 1, stream: .logitNoise)
        var whole = [Float](repeating: 0, count: 37)
        whole.withUnsafeMutableBufferPointer { NoiseSampler.gaussian(key, row: 5, into: $0) }
        // Regenerating a prefix gives the same numbers: element e depends only on (key, row, e).
        var prefix = [Float](repeating: 0, count: 10)
        prefix.withUnsafeMutableBufferPointer { NoiseSampler.gaussian(key, row: 5, into: $0) }
        XCTAssertEqual(Array(whole.prefix(10)), prefix)
        var otherRow = [Float](repeating: 0, count: 10)
        otherRow.withUnsafeMutableBufferPointer { NoiseSampler.gaussian(key, row: 6, into: $0) }
        XCTAssertNotEqual(prefix, otherRow)
    }

    func testGaussianMoments() {
        let key = NoiseKey(seed: 1, step: 0, layer: 0, stream: .logitNoise)
        let n = 200_000
        var x = [Float](repeating: 0, count: n)
        x.withUnsafeMutableBufferPointer { NoiseSampler.gaussian(key, row: 0, into: $0) }
        let mean = x.reduce(0.0) { $0 + Double($1) } / Double(n)
        let variance = x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(n) - mean * mean
        let kurt = x.reduce(0.0) { $0 + pow(Double($1) - mean, 4) } / Double(n) / (variance * variance)
        // Standard errors: mean 1/sqrt(n) = 0.0022, variance sqrt(2/n) = 0.0032, kurtosis sqrt(24/n) = 0.011.
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.015)
        XCTAssertEqual(kurt, 3, accuracy: 0.06)
    }
}
