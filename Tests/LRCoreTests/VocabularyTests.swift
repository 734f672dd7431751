import XCTest

@testable import LRCore

/// The vocabulary every module shares: K (`CopyCounts`) with its one range rule, the model spellings (`ModelSpec`),
/// the estimator kinds.
final class VocabularyTests: XCTestCase {
    func testCopyCountsParseAndExpand() throws {
        XCTAssertEqual(Array(try CopyCounts(parsing: "32")), [32])
        XCTAssertEqual(Array(try CopyCounts(parsing: "8, 8,32 ,32")), [8, 8, 32, 32])
        for bad in ["", "x", "-1", "4,", ",4", "1.5", "nan", "4;4"] {
            XCTAssertThrowsError(try CopyCounts(parsing: bad), bad) { e in
                XCTAssertEqual((e as? SettingError)?.setting, "copies", bad)
            }
        }
        XCTAssertEqual(Array(try CopyCounts(4).expanded(toLayers: 3)), [4, 4, 4])
        XCTAssertEqual(Array(try CopyCounts([2, 6]).expanded(toLayers: 2)), [2, 6])
        XCTAssertThrowsError(try CopyCounts([2, 6]).expanded(toLayers: 3))
        XCTAssertEqual(CopyCounts([2, 6]).count(ofLayer: 1), 6)
        XCTAssertEqual(CopyCounts(5).count(ofLayer: 7), 5)
        XCTAssertEqual(CopyCounts([]).count(ofLayer: 0), 0)
        XCTAssertEqual(CopyCounts([8, 0, 16]).description, "8,0,16")
    }

    /// One rule for train, sim, demo and sweep: 0...65536 per layer (0 = not trained), one layer positive, even with
    /// antithetic pairs; backprop ignores K.
    func testCopyCountsRangeRule() throws {
        func check(_ k: [Int], layers: Int = 2, _ e: EstimatorKind = .lr, antithetic: Bool = true) throws {
            try CopyCounts(k).validate(layers: layers, estimator: e, antithetic: antithetic)
        }
        XCTAssertNoThrow(try check([2]))
        XCTAssertNoThrow(try check([0, 8]))
        XCTAssertNoThrow(try check([65536]))
        XCTAssertNoThrow(try check([3], antithetic: false))
        XCTAssertNoThrow(try check([3, 5, 7], .bp))
        for (k, needle) in [
            ([3], "even"), ([65538], "0...65536"), ([0], "at least one"), ([0, 0], "at least one"),
            ([2, 2, 2], "1 or 2"), ([-2], "0...65536"),
        ] as [([Int], String)] {
            XCTAssertThrowsError(try check(k), "\(k)") { e in
                XCTAssertTrue("\(e)".hasPrefix("copies: "), "\(e)")
                XCTAssertTrue("\(e)".contains(needle), "\(k): \(e)")
            }
        }
    }

    func testCopyCountsEncodeAsAnArray() throws {
        let data = try JSONEncoder().encode(CopyCounts([8, 0, 32]))
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "[8,0,32]")
        XCTAssertEqual(try JSONDecoder().decode(CopyCounts.self, from: data), [8, 0, 32])
    }

    /// Every family `sim --model` accepts, with its canonical spelling and the per-step / per-node network.
    func testModelSpecSpellings() throws {
        let cases: [(String, String, Int)] = [
            ("mlp:784-256-10", "mlp:784-256-10", 2),
            ("cnn:small", "cnn:small", 4),
            ("rnn:28x128-10", "rnn:28x128-10xT28", 2),
            ("rnn:112x8-3xT7", "rnn:112x8-3xT7", 2),
            ("snn:784-256-10", "snn:784-256-10xT16", 2),
            ("gnn:1000-32-64-5e3540", "gnn:1000-32-64-5e3540", 2),
            ("gnn:10-4-8-2", "gnn:10-4-8-2e20", 2),
        ]
        for (text, spelling, parametric) in cases {
            let m = try ModelSpec.parse(text)
            XCTAssertEqual(m.spelling, spelling, text)
            XCTAssertEqual(m.parametricLayerCount, parametric, text)
            XCTAssertEqual(try ModelSpec.parse(m.spelling), m, text)
        }
        guard case .sequence(let rnn) = try ModelSpec.parse("rnn:28x128-10") else { return XCTFail("rnn") }
        XCTAssertEqual(rnn.sampleFeatures, 784)
        XCTAssertEqual(rnn.network.layers.first, .dense(inputs: 28 + 128, outputs: 128))
        guard case .feedforward(let mlp) = try ModelSpec.parse("mlp:4-3-2", activation: .tanh) else {
            return XCTFail("mlp")
        }
        XCTAssertEqual(mlp.layers[1], .activation(.tanh))
        for bad in ["mlp:784-x-10", "rnn:28x128", "snn:1-2", "gnn:3-1-1-1e4", "foo:1-2", "784-10", "cnn:big"] {
            XCTAssertThrowsError(try ModelSpec.parse(bad), bad) { e in
                XCTAssertTrue("\(e)".contains("model '\(bad)'"), "\(e)")
            }
        }
    }

    func testEstimatorKindProperties() {
        XCTAssertEqual(EstimatorKind.allCases.filter(\.isForwardOnly), [.lr, .alr, .es, .aes])
        XCTAssertEqual(EstimatorKind.allCases.filter(\.signEncoded), [.alr, .aes])
        XCTAssertEqual(EstimatorKind.allCases.filter(\.usesWeightNoise), [.es, .aes])
        XCTAssertEqual(EstimatorKind.spellings, "bp, lr, alr, es, aes")
    }
}
