import LRCore

/// Projected gradient descent on the loss (Madry et al. 2018, the L-infinity attack): from x_0 = x (or x plus uniform
/// noise in the eps-ball with `randomStart`), `steps` times x_{t+1} = clip_[0,1](proj_{|x' - x| <= eps}(x_t + stepSize *
/// sign(d loss / d x_t))), the gradient by backprop on the crafting network's clean forward. One step of size eps from
/// x is FGSM, bit for bit.
public struct PGDSettings: Sendable, Codable, Equatable {
    public var epsilon: Float
    public var steps: Int
    /// The step size alpha; nil: 2.5 * eps / steps (Madry et al.'s ratio).
    public var stepSize: Float?
    public var randomStart: Bool
    /// Keys the random start (Philox stream `fgsm`, row = image index).
    public var seed: UInt64

    public init(epsilon: Float, steps: Int = 10, stepSize: Float? = nil, randomStart: Bool = false, seed: UInt64 = 0) {
        self.epsilon = epsilon; self.steps = steps; self.stepSize = stepSize; self.randomStart = randomStart;
        self.seed = seed
    }

    public var alpha: Float { stepSize ?? 2.5 * epsilon / Float(max(1, steps)) }

    public func validate() throws(SettingError) {
        guard epsilon >= 0 && epsilon <= 1 else {
            throw SettingError("pgd", "expected an epsilon in 0...1, got \(epsilon)")
        }
        guard (1...10_000).contains(steps) else { throw SettingError("pgd-steps", "expected 1...10000, got \(steps)") }
        guard alpha > 0 && alpha.isFinite else {
            throw SettingError("pgd-step-size", "expected a positive step, got \(alpha)")
        }
    }
}

extension Evaluator {
    /// The PGD images of `network` for `count` samples (see `PGDSettings`).
    public func pgd(
        _ network: Network, settings p: PGDSettings, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int
    ) -> [Float] {
        let F = network.spec.inputCount, eps = p.epsilon, alpha = p.alpha
        var out = [Float](repeating: 0, count: count &* F)
        out.withUnsafeMutableBufferPointer { o in
            let x = o.baseAddress!
            if p.randomStart {
                let key = NoiseKey(seed: p.seed, step: 0, layer: 0, stream: .fgsm)
                for b in 0..<count {
                    let row = x + b &* F, src = images + b &* F
                    var j = 0, block: UInt32 = 0
                    while j < F {
                        let w = key.generator.block(key.counter(row: UInt32(truncatingIfNeeded: b), block: block))
                        for lane in 0..<4 where j &+ lane < F {
                            let u = 2 * Uniform.closedOpen(w[lane]) - 1
                            row[j &+ lane] = min(1, max(0, src[j &+ lane] + eps * u))
                        }
                        j &+= 4; block &+= 1
                    }
                }
            } else {
                x.update(from: images, count: count &* F)
            }
            var start = 0
            while start < count {
                let n = min(chunk, count &- start)
                let src = images + start &* F, cur = x + start &* F
                for _ in 0..<p.steps {
                    let g = inputGradient(network, images: cur, labels: labels + start, rows: n)
                    for i in 0..<(n &* F) {
                        let s: Float = g[i] > 0 ? 1 : (g[i] < 0 ? -1 : 0)
                        let stepped = cur[i] + alpha * s
                        cur[i] = min(1, max(0, min(src[i] + eps, max(src[i] - eps, stepped))))
                    }
                }
                start &+= n
            }
        }
        return out
    }
}
