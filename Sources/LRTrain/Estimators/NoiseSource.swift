import LRCore

/// Unit-scale noise rows for a step: a pure function of (seed, step, layer, row, element), so a trace stores only the
/// key and any consumer (trainer, `trace verify`, `replay`) regenerates the same numbers.
///
/// Row numbering (the "noise-key layout", version 1): for a logit-noise layer with K copies, sample b of the batch and
/// copy k use row b*K + k; with antithetic pairs only even copies draw noise, row b*(K/2) + k/2, and the odd copy uses
/// its negation. For weight noise, copy k (or pair k/2) is the row and the element is the parameter index within the
/// layer's weights followed by its biases.
package struct NoiseSource: Sendable {
    package var seed: UInt64
    package var kind: NoiseKind
    package var stream: RandomStream

    package init(seed: UInt64, kind: NoiseKind, stream: RandomStream = .logitNoise) {
        self.seed = seed; self.kind = kind; self.stream = stream
    }

    package func key(step: Int, layer: Int) -> NoiseKey {
        NoiseKey(
            seed: seed, step: UInt32(truncatingIfNeeded: step), layer: UInt32(truncatingIfNeeded: layer), stream: stream
        )
    }

    /// Fills `out` with row `row` of layer `layer` at `step`.
    @inlinable
    package func fill(step: Int, layer: Int, row: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let k = key(step: step, layer: layer)
        switch kind {
        case .gaussian: NoiseSampler.gaussian(k, row: UInt32(truncatingIfNeeded: row), into: out)
        case .laplace: NoiseSampler.laplace(k, row: UInt32(truncatingIfNeeded: row), into: out)
        }
    }
}
