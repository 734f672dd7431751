import LRCore
import RealModule

/// A two-layer spiking classifier D-H-C over T time steps.
///
/// - Input: rate coding. At step t, input i spikes with probability x_i (pixels in [0, 1]) — a Philox Bernoulli draw
///   keyed by (seed, step, time t, row), stream `.other` (evaluation uses step 0xFFFFFFFF and the sample's index).
/// - Hidden: leaky integrate-and-fire with a hard threshold: `m_t = beta v_{t-1} + I_t`, `I_t = W1 s_in_t + b1`,
///   spike `s_t = H(m_t - theta)` (Heaviside), reset by subtraction `v_t = m_t - theta s_t`; beta 0.9, theta 1.
/// - Output: a non-spiking, non-leaky integrator of `I2_t = W2 s_t + b2`; the readout is its final membrane over T,
///   `z = (1/T) sum_t I2_t` (= W2 · spike rate + b2), and the loss is softmax cross-entropy on z.
///
/// Parameters, flat: `W1 [H x D]`, `b1 [H]`, `W2 [C x H]`, `b2 [C]`.
///
/// LR: noise `sigma * eps_t` into the membrane input current of a layer at every time step (independent per step),
/// layer-wise (noise layer 0: hidden currents, all of the network after them rerun per copy; noise layer 1: output
/// currents), K antithetic copies, clean-loss baseline. `dW1 = (1/BK) sum (L_bk - L0_b) sum_t (eps_t,bk/sigma) (outer)
/// s_in_t,b`. Nothing is differentiated: the Heaviside spike is used as is.
/// BP: BPTT with a fast-sigmoid surrogate `dS/dm = 1 / (1 + slope |m - theta|)^2` for the spike, reset detached.
public final class SpikingNetwork: BatchClassifier {
    public let inputs: Int, hidden: Int, classes: Int, steps: Int
    public var beta: Float = 0.9
    public var threshold: Float = 1
    public var surrogateSlope: Float = 10
    public var parameters: [Float]
    public var lr: ArchitectureLRSettings?
    public let seed: UInt64
    public let offW1: Int, offB1: Int, offW2: Int, offB2: Int
    public var inputFeatures: Int { inputs }
    public var parameterGroups: [ParameterGroup] {
        [ParameterGroup("hidden", offW1..<offW2), ParameterGroup("readout", offW2..<parameters.count)]
    }
    let scratch = ArchitectureScratch()
    public var capturesLosses = false
    public private(set) var capturedLosses = CapturedLosses()
    /// Mean hidden spike rate of the last clean forward (spikes per neuron per step).
    public private(set) var lastHiddenRate: Double = 0

    public init(inputs: Int, hidden: Int, classes: Int, steps: Int, seed: UInt64, lr: ArchitectureLRSettings?) throws {
        guard inputs >= 1, inputs <= 1 << 20, hidden >= 1, hidden <= 8192, classes >= 2, classes <= 4096,
            steps >= 1, steps < ArchitectureNoise.maximumTimeSteps
        else {
            throw ArchitectureError(
                "snn: expected 1...1048576 inputs, 1...8192 hidden units, 2...4096 classes and 1...4095 time steps, got \(inputs), \(hidden), \(classes), \(steps)"
            )
        }
        self.inputs = inputs; self.hidden = hidden; self.classes = classes; self.steps = steps
        self.seed = seed; self.lr = lr
        offW1 = 0; offB1 = hidden * inputs; offW2 = offB1 + hidden; offB2 = offW2 + classes * hidden
        parameters = [Float](repeating: 0, count: offB2 + classes)
        parameters.withUnsafeMutableBufferPointer { p in
            let p = p.baseAddress!
            initializeUniform(
                p + offW1, count: hidden * inputs, bound: (3 / Float(inputs)).squareRoot(), seed: seed, tensor: 0)
            initializeUniform(
                p + offW2, count: classes * hidden, bound: (3 / Float(hidden)).squareRoot(), seed: seed, tensor: 1)
        }
    }

    private enum S: Int { case sin, i1, m1, s1, rate, logits, loss0, dz, dr, di, v, count, noise, pairs, lossK, zK, e }

    /// Rate-coded input spikes `[B][T][D]`.
    private func encode(
        _ x: UnsafePointer<Float>, rows B: Int, step: UInt32, rowBase: Int, into out: UnsafeMutablePointer<Float>
    ) {
        Self.encode(x, rows: B, inputs: inputs, steps: steps, seed: seed, step: step, rowBase: rowBase, into: out)
    }

    /// The noise step of a training step's input spikes (evaluation uses 0xFFFFFFFF, so a training step with that
    /// number draws step 0's).
    public static func spikeStep(training step: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: step) == .max ? 0 : UInt32(truncatingIfNeeded: step)
    }

    /// Rate coding of `B` rows of `D` pixels in [0, 1] over `T` steps, `[B][T][D]` of 0/1: input i of row b spikes at
    /// step t when lane i of the Philox block (seed, step, noise layer 2, time t, row rowBase + b; stream `.other`)
    /// is below its pixel. The replay datapath regenerates the same spikes.
    public static func encode(
        _ x: UnsafePointer<Float>, rows B: Int, inputs D: Int, steps T: Int, seed: UInt64, step: UInt32,
        rowBase: Int, into out: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(count: B, grain: 8) { r in
            for b in r {
                for t in 0..<T {
                    let key = ArchitectureNoise.key(seed: seed, step: Int(step), layer: 2, time: t, stream: .other)
                    let gen = key.generator, row = UInt32(truncatingIfNeeded: rowBase + b)
                    let xs = x + b * D, o = out + (b * T + t) * D
                    var i = 0
                    var block: UInt32 = 0
                    while i < D {
                        let w = gen.block(key.counter(row: row, block: block))
                        for lane in 0..<min(4, D - i) {
                            o[i + lane] = Uniform.closedOpen(w[lane]) < xs[i + lane] ? 1 : 0
                        }
                        i += 4; block += 1
                    }
                }
            }
        }
    }

    /// Clean forward from encoded spikes: currents, membranes, spikes, rates, logits.
    private func cleanForward(_ p: UnsafePointer<Float>, rows B: Int) {
        let T = steps, D = inputs, H = hidden, C = classes
        let sin = scratch.buffer(S.sin.rawValue, B * T * D), i1 = scratch.buffer(S.i1.rawValue, B * T * H)
        let m1 = scratch.buffer(S.m1.rawValue, B * T * H), s1 = scratch.buffer(S.s1.rawValue, B * T * H)
        let rate = scratch.buffer(S.rate.rawValue, B * H), logits = scratch.buffer(S.logits.rawValue, B * C)
        DenseKernels.forward(x: sin, rows: B * T, inputs: D, outputs: H, weight: p + offW1, bias: p + offB1, y: i1)
        let beta = self.beta, theta = threshold, invT = 1 / Float(T)
        Parallel.forRanges(count: B, grain: 16) { r in
            for b in r {
                let rt = rate + b * H
                rt.update(repeating: 0, count: H)
                for t in 0..<T {
                    let o = (b * T + t) * H
                    for j in 0..<H {
                        let vPrev: Float = t == 0 ? 0 : m1[o - H + j] - theta * s1[o - H + j]
                        let m = beta * vPrev + i1[o + j]
                        let s: Float = m >= theta ? 1 : 0
                        m1[o + j] = m; s1[o + j] = s; rt[j] += s
                    }
                }
                for j in 0..<H { rt[j] *= invT }
            }
        }
        var spikes = 0.0
        for i in 0..<(B * H) { spikes += Double(rate[i]) }
        lastHiddenRate = spikes / Double(B * H)
        DenseKernels.forward(x: rate, rows: B, inputs: H, outputs: C, weight: p + offW2, bias: p + offB2, y: logits)
    }

    public func logits(x: UnsafePointer<Float>, rows: Int, firstIndex: Int, into out: UnsafeMutablePointer<Float>) {
        encode(
            x, rows: rows, step: .max, rowBase: firstIndex, into: scratch.buffer(S.sin.rawValue, rows * steps * inputs))
        parameters.withUnsafeBufferPointer { cleanForward($0.baseAddress!, rows: rows) }
        out.update(from: scratch.buffer(S.logits.rawValue, rows * classes), count: rows * classes)
    }

    public func gradient(
        _ estimator: EstimatorKind, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        rows B: Int, step: Int, into g: UnsafeMutablePointer<Float>
    ) -> Float {
        g.update(repeating: 0, count: parameters.count)
        encode(
            x, rows: B, step: Self.spikeStep(training: step), rowBase: 0,
            into: scratch.buffer(S.sin.rawValue, B * steps * inputs))
        return parameters.withUnsafeBufferPointer { pp in
            let p = pp.baseAddress!
            cleanForward(p, rows: B)
            let loss0 = scratch.buffer(S.loss0.rawValue, B)
            SoftmaxCrossEntropy.losses(
                logits: scratch.buffer(S.logits.rawValue, B * classes), rows: B, classes: classes,
                labels: labels, copiesPerLabel: 1, out: loss0)
            if capturesLosses {
                capturedLosses = CapturedLosses()
                capturedLosses.clean = Array(UnsafeBufferPointer(start: loss0, count: B))
            }
            var mean: Float = 0
            for b in 0..<B { mean += loss0[b] }
            switch estimator {
            case .bp: surrogateBPTT(p, labels: labels, rows: B, into: g)
            case .alr, .es, .aes:
                preconditionFailure(
                    "rnn, snn and gnn models train with lr or bp (EstimatorKind.checkArchitectureSupport)")
            case .lr:
                guard let lr else {
                    preconditionFailure("SpikingNetwork: LR settings are required for the lr estimator")
                }
                likelihoodRatio(p, labels: labels, rows: B, step: step, settings: lr, into: g)
            }
            return mean / Float(B)
        }
    }

    private func surrogateBPTT(
        _ p: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int,
        into g: UnsafeMutablePointer<Float>
    ) {
        let T = steps, D = inputs, H = hidden, C = classes
        let sin = scratch.buffer(S.sin.rawValue, B * T * D), m1 = scratch.buffer(S.m1.rawValue, B * T * H)
        let rate = scratch.buffer(S.rate.rawValue, B * H), logits = scratch.buffer(S.logits.rawValue, B * C)
        let dz = scratch.buffer(S.dz.rawValue, B * C), dr = scratch.buffer(S.dr.rawValue, B * H)
        let di = scratch.buffer(S.di.rawValue, B * T * H)
        SoftmaxCrossEntropy.gradient(logits: logits, rows: B, classes: C, labels: labels, scale: 1 / Float(B), out: dz)
        DenseKernels.weightGradient(
            x: rate, dy: dz, rows: B, inputs: H, outputs: C, scale: 1, dWeight: g + offW2, dBias: g + offB2)
        DenseKernels.inputGradient(dy: dz, rows: B, inputs: H, outputs: C, weight: p + offW2, dx: dr)
        let beta = self.beta, theta = threshold, slope = surrogateSlope, invT = 1 / Float(T)
        Parallel.forRanges(count: B, grain: 16) { r in
            for b in r {
                for j in 0..<H {
                    let ds = dr[b * H + j] * invT
                    var dNext: Float = 0
                    for t in stride(from: T - 1, through: 0, by: -1) {
                        let o = (b * T + t) * H + j
                        let a = 1 + slope * abs(m1[o] - theta)
                        let dm = ds / (a * a) + beta * dNext
                        di[o] = dm
                        dNext = dm
                    }
                }
            }
        }
        DenseKernels.weightGradient(
            x: sin, dy: di, rows: B * T, inputs: D, outputs: H, scale: 1, dWeight: g + offW1, dBias: g + offB1)
    }

    private func likelihoodRatio(
        _ p: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int, step: Int,
        settings: ArchitectureLRSettings, into g: UnsafeMutablePointer<Float>
    ) {
        let T = steps, D = inputs, H = hidden, C = classes, K = settings.copies, sigma = settings.sigma, R = B * K
        let sin = scratch.buffer(S.sin.rawValue, B * T * D), i1 = scratch.buffer(S.i1.rawValue, B * T * H)
        let s1 = scratch.buffer(S.s1.rawValue, B * T * H), logits0 = scratch.buffer(S.logits.rawValue, B * C)
        let loss0 = scratch.buffer(S.loss0.rawValue, B)
        let v = scratch.buffer(S.v.rawValue, R * H), count = scratch.buffer(S.count.rawValue, R * H)
        let noise = scratch.buffer(S.noise.rawValue, T * R * max(H, C)),
            pairs = scratch.buffer(S.pairs.rawValue, R / 2 * max(H, C))
        let lossK = scratch.buffer(S.lossK.rawValue, R), zK = scratch.buffer(S.zK.rawValue, R * C)
        let e = scratch.buffer(S.e.rawValue, B * T * max(H, C))
        let scale = 1 / (Float(R) * sigma), beta = self.beta, theta = threshold, invT = 1 / Float(T)

        // Hidden layer: noise into the input current at every step; each copy runs its own spiking trajectory.
        v.update(repeating: 0, count: R * H); count.update(repeating: 0, count: R * H)
        for t in 0..<T {
            let eps = noise + t * R * H
            ArchitectureNoise.fillAntithetic(
                ArchitectureNoise.key(seed: seed, step: step, layer: 0, time: t),
                samples: B, copies: K, columns: H, pairs: pairs, into: eps)
            Parallel.forRanges(count: R, grain: max(1, 8192 / H)) { r in
                for row in r {
                    let cur = i1 + (row / K * T + t) * H, ep = eps + row * H, vv = v + row * H, cc = count + row * H
                    for j in 0..<H {
                        let m = beta * vv[j] + cur[j] + sigma * ep[j]
                        let s: Float = m >= theta ? 1 : 0
                        vv[j] = m - theta * s; cc[j] += s
                    }
                }
            }
        }
        for i in 0..<(R * H) { count[i] *= invT }
        DenseKernels.forward(x: count, rows: R, inputs: H, outputs: C, weight: p + offW2, bias: p + offB2, y: zK)
        SoftmaxCrossEntropy.losses(logits: zK, rows: R, classes: C, labels: labels, copiesPerLabel: K, out: lossK)
        if capturesLosses { capturedLosses.appendCopies(lossK, samples: B, copies: K) }
        reduceCopies(
            noise: noise, losses: lossK, loss0: loss0, samples: B, copies: K, columns: H, scale: scale, into: e)
        DenseKernels.weightGradient(
            x: sin, dy: e, rows: B * T, inputs: D, outputs: H, scale: 1, dWeight: g + offW1, dBias: g + offB1)

        // Output layer: noise into the output current at every step; z = z0 + (sigma/T) sum_t eps_t.
        for t in 0..<T {
            ArchitectureNoise.fillAntithetic(
                ArchitectureNoise.key(seed: seed, step: step, layer: 1, time: t),
                samples: B, copies: K, columns: C, pairs: pairs, into: noise + t * R * C)
        }
        for row in 0..<R {
            let z = zK + row * C, z0 = logits0 + row / K * C
            for c in 0..<C { z[c] = z0[c] }
            for t in 0..<T {
                let ep = noise + (t * R + row) * C
                for c in 0..<C { z[c] += sigma * invT * ep[c] }
            }
        }
        SoftmaxCrossEntropy.losses(logits: zK, rows: R, classes: C, labels: labels, copiesPerLabel: K, out: lossK)
        if capturesLosses { capturedLosses.appendCopies(lossK, samples: B, copies: K) }
        reduceCopies(
            noise: noise, losses: lossK, loss0: loss0, samples: B, copies: K, columns: C, scale: scale, into: e)
        // dW2 = sum_{b,t} E2[b][t] (outer) s1[b][t] over the B*T rows.
        DenseKernels.weightGradient(
            x: s1, dy: e, rows: B * T, inputs: H, outputs: C, scale: 1, dWeight: g + offW2, dBias: g + offB2)
    }

    /// `E[b][t] = sum_k (L_bk - L0_b) * scale * eps[t][bk]` from noise laid out `[T][B*K][columns]`.
    private func reduceCopies(
        noise: UnsafePointer<Float>, losses: UnsafePointer<Float>, loss0: UnsafePointer<Float>,
        samples B: Int, copies K: Int, columns n: Int, scale: Float, into e: UnsafeMutablePointer<Float>
    ) {
        let T = steps, R = B * K
        Parallel.forRanges(count: B, grain: 8) { r in
            for b in r {
                for t in 0..<T {
                    let dst = e + (b * T + t) * n
                    dst.update(repeating: 0, count: n)
                    for k in 0..<K {
                        let row = b * K + k, w = (losses[row] - loss0[b]) * scale
                        let src = noise + (t * R + row) * n
                        for j in 0..<n { dst[j] += w * src[j] }
                    }
                }
            }
        }
    }
}
