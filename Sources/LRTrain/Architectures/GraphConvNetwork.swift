import Foundation
import LRCore

/// A two-layer graph convolutional network (Kipf & Welling 2017) for node classification:
/// `P1 = A_hat X W1^T + b1`, `H1 = relu(P1)`, `Z = A_hat H1 W2^T + b2`, loss = mean softmax cross-entropy over the
/// training nodes. Parameters, flat: `W1 [H x F]`, `b1 [H]`, `W2 [C x H]`, `b2 [C]`.
///
/// LR: noise on the node logits after aggregation, layer-wise: copy k perturbs every node's `P1` (noise layer 0) or
/// every node's `Z` (noise layer 1) with `sigma * eps`, K antithetic copies, clean per-node losses as baseline. Credit
/// is local: the noise at node v can only change the losses of nodes u with `A_hat[u][v] != 0` (layer 0) or of v itself
/// (layer 1), so `w_v = sum_{u in N(v) + v} (L_u,k - L_u,0)` and `dW1 = (1/(K sigma n_train)) sum_k sum_v w_v eps_v,k
/// (outer) (A_hat X)_v` — unbiased, since the dropped terms have zero mean. Noise rows: pair p of node n is row
/// `p * nodes + n`. BP: exact backpropagation.
public final class GraphConvNetwork {
    public let graph: StochasticBlockGraph
    public let hidden: Int, classes: Int
    public var parameters: [Float]
    public var lr: ArchitectureLRSettings?
    public let seed: UInt64
    public let offW1: Int, offB1: Int, offW2: Int, offB2: Int
    let scratch = ArchitectureScratch()
    public var parameterGroups: [ParameterGroup] {
        [ParameterGroup("layer1", offW1..<offW2), ParameterGroup("layer2", offW2..<parameters.count)]
    }
    /// `A_hat X`, computed once.
    private var aggregatedFeatures: [Float]
    /// When set, `gradient` keeps the per-node losses it observed (for traces): clean `[N]` and per noise layer
    /// `[K][N]` (0 for test nodes).
    public var capturesLosses = false
    public private(set) var capturedLosses = CapturedLosses()

    public init(graph: StochasticBlockGraph, hidden: Int, seed: UInt64, lr: ArchitectureLRSettings?) throws {
        guard hidden >= 1, hidden <= 4096 else {
            throw SettingError("model", "gnn: expected 1...4096 hidden units, got \(hidden)")
        }
        self.graph = graph; self.hidden = hidden; classes = graph.options.classes; self.seed = seed; self.lr = lr
        let F = graph.options.features
        offW1 = 0; offB1 = hidden * F; offW2 = offB1 + hidden; offB2 = offW2 + classes * hidden
        let (w1, w2, count) = (offW1, offW2, offB2 + classes)
        var params = [Float](repeating: 0, count: count)
        params.withUnsafeMutableBufferPointer { p in
            let p = p.baseAddress!
            initializeUniform(p + w1, count: hidden * F, bound: (6 / Float(F)).squareRoot(), seed: seed, tensor: 0)
            initializeUniform(
                p + w2, count: graph.options.classes * hidden, bound: (3 / Float(hidden)).squareRoot(), seed: seed,
                tensor: 1)
        }
        parameters = params
        var aggregated = [Float](repeating: 0, count: graph.nodes * F)
        aggregated.withUnsafeMutableBufferPointer { out in
            graph.features.withUnsafeBufferPointer {
                graph.propagate($0.baseAddress!, columns: F, into: out.baseAddress!)
            }
        }
        aggregatedFeatures = aggregated
    }

    private enum S: Int { case p1, h1, q, z, loss0, dz, dq, dh, noise, hk, qk, zk, lossK, w, gacc }

    /// Clean forward; per-node losses (training nodes; 0 elsewhere) into slot `loss0`. Returns the mean training loss.
    @discardableResult
    private func cleanForward(_ p: UnsafePointer<Float>) -> Float {
        let N = graph.nodes, F = graph.options.features, H = hidden, C = classes
        let p1 = scratch.buffer(S.p1.rawValue, N * H), h1 = scratch.buffer(S.h1.rawValue, N * H)
        let q = scratch.buffer(S.q.rawValue, N * H), z = scratch.buffer(S.z.rawValue, N * C)
        aggregatedFeatures.withUnsafeBufferPointer { s in
            DenseKernels.forward(
                x: s.baseAddress!, rows: N, inputs: F, outputs: H, weight: p + offW1, bias: p + offB1, y: p1)
        }
        for i in 0..<(N * H) { h1[i] = max(p1[i], 0) }
        graph.propagate(h1, columns: H, into: q)
        DenseKernels.forward(x: q, rows: N, inputs: H, outputs: C, weight: p + offW2, bias: p + offB2, y: z)
        return nodeLosses(z, into: scratch.buffer(S.loss0.rawValue, N))
    }

    /// Per-node cross-entropy for training nodes (0 for the others); returns their mean.
    private func nodeLosses(_ z: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) -> Float {
        let n = graph.trainCount
        graph.labels.withUnsafeBufferPointer { y in
            SoftmaxCrossEntropy.losses(
                logits: z, rows: n, classes: classes, labels: y.baseAddress!, copiesPerLabel: 1, out: out)
        }
        (out + n).update(repeating: 0, count: graph.nodes - n)
        var s: Float = 0
        for i in 0..<n { s += out[i] }
        return s / Float(n)
    }

    /// Accuracy and mean loss on the test nodes (`trainCount..<nodes`) of the clean model.
    public func evaluate() -> (accuracy: Double, loss: Double) {
        parameters.withUnsafeBufferPointer { _ = cleanForward($0.baseAddress!) }
        let z = scratch.buffer(S.z.rawValue, graph.nodes * classes)
        var correct = 0, loss = 0.0
        for i in graph.trainCount..<graph.nodes {
            let row = z + i * classes
            let m = (0..<classes).map { row[$0] }.max()!
            let lse = log((0..<classes).reduce(0.0) { $0 + exp(Double(row[$1] - m)) }) + Double(m)
            loss += lse - Double(row[Int(graph.labels[i])])
            if SoftmaxCrossEntropy.argmax(logits: z, row: i, classes: classes) == Int(graph.labels[i]) { correct += 1 }
        }
        let n = Double(graph.nodes - graph.trainCount)
        return (Double(correct) / n, loss / n)
    }

    /// Zeroes `g` and writes the gradient estimate of the mean training loss; returns that clean loss.
    public func gradient(_ estimator: EstimatorKind, step: Int, into g: UnsafeMutablePointer<Float>) -> Float {
        g.update(repeating: 0, count: parameters.count)
        return parameters.withUnsafeBufferPointer { pp in
            let p = pp.baseAddress!
            let loss = cleanForward(p)
            if capturesLosses {
                capturedLosses = CapturedLosses()
                capturedLosses.clean = Array(
                    UnsafeBufferPointer(start: scratch.buffer(S.loss0.rawValue, graph.nodes), count: graph.nodes))
            }
            switch estimator {
            case .bp: backprop(p, into: g)
            case .alr, .es, .aes:
                preconditionFailure(
                    "rnn, snn and gnn models train with lr or bp (EstimatorKind.checkArchitectureSupport)")
            case .lr:
                guard let lr else {
                    preconditionFailure("GraphConvNetwork: LR settings are required for the lr estimator")
                }
                likelihoodRatio(p, step: step, settings: lr, into: g)
            }
            return loss
        }
    }

    private func backprop(_ p: UnsafePointer<Float>, into g: UnsafeMutablePointer<Float>) {
        let N = graph.nodes, F = graph.options.features, H = hidden, C = classes, n = graph.trainCount
        let p1 = scratch.buffer(S.p1.rawValue, N * H), q = scratch.buffer(S.q.rawValue, N * H)
        let z = scratch.buffer(S.z.rawValue, N * C), dz = scratch.zeroed(S.dz.rawValue, N * C)
        let dq = scratch.buffer(S.dq.rawValue, N * H), dh = scratch.buffer(S.dh.rawValue, N * H)
        graph.labels.withUnsafeBufferPointer { y in
            SoftmaxCrossEntropy.gradient(
                logits: z, rows: n, classes: C, labels: y.baseAddress!, scale: 1 / Float(n), out: dz)
        }
        DenseKernels.weightGradient(
            x: q, dy: dz, rows: N, inputs: H, outputs: C, scale: 1, dWeight: g + offW2, dBias: g + offB2)
        DenseKernels.inputGradient(dy: dz, rows: N, inputs: H, outputs: C, weight: p + offW2, dx: dq)
        graph.propagate(dq, columns: H, into: dh)  // A_hat is symmetric
        for i in 0..<(N * H) where p1[i] <= 0 { dh[i] = 0 }
        aggregatedFeatures.withUnsafeBufferPointer { s in
            DenseKernels.weightGradient(
                x: s.baseAddress!, dy: dh, rows: N, inputs: F, outputs: H, scale: 1,
                dWeight: g + offW1, dBias: g + offB1)
        }
    }

    private func likelihoodRatio(
        _ p: UnsafePointer<Float>, step: Int, settings: ArchitectureLRSettings,
        into g: UnsafeMutablePointer<Float>
    ) {
        let N = graph.nodes, F = graph.options.features, H = hidden, C = classes, K = settings.copies,
            sigma = settings.sigma
        let p1 = scratch.buffer(S.p1.rawValue, N * H), q = scratch.buffer(S.q.rawValue, N * H)
        let z = scratch.buffer(S.z.rawValue, N * C), loss0 = scratch.buffer(S.loss0.rawValue, N)
        let noise = scratch.buffer(S.noise.rawValue, N * max(H, C))
        let hk = scratch.buffer(S.hk.rawValue, N * H), qk = scratch.buffer(S.qk.rawValue, N * H)
        let zk = scratch.buffer(S.zk.rawValue, N * C), lossK = scratch.buffer(S.lossK.rawValue, N)
        let w = scratch.buffer(S.w.rawValue, N)
        let scale = 1 / (Float(K) * sigma * Float(graph.trainCount))

        // Layer 0: noise on the aggregated hidden logits P1 of every node.
        let g1 = scratch.zeroed(S.gacc.rawValue, N * max(H, C))
        var captured = capturesLosses ? [Float](repeating: 0, count: K * N) : []
        let key0 = ArchitectureNoise.key(seed: seed, step: step, layer: 0, time: 0)
        for k in 0..<K {
            let sign: Float = k & 1 == 0 ? 1 : -1
            if k & 1 == 0 {
                let lo = UInt32(k / 2 * N)
                FastGaussian.fill(
                    key0, rows: lo..<(lo + UInt32(N)), columns: H,
                    into: UnsafeMutableBufferPointer(start: noise, count: N * H))
            }
            let s = sign * sigma
            for i in 0..<(N * H) { hk[i] = max(p1[i] + s * noise[i], 0) }
            graph.propagate(hk, columns: H, into: qk)
            DenseKernels.forward(x: qk, rows: N, inputs: H, outputs: C, weight: p + offW2, bias: p + offB2, y: zk)
            _ = nodeLosses(zk, into: lossK)
            if capturesLosses { for i in 0..<N { captured[k * N + i] = lossK[i] } }
            for i in 0..<N { lossK[i] -= loss0[i] }
            // w_v = sum of the loss changes over v's neighbourhood (the nodes its noise reaches).
            graph.rowStart.withUnsafeBufferPointer { rs in
                graph.columns.withUnsafeBufferPointer { cs in
                    for v in 0..<N {
                        var acc: Float = 0
                        for e in rs[v]..<rs[v + 1] { acc += lossK[Int(cs[e])] }
                        w[v] = acc * sign * scale
                    }
                }
            }
            for v in 0..<N {
                let wv = w[v], e = noise + v * H, dst = g1 + v * H
                if wv != 0 { for j in 0..<H { dst[j] += wv * e[j] } }
            }
        }
        aggregatedFeatures.withUnsafeBufferPointer { sx in
            DenseKernels.weightGradient(
                x: sx.baseAddress!, dy: g1, rows: N, inputs: F, outputs: H, scale: 1,
                dWeight: g + offW1, dBias: g + offB1)
        }
        if capturesLosses { capturedLosses.copies.append(captured) }

        // Layer 1: noise on the output logits Z of every node; only the node's own loss depends on it.
        let g2 = scratch.zeroed(S.gacc.rawValue, N * max(H, C))
        let key1 = ArchitectureNoise.key(seed: seed, step: step, layer: 1, time: 0)
        for k in 0..<K {
            let sign: Float = k & 1 == 0 ? 1 : -1
            if k & 1 == 0 {
                let lo = UInt32(k / 2 * N)
                FastGaussian.fill(
                    key1, rows: lo..<(lo + UInt32(N)), columns: C,
                    into: UnsafeMutableBufferPointer(start: noise, count: N * C))
            }
            for i in 0..<(N * C) { zk[i] = z[i] + sign * sigma * noise[i] }
            _ = nodeLosses(zk, into: lossK)
            if capturesLosses { for i in 0..<N { captured[k * N + i] = lossK[i] } }
            for v in 0..<graph.trainCount {
                let wv = (lossK[v] - loss0[v]) * sign * scale, e = noise + v * C, dst = g2 + v * C
                for j in 0..<C { dst[j] += wv * e[j] }
            }
        }
        DenseKernels.weightGradient(
            x: q, dy: g2, rows: N, inputs: H, outputs: C, scale: 1, dWeight: g + offW2, dBias: g + offB2)
        if capturesLosses { capturedLosses.copies.append(captured) }
    }
}
