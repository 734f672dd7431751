import LRCore

/// How close an estimator's one-step gradient is to backprop's, as a function of the copies K: the measurement behind
/// the variance-reduction table of reference/lr-method.md §2 (`lrsim gradcheck`).
///
/// For each variant and K, the estimate is drawn with `seeds` independent noise seeds on the same network and batch;
/// the report gives the mean cosine to the exact gradient per parametric layer.
public struct GradientStudy {
    public struct Variant: Sendable {
        public var name: String
        public var settings: EstimatorSettings
        public init(name: String, settings: EstimatorSettings) { self.name = name; self.settings = settings }
    }

    public struct Row: Codable, Sendable {
        public var variant: String
        public var copies: Int
        /// Mean cosine similarity to backprop per parametric layer.
        public var cosine: [Double]
        /// Mean norm ratio |estimate| / |backprop| per parametric layer.
        public var normRatio: [Double]
    }

    /// The calibration variants: plain Monte Carlo, antithetic pairs, clean-loss baseline, scrambled Sobol QMC
    /// (with the baseline), and sign encoding with antithetic pairs.
    public static func standardVariants(sigma: Float) -> [Variant] {
        [
            Variant(
                name: "plain",
                settings: EstimatorSettings(kind: .lr, copies: [1], sigma: [sigma], antithetic: false, baseline: .none)),
            Variant(
                name: "antithetic",
                settings: EstimatorSettings(kind: .lr, copies: [1], sigma: [sigma], antithetic: true, baseline: .none)),
            Variant(
                name: "baseline",
                settings: EstimatorSettings(kind: .lr, copies: [1], sigma: [sigma], antithetic: false, baseline: .clean)
            ),
            Variant(
                name: "qmc+baseline",
                settings: EstimatorSettings(
                    kind: .lr, copies: [1], sigma: [sigma], antithetic: false, baseline: .clean, qmc: true)),
            Variant(
                name: "sign+antithetic",
                settings: EstimatorSettings(kind: .alr, copies: [1], sigma: [sigma], antithetic: true, baseline: .clean)
            ),
        ]
    }

    public let network: Network
    public let input: [Float]
    public let labels: [Int32]

    public init(network: Network, input: [Float], labels: [Int32]) {
        self.network = network; self.input = input; self.labels = labels
    }

    public var rows: Int { labels.count }

    public func backprop() -> [Float] {
        var g = [Float](repeating: 0, count: network.layout.count)
        input.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                g.withUnsafeMutableBufferPointer { gp in
                    _ = BackpropEngine(spec: network.spec).gradient(
                        network: network, input: x.baseAddress!, labels: y.baseAddress!,
                        rows: rows, into: gp.baseAddress!)
                }
            }
        }
        return g
    }

    public func estimate(_ settings: EstimatorSettings, seed: UInt64) throws -> [Float] {
        let s = try settings.resolved(spec: network.spec)
        let est = try LikelihoodRatioEstimator(spec: network.spec, settings: s, seed: seed, maxBatch: rows)
        var g = [Float](repeating: 0, count: network.layout.count)
        try input.withUnsafeBufferPointer { x in
            try labels.withUnsafeBufferPointer { y in
                try g.withUnsafeMutableBufferPointer { gp in
                    _ = try est.estimate(
                        network: network, input: x.baseAddress!, labels: y.baseAddress!, rows: rows, step: 0,
                        into: gp.baseAddress!, recordLosses: false)
                }
            }
        }
        return g
    }

    public func run(variants: [Variant], copies: [Int], seeds: Int) throws -> [Row] {
        let bp = backprop()
        let slots = network.layout.slots
        var rows: [Row] = []
        for v in variants {
            for K in copies {
                var s = v.settings
                s.copies = [K]
                var cos = [Double](repeating: 0, count: slots.count), ratio = cos
                for seed in 0..<seeds {
                    let g = try estimate(s, seed: UInt64(seed))
                    for (l, slot) in slots.enumerated() {
                        let a = Array(g[slot.range]), b = Array(bp[slot.range])
                        cos[l] += VectorMath.cosine(a, b) / Double(seeds)
                        ratio[l] += VectorMath.norm(a) / max(1e-30, VectorMath.norm(b)) / Double(seeds)
                    }
                }
                rows.append(Row(variant: v.name, copies: K, cosine: cos, normRatio: ratio))
            }
        }
        return rows
    }
}
