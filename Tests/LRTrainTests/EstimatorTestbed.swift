import LRCore

@testable import LRTrain

/// A small network and batch with a fixed seed, and helpers to compare estimators with exact backprop.
struct EstimatorTestbed {
    let network: Network
    let input: [Float]
    let labels: [Int32]
    let rows: Int

    /// The calibration network of reference/lr-method.md: MLP 20-32-32-5, tanh.
    init(model: String = "mlp:20-32-32-5", activation: Activation = .tanh, rows: Int = 32, seed: UInt64 = 3) {
        let spec = try! NetworkSpec.parse(model, activation: activation)
        network = Network(spec: spec, seed: seed)
        self.rows = rows
        var rng = Philox4x32(seed: seed ^ 0xDA7A)
        var x = [Float](repeating: 0, count: rows * spec.inputCount)
        var i = 0
        var block: UInt32 = 0
        while i < x.count {
            let g = NoiseSampler.boxMuller(rng.block(SIMD4(block, 0, 0, 0)))
            for lane in 0..<4 where i + lane < x.count { x[i + lane] = g[lane] }
            i += 4; block += 1
        }
        input = x
        labels = (0..<rows).map {
            Int32(truncatingIfNeeded: rng.block(SIMD4(UInt32($0), 1, 0, 0))[0] % UInt32(spec.outputCount))
        }
        _ = rng
    }

    func backprop() -> [Float] {
        var g = [Float](repeating: 0, count: network.layout.count)
        let engine = BackpropEngine(spec: network.spec)
        input.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                g.withUnsafeMutableBufferPointer { gp in
                    engine.gradient(
                        network: network, input: x.baseAddress!, labels: y.baseAddress!, rows: rows,
                        into: gp.baseAddress!)
                }
            }
        }
        return g
    }

    func estimate(_ settings: EstimatorSettings, step: Int = 0, seed: UInt64 = 11) -> [Float] {
        let s = try! settings.resolved(parametricLayers: network.layout.slots.count)
        let est = try! LikelihoodRatioEstimator(spec: network.spec, settings: s, seed: seed)
        var g = [Float](repeating: 0, count: network.layout.count)
        input.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                g.withUnsafeMutableBufferPointer { gp in
                    _ = try! est.estimate(
                        network: network, input: x.baseAddress!, labels: y.baseAddress!, rows: rows, step: step,
                        into: gp.baseAddress!)
                }
            }
        }
        return g
    }

    /// Cosine similarity per parametric layer (weights and biases together).
    func layerCosines(_ a: [Float], _ b: [Float]) -> [Double] {
        network.layout.slots.map { VectorMath.cosine(Array(a[$0.range]), Array(b[$0.range])) }
    }

    func layerNormRatios(_ a: [Float], _ b: [Float]) -> [Double] {
        network.layout.slots.map { VectorMath.norm(Array(a[$0.range])) / VectorMath.norm(Array(b[$0.range])) }
    }

    /// Mean cosine per layer over several independent noise seeds (estimator quality, not one lucky draw).
    func meanCosines(_ settings: EstimatorSettings, seeds: Range<UInt64>) -> [Double] {
        let bp = backprop()
        var acc = [Double](repeating: 0, count: network.layout.slots.count)
        for s in seeds {
            let c = layerCosines(estimate(settings, seed: s), bp)
            for i in acc.indices { acc[i] += c[i] }
        }
        return acc.map { $0 / Double(seeds.count) }
    }
}
