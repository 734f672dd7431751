import LRCore

/// SPSA, a gradient-free L-infinity attack (Uesato et al. 2018, arXiv 1802.05666): it needs only the network's
/// outputs, so a threshold (step) network, whose input gradient is zero almost everywhere, gets a real adaptive test
/// instead of a masked gradient.
///
/// Per step and image: `samples` Rademacher directions v (antithetic probes x +- delta v), the margin loss
/// m(x) = max_{j != y} z_j - z_y of each probe, the estimate g = sum_v (m(x + delta v) - m(x - delta v)) v, and the
/// projected signed step x <- clip_[0,1](proj_eps(x + stepSize * sign(g))). An image stops once it is misclassified
/// (the attack succeeded; further steps could only undo that). Directions come from Philox stream `fgsm`, keyed by
/// (seed, step, row = image index * samples + direction): the result does not depend on the thread count.
public struct SPSASettings: Sendable, Codable, Equatable {
    public var epsilon: Float
    public var steps: Int
    /// Direction pairs per step and image (2 x samples probe forwards).
    public var samples: Int
    /// Probe size; large enough to flip threshold units for a step network.
    public var delta: Float
    /// nil: eps / 4.
    public var stepSize: Float?
    public var seed: UInt64

    public init(
        epsilon: Float, steps: Int = 20, samples: Int = 64, delta: Float = 0.01, stepSize: Float? = nil,
        seed: UInt64 = 0
    ) {
        self.epsilon = epsilon; self.steps = steps; self.samples = samples; self.delta = delta; self.stepSize = stepSize
        self.seed = seed
    }

    public var alpha: Float { stepSize ?? epsilon / 4 }

    public func validate() throws(SettingError) {
        guard epsilon >= 0 && epsilon <= 1 else {
            throw SettingError("spsa", "expected an epsilon in 0...1, got \(epsilon)")
        }
        guard (1...10_000).contains(steps) else { throw SettingError("spsa-steps", "expected 1...10000, got \(steps)") }
        guard (1...4096).contains(samples) else {
            throw SettingError("spsa-samples", "expected 1...4096, got \(samples)")
        }
        guard delta > 0 && delta <= 1 else {
            throw SettingError("spsa-delta", "expected a probe size in (0, 1], got \(delta)")
        }
        guard alpha > 0 && alpha.isFinite else {
            throw SettingError("spsa-step-size", "expected a positive step, got \(alpha)")
        }
    }
}

/// Runs SPSA against one network (forward passes only).
public final class SPSAAttack {
    public let network: Network
    let workspace: ForwardWorkspace
    var probes = FloatBuffer(), directions = FloatBuffer(), margins = FloatBuffer()
    /// Probe rows per forward (memory bound, not results: images are independent).
    let rowBudget = 8192

    public init(network: Network) {
        self.network = network
        workspace = ForwardWorkspace(spec: network.spec)
    }

    /// The SPSA images for `count` samples.
    public func craft(
        settings s: SPSASettings, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        count: Int
    ) -> [Float] {
        let F = network.spec.inputCount
        var out = Array(UnsafeBufferPointer(start: images, count: count &* F))
        let group = max(1, rowBudget / (2 &* s.samples))
        out.withUnsafeMutableBufferPointer { o in
            network.parameters.withUnsafeBufferPointer { p in
                var start = 0
                while start < count {
                    let n = min(group, count &- start)
                    attackGroup(
                        s, params: p.baseAddress!, first: start, count: n, clean: images + start &* F,
                        labels: labels + start, x: o.baseAddress! + start &* F)
                    start &+= n
                }
            }
        }
        return out
    }

    /// SPSA on images `first ..< first + n` (x holds them and receives the result).
    private func attackGroup(
        _ s: SPSASettings, params: UnsafePointer<Float>, first: Int, count n: Int,
        clean: UnsafePointer<Float>, labels: UnsafePointer<Int32>, x: UnsafeMutablePointer<Float>
    ) {
        let F = network.spec.inputCount, C = network.classes, S = s.samples
        let eps = s.epsilon, alpha = s.alpha, delta = s.delta
        var active = stillCorrect(Array(0..<n), params: params, x: x, labels: labels)
        let v = directions.reserve(n &* S &* F)
        for step in 0..<s.steps where !active.isEmpty {
            let rows = active.count &* 2 &* S
            let probe = probes.reserve(rows &* F)
            let key = NoiseKey(seed: s.seed, step: UInt32(truncatingIfNeeded: step), layer: 0, stream: .fgsm)
            Parallel.forRanges(count: active.count, grain: 1) { range in
                for a in range {
                    let i = active[a], xi = x + i &* F
                    for d in 0..<S {
                        let dir = v + (i &* S &+ d) &* F
                        Self.rademacher(
                            key, row: UInt32(truncatingIfNeeded: (first &+ i) &* S &+ d), into: dir, count: F)
                        let plus = probe + ((a &* S &+ d) &* 2) &* F, minus = plus + F
                        for j in 0..<F {
                            plus[j] = xi[j] + delta * dir[j]
                            minus[j] = xi[j] - delta * dir[j]
                        }
                    }
                }
            }
            let z = workspace.forward(parameters: params, layout: network.layout, from: 0, input: probe, rows: rows)
            let m = margins.reserve(rows)
            for a in 0..<active.count {
                let y = Int(labels[active[a]])
                for r in (a &* 2 &* S)..<((a &+ 1) &* 2 &* S) { m[r] = Self.margin(z + r &* C, classes: C, label: y) }
            }
            Parallel.forRanges(count: active.count, grain: 1) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: F) { g in
                    for a in range {
                        let i = active[a], xi = x + i &* F, x0 = clean + i &* F
                        for j in 0..<F { g[j] = 0 }
                        for d in 0..<S {
                            let w = m[(a &* S &+ d) &* 2] - m[(a &* S &+ d) &* 2 &+ 1]
                            let dir = v + (i &* S &+ d) &* F
                            for j in 0..<F { g[j] += w * dir[j] }
                        }
                        for j in 0..<F {
                            let sgn: Float = g[j] > 0 ? 1 : (g[j] < 0 ? -1 : 0)
                            xi[j] = min(1, max(0, min(x0[j] + eps, max(x0[j] - eps, xi[j] + alpha * sgn))))
                        }
                    }
                }
            }
            active = stillCorrect(active, params: params, x: x, labels: labels)
        }
    }

    /// +-1 in each of `count` floats from the Philox bits of (key, row).
    static func rademacher(_ key: NoiseKey, row: UInt32, into out: UnsafeMutablePointer<Float>, count: Int) {
        let gen = key.generator
        var j = 0, block: UInt32 = 0
        while j < count {
            let w = gen.block(key.counter(row: row, block: block))
            for lane in 0..<4 {
                var bits = w[lane]
                for _ in 0..<32 where j < count {
                    out[j] = bits & 1 == 1 ? 1 : -1
                    bits >>= 1; j &+= 1
                }
            }
            block &+= 1
        }
    }

    /// max_{j != y} z_j - z_y: positive exactly when the argmax is another class (ties count as an error).
    static func margin(_ z: UnsafePointer<Float>, classes C: Int, label y: Int) -> Float {
        var best = -Float.infinity
        for j in 0..<C where j != y { best = max(best, z[j]) }
        return best - z[y]
    }

    /// The images among `candidates` that the network still classifies correctly (one forward over them).
    private func stillCorrect(
        _ candidates: [Int], params: UnsafePointer<Float>, x: UnsafePointer<Float>,
        labels: UnsafePointer<Int32>
    ) -> [Int] {
        guard !candidates.isEmpty else { return [] }
        let F = network.spec.inputCount
        let rows = probes.reserve(candidates.count &* F)
        for (r, i) in candidates.enumerated() { (rows + r &* F).update(from: x + i &* F, count: F) }
        let z = workspace.forward(
            parameters: params, layout: network.layout, from: 0, input: rows, rows: candidates.count)
        return candidates.enumerated().filter { r, i in
            SoftmaxCrossEntropy.argmax(logits: z, row: r, classes: network.classes) == Int(labels[i])
        }.map(\.1)
    }
}
