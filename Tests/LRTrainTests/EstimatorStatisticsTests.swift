import LRCore
import XCTest

@testable import LRTrain

/// Statistical properties of the LR-family estimators against exact backprop, with fixed seeds
/// (reference/lr-method.md §2 calibration: MLP 20-32-32-5, tanh, sigma 0.1, layer-wise injection).
final class EstimatorStatisticsTests: XCTestCase {
    let bed = EstimatorTestbed()

    func settings(
        _ kind: EstimatorKind = .lr, K: Int, antithetic: Bool, baseline: Baseline, noise: NoiseKind = .gaussian,
        sigma: Float = 0.1
    ) -> EstimatorSettings {
        EstimatorSettings(
            kind: kind, copies: [K], sigma: [sigma], antithetic: antithetic, baseline: baseline, noise: noise)
    }

    func testCosineRisesWithCopies() {
        let seeds: Range<UInt64> = 0..<6
        let c10 = bed.meanCosines(settings(K: 10, antithetic: true, baseline: .clean), seeds: seeds)
        let c100 = bed.meanCosines(settings(K: 100, antithetic: true, baseline: .clean), seeds: seeds)
        let c1000 = bed.meanCosines(settings(K: 1000, antithetic: true, baseline: .clean), seeds: seeds)
        for l in 0..<3 {
            XCTAssertLessThan(c10[l], c100[l], "layer \(l): \(c10) \(c100)")
            XCTAssertLessThan(c100[l], c1000[l], "layer \(l): \(c100) \(c1000)")
        }
        XCTAssertGreaterThan(c1000.min()!, 0.95, "\(c1000)")
    }

    func testAntitheticAndBaselineBeatPlainMonteCarloAtK10() {
        let seeds: Range<UInt64> = 0..<12
        let plain = bed.meanCosines(settings(K: 10, antithetic: false, baseline: .none), seeds: seeds)
        let anti = bed.meanCosines(settings(K: 10, antithetic: true, baseline: .none), seeds: seeds)
        let base = bed.meanCosines(settings(K: 10, antithetic: false, baseline: .clean), seeds: seeds)
        for l in 0..<3 {
            XCTAssertGreaterThan(anti[l], plain[l] + 0.1, "layer \(l): antithetic \(anti) vs plain \(plain)")
            XCTAssertGreaterThan(base[l], plain[l] + 0.1, "layer \(l): baseline \(base) vs plain \(plain)")
        }
    }

    func testSignEncodedEstimateHasPositiveInnerProductAndCalibratedNorm() {
        let bp = bed.backprop()
        let alr = bed.estimate(settings(.alr, K: 2000, antithetic: true, baseline: .clean))
        let lr = bed.estimate(settings(.lr, K: 2000, antithetic: true, baseline: .clean))
        for (l, slot) in bed.network.layout.slots.enumerated() {
            let a = Array(alr[slot.range]), g = Array(bp[slot.range])
            let inner = zip(a, g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertGreaterThan(inner, 0, "layer \(l)")
        }
        let ratios = bed.layerNormRatios(alr, lr)
        for r in ratios { XCTAssertTrue((0.8...1.25).contains(r), "ALR/LR norm ratios \(ratios)") }
        let ratiosBP = bed.layerNormRatios(alr, bp)
        for r in ratiosBP { XCTAssertTrue((0.8...1.25).contains(r), "ALR/BP norm ratios \(ratiosBP)") }
    }

    func testLaplaceSignEstimatorConvergesToBackprop() {
        let bp = bed.backprop()
        let est = bed.estimate(
            settings(.alr, K: 4000, antithetic: true, baseline: .clean, noise: .laplace, sigma: 0.05))
        let cos = bed.layerCosines(est, bp)
        for c in cos { XCTAssertGreaterThan(c, 0.97, "\(cos)") }
        for r in bed.layerNormRatios(est, bp) { XCTAssertEqual(r, 1, accuracy: 0.1) }
    }

    /// Weight noise explores the whole parameter space of the layer, so its variance grows with the layer's
    /// parameter count d: cosine to the gradient behaves like sqrt(K / (K + d)). Check it rises with K and is well
    /// above chance for K = 3d.
    func testWeightNoiseESConvergesTowardsBackprop() {
        let bp = bed.backprop()
        let es = { (K: Int) in
            self.bed.layerCosines(
                self.bed.estimate(
                    EstimatorSettings(
                        kind: .es, copies: [K], sigma: [0.01],
                        antithetic: true, baseline: .clean)), bp)
        }
        let small = es(200), large = es(2000)
        for l in 0..<3 {
            XCTAssertLessThan(small[l], large[l], "\(small) \(large)")
            XCTAssertGreaterThan(large[l], 0.6, "\(large)")
        }
    }

    func testEstimateIsDeterministicAndIndependentOfThreadCount() {
        let s = settings(K: 16, antithetic: true, baseline: .clean)
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = bed.estimate(s)
        Parallel.threads = 2
        let two = bed.estimate(s)
        XCTAssertEqual(one, two)
        XCTAssertNotEqual(one, bed.estimate(s, seed: 99))
    }
}
