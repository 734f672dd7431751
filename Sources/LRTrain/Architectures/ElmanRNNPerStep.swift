import LRCore

/// Per-step injection for the Elman RNN's cell (`--step-injection per-step`): layer-wise injection on the network
/// unrolled in time. For each time step t, K copies per sample start from the clean state h_{t-1}, get noise only in
/// step t's pre-activation, and run the clean recurrence over steps t+1...T-1 with their own states; then
///
///     dW_in += (1/BK) sum_{b,k} (L_bk^t - baseline_b) (eps_t,bk / sigma) (outer) x_t,b      (and W_hh with h_{t-1},b; b)
///
/// over the shared clean inputs, so the copies are reduced before each outer product. A copy's noise has H values
/// instead of T x H, and its loss change carries only step t's influence; the price is T(T+1)/2 copy-steps per copy
/// instead of T. The noise of step t is the all-step scheme's (key time = t, same rows).
extension ElmanRNN {
    func perStepCell(
        _ p: UnsafePointer<Float>, x: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int,
        settings: ArchitectureLRSettings, noise: UnsafeMutablePointer<Float>,
        into g: UnsafeMutablePointer<Float>
    ) {
        let T = steps, D = inputSize, H = hidden, C = classes, K = settings.copies, sigma = settings.sigma
        let R = B * K
        let ain = scratch.buffer(S.ain.rawValue, B * T * H)
        let hs = scratch.buffer(S.hs.rawValue, (T + 1) * B * H)
        let loss0 = scratch.buffer(S.loss0.rawValue, B)
        let state = scratch.buffer(S.state.rawValue, 2 * R * H)
        let pre = scratch.buffer(S.pre.rawValue, B * H)
        let lossK = scratch.buffer(S.lossK.rawValue, R)
        let zK = scratch.buffer(S.zK.rawValue, R * C)
        let G = scratch.buffer(S.e.rawValue, B * H)
        let scale = 1 / (Float(R) * sigma)
        var all: [Float] = capturesLosses ? [Float](repeating: 0, count: R) : []

        for t in 0..<T {
            // Step t's clean pre-activation per sample, then K noisy copies of it.
            let prev = hs + t * B * H, eps = noise + t * R * H
            for b in 0..<B { (pre + b * H).update(from: ain + (b * T + t) * H, count: H) }
            BLAS.sgemm(transB: true, m: B, n: H, k: H, a: prev, lda: H, b: p + offWhh, ldb: H, beta: 1, c: pre, ldc: H)
            var cur = state
            Parallel.forRanges(count: R, grain: max(1, 8192 / H)) { r in
                for row in r {
                    let a = pre + (row / K) * H, c = cur + row * H, e = eps + row * H
                    for j in 0..<H { c[j] = a[j] + sigma * e[j] }
                    ActivationKernels.apply(.tanh, c, count: H)
                }
            }
            // The clean recurrence over the remaining steps, each copy on its own state.
            for u in (t + 1)..<max(t + 1, T) {
                let next = cur == state ? state + R * H : state
                Parallel.forRanges(count: R, grain: max(1, 8192 / H)) { r in
                    for row in r { (next + row * H).update(from: ain + (row / K * T + u) * H, count: H) }
                }
                BLAS.sgemm(
                    transB: true, m: R, n: H, k: H, a: cur, lda: H, b: p + offWhh, ldb: H, beta: 1, c: next, ldc: H)
                Parallel.forRanges(count: R, grain: max(1, 8192 / H)) { r in
                    for row in r { ActivationKernels.apply(.tanh, next + row * H, count: H) }
                }
                cur = next
            }
            DenseKernels.forward(x: cur, rows: R, inputs: H, outputs: C, weight: p + offWo, bias: p + offBo, y: zK)
            SoftmaxCrossEntropy.losses(logits: zK, rows: R, classes: C, labels: labels, copiesPerLabel: K, out: lossK)
            if capturesLosses { for i in 0..<R { all[i] += lossK[i] / Float(T) } }
            weights(lossK, clean: loss0, samples: B, copies: K, baseline: settings.baseline, scale: scale)
            // G_t[b] = sum_k w_bk eps_t,bk, then the outer products with the clean inputs of step t.
            Parallel.forRanges(count: B, grain: 8) { r in
                for b in r {
                    let dst = G + b * H
                    dst.update(repeating: 0, count: H)
                    for k in 0..<K {
                        let w = lossK[b * K + k], e = eps + (b * K + k) * H
                        for j in 0..<H { dst[j] += w * e[j] }
                    }
                }
            }
            BLAS.sgemm(transA: true, m: H, n: H, k: B, a: G, lda: H, b: prev, ldb: H, beta: 1, c: g + offWhh, ldc: H)
            BLAS.sgemm(
                transA: true, m: H, n: D, k: B, a: G, lda: H, b: x + t * D, ldb: T * D, beta: 1, c: g + offWin, ldc: D)
            for b in 0..<B { for j in 0..<H { g[offB + j] += G[b * H + j] } }
        }
        // Traces of per-step runs are refused (`TraceRecorder`); the mean copy loss over the steps keeps the record shape.
        if capturesLosses {
            all.withUnsafeBufferPointer { capturedLosses.appendCopies($0.baseAddress!, samples: B, copies: K) }
        }
    }
}
