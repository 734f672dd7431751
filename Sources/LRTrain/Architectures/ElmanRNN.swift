import LRCore
import RealModule

/// An Elman RNN classifier: a row of `steps * inputSize` features is read as `steps` inputs of `inputSize` (Fashion-
/// MNIST: 28 image rows of 28 pixels), `h_t = tanh(W_in x_t + W_hh h_{t-1} + b)` from `h_0 = 0`, and a dense softmax
/// head on the last hidden state, `z = W_o h_T + b_o`.
///
/// Parameters, flat: `W_in [H x D]`, `W_hh [H x H]`, `b [H]`, `W_o [C x H]`, `b_o [C]` (row-major, [out x in]).
///
/// LR (`gradient(.lr, ...)`), two perturbed layers, each with K antithetic copies and the clean per-sample loss as
/// baseline:
/// - recurrent layer (noise layer 0): Gaussian noise `sigma * eps_t` on the pre-activation at every time step, drawn
///   independently per step (noise key time = t). Each copy runs the whole recurrence on its own noisy trajectory;
///   the estimate is `(1/BK) sum_{b,k} (L_bk - L0_b) sum_t (eps_t,bk / sigma) (outer) [x_t,b ; h_{t-1},bk ; 1]`, where
///   `h_{t-1},bk` is the copy's own (noisy) previous state — the score of the trajectory's density, no BPTT.
/// - head (noise layer 1): noise on the logits, `(1/BK) sum (L_bk - L0_b) (eps_bk / sigma) (outer) [h_T,b ; 1]`.
/// BP (`gradient(.bp, ...)`): exact backpropagation through time.
public final class ElmanRNN: BatchClassifier {
    public let inputSize: Int, steps: Int, hidden: Int, classes: Int
    public var parameters: [Float]
    public var lr: ArchitectureLRSettings?
    public let seed: UInt64
    public let offWin: Int, offWhh: Int, offB: Int, offWo: Int, offBo: Int
    public var inputFeatures: Int { steps * inputSize }
    public var parameterGroups: [ParameterGroup] {
        [
            ParameterGroup("W_in", offWin..<offWhh), ParameterGroup("W_hh", offWhh..<offB),
            ParameterGroup("b", offB..<offWo),
            ParameterGroup("head", offWo..<parameters.count),
        ]
    }
    let scratch = ArchitectureScratch()
    /// The cell's QMC noise (`ArchitectureLRSettings.qmc`): one point of T x H dimensions per draw.
    let sobol: SobolSequence?
    public var capturesLosses = false
    public internal(set) var capturedLosses = CapturedLosses()

    public init(inputSize: Int, steps: Int, hidden: Int, classes: Int, seed: UInt64, lr: ArchitectureLRSettings?) throws
    {
        guard inputSize >= 1, steps >= 1, steps < ArchitectureNoise.maximumTimeSteps, hidden >= 1, hidden <= 8192,
            classes >= 2, classes <= 4096, inputSize <= 1 << 20
        else {
            throw ArchitectureError(
                "rnn: expected input size >= 1, 1...4095 steps, 1...8192 hidden units and 2...4096 classes, got \(inputSize), \(steps), \(hidden), \(classes)"
            )
        }
        self.inputSize = inputSize; self.steps = steps; self.hidden = hidden; self.classes = classes
        self.seed = seed; self.lr = lr
        if let lr, lr.qmc {
            do { sobol = try SobolSequence(dimensions: steps * hidden, seed: seed &+ 0x5EED_0A11) } catch {
                throw ArchitectureError("rnn --qmc: \(steps) x \(hidden) noise dimensions: \(error)")
            }
        } else {
            sobol = nil
        }
        let H = hidden, D = inputSize, C = classes
        offWin = 0; offWhh = H * D; offB = offWhh + H * H; offWo = offB + H; offBo = offWo + C * H
        parameters = [Float](repeating: 0, count: offBo + C)
        parameters.withUnsafeMutableBufferPointer { p in
            let p = p.baseAddress!
            initializeUniform(p + offWin, count: H * D, bound: (3 / Float(D)).squareRoot(), seed: seed, tensor: 0)
            initializeUniform(p + offWhh, count: H * H, bound: 1 / Float(H).squareRoot(), seed: seed, tensor: 1)
            initializeUniform(p + offWo, count: C * H, bound: (3 / Float(H)).squareRoot(), seed: seed, tensor: 2)
        }
    }

    // Scratch slots.
    enum S: Int { case ain, hs, logits, loss0, gOut, hsN, noise, pairs, lossK, zK, e, e2, dh, da, state, pre }

    /// Input pre-activations `Ain [B][T][H] = x_t W_in^T + b` and the clean states `hs [T+1][B][H]`, logits `[B][C]`.
    private func cleanForward(_ p: UnsafePointer<Float>, x: UnsafePointer<Float>, rows B: Int) {
        let T = steps, D = inputSize, H = hidden, C = classes
        let ain = scratch.buffer(S.ain.rawValue, B * T * H)
        let hs = scratch.buffer(S.hs.rawValue, (T + 1) * B * H)
        let logits = scratch.buffer(S.logits.rawValue, B * C)
        inputPreactivations(p, x: x, rows: B, into: ain)
        hs.update(repeating: 0, count: B * H)
        for t in 0..<T {
            let prev = hs + t * B * H, cur = hs + (t + 1) * B * H
            for b in 0..<B { (cur + b * H).update(from: ain + (b * T + t) * H, count: H) }
            BLAS.sgemm(transB: true, m: B, n: H, k: H, a: prev, lda: H, b: p + offWhh, ldb: H, beta: 1, c: cur, ldc: H)
            Parallel.forRanges(count: B, grain: 64) { r in
                for b in r { ActivationKernels.apply(.tanh, cur + b * H, count: H) }
            }
        }
        _ = D
        DenseKernels.forward(
            x: hs + T * B * H, rows: B, inputs: H, outputs: C, weight: p + offWo, bias: p + offBo, y: logits)
    }

    func inputPreactivations(
        _ p: UnsafePointer<Float>, x: UnsafePointer<Float>, rows B: Int,
        into ain: UnsafeMutablePointer<Float>
    ) {
        // x viewed as [B*T, D]: row (b, t) is x_t of sample b.
        DenseKernels.forward(
            x: x, rows: B * steps, inputs: inputSize, outputs: hidden, weight: p + offWin,
            bias: p + offB, y: ain)
    }

    public func logits(x: UnsafePointer<Float>, rows: Int, firstIndex: Int, into out: UnsafeMutablePointer<Float>) {
        parameters.withUnsafeBufferPointer { p in cleanForward(p.baseAddress!, x: x, rows: rows) }
        out.update(from: scratch.buffer(S.logits.rawValue, rows * classes), count: rows * classes)
    }

    public func gradient(
        _ estimator: EstimatorKind, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        rows B: Int, step: Int, into g: UnsafeMutablePointer<Float>
    ) -> Float {
        g.update(repeating: 0, count: parameters.count)
        return parameters.withUnsafeBufferPointer { pp in
            let p = pp.baseAddress!
            cleanForward(p, x: x, rows: B)
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
            mean /= Float(B)
            switch estimator {
            case .bp: backpropThroughTime(p, x: x, labels: labels, rows: B, into: g)
            case .alr, .es, .aes:
                preconditionFailure(
                    "rnn, snn and gnn models train with lr or bp (EstimatorKind.checkArchitectureSupport)")
            case .lr:
                guard let lr else { preconditionFailure("ElmanRNN: LR settings are required for the lr estimator") }
                likelihoodRatio(p, x: x, labels: labels, rows: B, step: step, settings: lr, into: g)
            }
            return mean
        }
    }

    /// Exact BPTT over the stored clean states.
    private func backpropThroughTime(
        _ p: UnsafePointer<Float>, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        rows B: Int, into g: UnsafeMutablePointer<Float>
    ) {
        let T = steps, D = inputSize, H = hidden, C = classes
        let hs = scratch.buffer(S.hs.rawValue, (T + 1) * B * H)
        let logits = scratch.buffer(S.logits.rawValue, B * C)
        let dz = scratch.buffer(S.gOut.rawValue, B * C)
        SoftmaxCrossEntropy.gradient(logits: logits, rows: B, classes: C, labels: labels, scale: 1 / Float(B), out: dz)
        DenseKernels.weightGradient(
            x: hs + T * B * H, dy: dz, rows: B, inputs: H, outputs: C, scale: 1,
            dWeight: g + offWo, dBias: g + offBo)
        let dh = scratch.buffer(S.dh.rawValue, B * H), da = scratch.buffer(S.da.rawValue, B * H)
        DenseKernels.inputGradient(dy: dz, rows: B, inputs: H, outputs: C, weight: p + offWo, dx: dh)
        for t in stride(from: T - 1, through: 0, by: -1) {
            let hPrev = hs + t * B * H, hCur = hs + (t + 1) * B * H
            for i in 0..<(B * H) { da[i] = dh[i] * (1 - hCur[i] * hCur[i]) }
            BLAS.sgemm(transA: true, m: H, n: H, k: B, a: da, lda: H, b: hPrev, ldb: H, beta: 1, c: g + offWhh, ldc: H)
            // x_t of sample b sits at x + b*T*D + t*D.
            BLAS.sgemm(
                transA: true, m: H, n: D, k: B, a: da, lda: H, b: x + t * D, ldb: T * D, beta: 1, c: g + offWin, ldc: D)
            for b in 0..<B { for j in 0..<H { g[offB + j] += da[b * H + j] } }
            if t > 0 { BLAS.sgemm(m: B, n: H, k: H, a: da, lda: H, b: p + offWhh, ldb: H, beta: 0, c: dh, ldc: H) }
        }
    }

    /// The LR estimate (see the type's documentation); assumes `cleanForward` ran on the same batch.
    private func likelihoodRatio(
        _ p: UnsafePointer<Float>, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        rows B: Int, step: Int, settings: ArchitectureLRSettings,
        into g: UnsafeMutablePointer<Float>
    ) {
        let T = steps, D = inputSize, H = hidden, K = settings.copies, sigma = settings.sigma
        let R = B * K
        let noise = scratch.buffer(S.noise.rawValue, T * R * max(H, classes))
        cellNoise(step: step, samples: B, settings: settings, into: noise)
        if settings.perStep {
            perStepCell(p, x: x, labels: labels, rows: B, settings: settings, noise: noise, into: g)
        } else {
            allStepCell(p, x: x, labels: labels, rows: B, settings: settings, noise: noise, into: g)
        }
        _ = (D, sigma)
        head(p, labels: labels, rows: B, step: step, settings: settings, noise: noise, into: g)
    }

    /// The cell's noise `[T][B*K][H]`: Philox rows per time step (antithetic pairs or independent copies), or with
    /// `qmc` one scrambled Sobol point of T x H dimensions per draw (point = step x B x draws + draw; odd copies of a
    /// pair negate it), mapped to Gaussians.
    private func cellNoise(
        step: Int, samples B: Int, settings: ArchitectureLRSettings, into noise: UnsafeMutablePointer<Float>
    ) {
        let T = steps, H = hidden, K = settings.copies, R = B * K
        let nd = settings.antithetic ? K / 2 : K
        if settings.qmc {
            let points = scratch.buffer(S.pairs.rawValue, B * nd * T * H)
            guard var seq = sobol else {
                preconditionFailure("ElmanRNN: qmc settings need the sequence its init builds")
            }
            // Bounded up front (`TrainableModels.make`): every step's points lie below 2^32.
            try! seq.skip(to: UInt64(step) &* UInt64(B * nd))
            try! seq.nextGaussian(rows: B * nd, into: UnsafeMutableBufferPointer(start: points, count: B * nd * T * H))
            let antithetic = settings.antithetic
            Parallel.forRanges(count: R, grain: 4) { range in
                for row in range {
                    let b = row / K, k = row - b * K
                    let src = points + (antithetic ? b * nd + k / 2 : row) * T * H
                    let sign: Float = antithetic && k & 1 == 1 ? -1 : 1
                    for t in 0..<T {
                        let dst = noise + (t * R + row) * H, from = src + t * H
                        for j in 0..<H { dst[j] = sign * from[j] }
                    }
                }
            }
            return
        }
        for t in 0..<T {
            let key = ArchitectureNoise.key(seed: seed, step: step, layer: 0, time: t)
            fillNoise(key, samples: B, settings: settings, columns: H, into: noise + t * R * H)
        }
    }

    /// Standard normals for the B x K rows of one layer and time step: antithetic pairs, or independent rows b*K+k.
    private func fillNoise(
        _ key: NoiseKey, samples B: Int, settings: ArchitectureLRSettings, columns: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let K = settings.copies
        if settings.antithetic {
            let pairs = scratch.buffer(S.e2.rawValue, B * K / 2 * columns)
            ArchitectureNoise.fillAntithetic(key, samples: B, copies: K, columns: columns, pairs: pairs, into: out)
        } else {
            FastGaussian.fill(
                key, rows: 0..<UInt32(B * K), columns: columns,
                into: UnsafeMutableBufferPointer(start: out, count: B * K * columns))
        }
    }

    /// Each copy's weight (L_bk - baseline_b) * scale, in place over `losses` (row b*K+k).
    func weights(
        _ losses: UnsafeMutablePointer<Float>, clean loss0: UnsafePointer<Float>, samples B: Int, copies K: Int,
        baseline: Baseline, scale: Float
    ) {
        for b in 0..<B {
            var base: Float = 0
            switch baseline {
            case .clean: base = loss0[b]
            case .mean:
                for k in 0..<K { base += losses[b * K + k] }
                base /= Float(K)
            case .none: base = 0
            }
            for k in 0..<K { losses[b * K + k] = (losses[b * K + k] - base) * scale }
        }
    }

    /// All-step injection: K noisy trajectories per sample, each with its own noise at every time step.
    private func allStepCell(
        _ p: UnsafePointer<Float>, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int,
        settings: ArchitectureLRSettings, noise: UnsafeMutablePointer<Float>,
        into g: UnsafeMutablePointer<Float>
    ) {
        let T = steps, D = inputSize, H = hidden, C = classes, K = settings.copies, sigma = settings.sigma
        let R = B * K
        let ain = scratch.buffer(S.ain.rawValue, B * T * H)
        let loss0 = scratch.buffer(S.loss0.rawValue, B)
        let hsN = scratch.buffer(S.hsN.rawValue, (T + 1) * R * H)
        let lossK = scratch.buffer(S.lossK.rawValue, R)
        let zK = scratch.buffer(S.zK.rawValue, R * C)
        let scale = 1 / (Float(R) * sigma)

        hsN.update(repeating: 0, count: R * H)
        for t in 0..<T {
            let eps = noise + t * R * H, prev = hsN + t * R * H, cur = hsN + (t + 1) * R * H
            Parallel.forRanges(count: R, grain: max(1, 8192 / H)) { r in
                for row in r {
                    let a = ain + (row / K * T + t) * H, c = cur + row * H, e = eps + row * H
                    for j in 0..<H { c[j] = a[j] + sigma * e[j] }
                }
            }
            BLAS.sgemm(transB: true, m: R, n: H, k: H, a: prev, lda: H, b: p + offWhh, ldb: H, beta: 1, c: cur, ldc: H)
            Parallel.forRanges(count: R, grain: max(1, 8192 / H)) { r in
                for row in r { ActivationKernels.apply(.tanh, cur + row * H, count: H) }
            }
        }
        DenseKernels.forward(
            x: hsN + T * R * H, rows: R, inputs: H, outputs: C, weight: p + offWo, bias: p + offBo, y: zK)
        SoftmaxCrossEntropy.losses(logits: zK, rows: R, classes: C, labels: labels, copiesPerLabel: K, out: lossK)
        if capturesLosses { capturedLosses.appendCopies(lossK, samples: B, copies: K) }
        // Weight each copy's noise by (L_bk - baseline_b) / (BK sigma), at every time step.
        weights(lossK, clean: loss0, samples: B, copies: K, baseline: settings.baseline, scale: scale)
        Parallel.forRanges(count: R, grain: max(1, 4096 / H)) { r in
            for row in r {
                let w = lossK[row]
                for t in 0..<T {
                    let e = noise + (t * R + row) * H
                    for j in 0..<H { e[j] *= w }
                }
            }
        }
        // dW_hh = sum_{t, rows} G_t,row (outer) h_{t-1},row: one GEMM over T*R rows.
        BLAS.sgemm(transA: true, m: H, n: H, k: T * R, a: noise, lda: H, b: hsN, ldb: H, beta: 1, c: g + offWhh, ldc: H)
        // Reduce over copies: E[b][t] = sum_k G_t,bk, then dW_in = E^T X over the B*T rows (b, t).
        let e = scratch.buffer(S.e.rawValue, B * T * H)
        Parallel.forRanges(count: B, grain: 8) { r in
            for b in r {
                for t in 0..<T {
                    let dst = e + (b * T + t) * H
                    dst.update(from: noise + (t * R + b * K) * H, count: H)
                    for k in 1..<K {
                        let src = noise + (t * R + b * K + k) * H
                        for j in 0..<H { dst[j] += src[j] }
                    }
                }
            }
        }
        BLAS.sgemm(transA: true, m: H, n: D, k: B * T, a: e, lda: H, b: x, ldb: D, beta: 1, c: g + offWin, ldc: D)
        for i in 0..<(B * T) { for j in 0..<H { g[offB + j] += e[i * H + j] } }
    }

    /// The head (noise layer 1): noise on the clean logits, layer-wise.
    private func head(
        _ p: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int, step: Int,
        settings: ArchitectureLRSettings, noise: UnsafeMutablePointer<Float>, into g: UnsafeMutablePointer<Float>
    ) {
        let T = steps, H = hidden, C = classes, K = settings.copies, sigma = settings.sigma
        let R = B * K
        let hs = scratch.buffer(S.hs.rawValue, (T + 1) * B * H)
        let logits0 = scratch.buffer(S.logits.rawValue, B * C)
        let loss0 = scratch.buffer(S.loss0.rawValue, B)
        let lossK = scratch.buffer(S.lossK.rawValue, R)
        let zK = scratch.buffer(S.zK.rawValue, R * C)
        let scale = 1 / (Float(R) * sigma)
        let epsC = noise
        fillNoise(
            ArchitectureNoise.key(seed: seed, step: step, layer: 1, time: 0), samples: B, settings: settings,
            columns: C, into: epsC)
        for row in 0..<R {
            let z = zK + row * C, z0 = logits0 + row / K * C, ep = epsC + row * C
            for c in 0..<C { z[c] = z0[c] + sigma * ep[c] }
        }
        SoftmaxCrossEntropy.losses(logits: zK, rows: R, classes: C, labels: labels, copiesPerLabel: K, out: lossK)
        if capturesLosses { capturedLosses.appendCopies(lossK, samples: B, copies: K) }
        weights(lossK, clean: loss0, samples: B, copies: K, baseline: settings.baseline, scale: scale)
        let e2 = scratch.zeroed(S.e2.rawValue, B * C)
        for row in 0..<R {
            let w = lossK[row]
            let dst = e2 + row / K * C, ep = epsC + row * C
            for c in 0..<C { dst[c] += w * ep[c] }
        }
        DenseKernels.weightGradient(
            x: hs + T * B * H, dy: e2, rows: B, inputs: H, outputs: C, scale: 1,
            dWeight: g + offWo, dBias: g + offBo)
    }
}
