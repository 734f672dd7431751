import LRCore

/// The noise of backprop-with-injected-noise ("BP+", the control of the LR authors' `BPplus.py`): `sigma * e` added
/// to every parametric layer's output in the forward pass, e from the run's `NoiseSource` (Gaussian by default) at
/// (step, layer index, row = sample index in the batch).
package struct TrainingNoise: Sendable {
    package var source: NoiseSource
    package var sigma: Float
    package var step: Int

    package init(source: NoiseSource, sigma: Float, step: Int) {
        self.source = source; self.sigma = sigma; self.step = step
    }
}

extension BackpropEngine {
    /// The forward pass with `noise` added to each parametric layer's output in place, so the backward pass that follows
    /// differentiates the noisy network (activations see the noisy pre-activations).
    func noisyForward(
        network: Network, parameters: UnsafePointer<Float>, input: UnsafePointer<Float>, rows: Int,
        noise: TrainingNoise
    ) -> UnsafePointer<Float> {
        let ws = workspace, layout = network.layout, last = network.spec.layers.count - 1
        var x = input, at = -1
        for slot in layout.slots {
            let li = slot.layer, d = ws.size(after: li)
            ws.forward(parameters: parameters, layout: layout, from: at &+ 1, through: li, input: x, rows: rows)
            let out = ws.output(li), sigma = noise.sigma, source = noise.source, step = noise.step
            Parallel.forRanges(count: rows, grain: max(1, 16384 / max(1, d))) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: d) { e in
                    for r in range {
                        source.fill(step: step, layer: li, row: r, into: e)
                        let y = out + r &* d
                        for j in 0..<d { y[j] += sigma * e[j] }
                    }
                }
            }
            x = UnsafePointer(out); at = li
        }
        return at == last ? x : ws.forward(parameters: parameters, layout: layout, from: at &+ 1, input: x, rows: rows)
    }
}

/// BP+: exact backprop of the loss of the network with `trainNoise` on every layer's output (fresh noise every step).
/// The step's reported loss is the noisy network's.
public final class NoisyBackpropEstimator: GradientEstimator {
    let engine: BackpropEngine
    let source: NoiseSource
    let sigma: Float

    public init(spec: NetworkSpec, config: TrainingConfiguration) {
        engine = BackpropEngine(spec: spec)
        source = NoiseSource(seed: config.seed, kind: config.estimator.noise, stream: .logitNoise)
        sigma = config.trainNoise ?? 0
    }

    public func estimate(
        network: Network, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord {
        var r = StepRecord()
        r.loss = engine.gradient(
            network: network, input: input, labels: labels, rows: rows, into: gradient,
            accumulate: false, trainingNoise: TrainingNoise(source: source, sigma: sigma, step: step))
        return r
    }

    public var writesEveryParameter: Bool { true }
}
