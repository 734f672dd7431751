import FixedPoint
import Foundation
import LRCore

/// The GCN's LR step (`GraphConvNetwork`) on the fixed-point datapath, full graph.
///
/// - `A_hat` is a constant operand held in the `weights` format; each aggregation `A_hat * Y` is a sparse product on
///   the MAC (products into `products`, sums into `accumulators`, row by row over the node's neighbours in CSR order)
///   written back into the format of the next layer's input: `S = A_hat X` into `inputs` (computed once, as the trainer
///   does), `Q = A_hat relu(P1)` into `activations`;
/// - `P1 = S W1^T + b1` and `Z = Q W2^T + b2` are dense layers (bias preloaded) written back into `activations`; the
///   loss unit reads the training nodes' logits;
/// - layer 0's copies add sigma x eps to P1's accumulators of every node and rerun the aggregation and the head; the
///   credit of node v is the sum of the loss changes over its neighbourhood (`A_hat`'s support), formed exactly in a
///   register of the loss format widened by ceil(log2(largest neighbourhood)) integer bits;
/// - layer 2's copies add sigma x eps to Z's accumulators of the training nodes.
///
/// Gradients (the trainer's formula, unscaled): `W1`, `b1` over the N nodes with K copies (the neighbourhood credits,
/// scores eps, stored input S); `W2`, `b2` over the training nodes (their loss changes, eps, stored input Q).
final class GraphDatapath: ArchitectureDatapath {
    let model: GraphModel
    let graph: StochasticBlockGraph
    let kit: ArchitectureDatapathKit
    let tensors: [ModelTensor]
    /// `A_hat` values in CSR order, raw in the weights format.
    let aHat: [Int64]
    let aggregateInputs: FixedMAC, aggregateHidden: FixedMAC
    let mac1: FixedMAC, mac2: FixedMAC
    /// The neighbourhood-credit register.
    let credit: FixedConfig
    var formats: DatapathFormats { kit.formats }
    var perturbedLayers: [Int] { [0, 2] }
    var sampleFeatures: Int { model.features }

    init(_ model: GraphModel, graph: StochasticBlockGraph, kit: ArchitectureDatapathKit) throws {
        guard graph.nodes == model.nodes, graph.options.features == model.features,
            graph.options.classes == model.classes
        else {
            throw DatapathError(
                "\(model.spelling): the graph has \(graph.nodes) nodes, \(graph.options.features) features and \(graph.options.classes) classes"
            )
        }
        self.model = model
        self.graph = graph
        self.kit = kit
        let f = kit.formats
        tensors = GraphModelTrainer.tensors(model)
        aHat = try FixedKernels.quantize(graph.values, config: f.weights)
        func mac(_ input: FixedFormat, _ output: FixedConfig, _ what: String) throws -> FixedMAC {
            do {
                return try FixedMAC(
                    a: f.weights.format, b: input,
                    config: MACConfig(product: f.products, accumulator: f.accumulators, output: output))
            } catch { throw DatapathError("gnn \(what) (A_hat in \(f.weights.format) x \(input)): \(error)") }
        }
        aggregateInputs = try mac(f.inputs.format, f.inputs, "aggregation A_hat X")
        aggregateHidden = try mac(f.activations.format, f.activations, "aggregation A_hat relu(P1)")
        mac1 = try kit.forwardMAC(input: f.inputs.format, "gnn layer 0")
        mac2 = try kit.forwardMAC(input: f.activations.format, "gnn layer 2")
        var widest = 1
        for i in 0..<graph.nodes { widest = max(widest, graph.rowStart[i + 1] - graph.rowStart[i]) }
        let lf = f.loss.format
        let extra = Int(Foundation.ceil(Foundation.log2(Double(widest))))
        let intBits = min(lf.intBits + extra, FixedFormat.maxValueWidth - lf.fracBits)
        do {
            credit = FixedConfig(
                try FixedFormat(signed: true, intBits: intBits, fracBits: lf.fracBits), rounding: f.loss.rounding,
                overflow: f.loss.overflow)
        } catch {
            throw DatapathError("gnn neighbourhood credit register (loss \(lf) + \(extra) integer bits): \(error)")
        }
    }

    func run(parameters: [Float], input: [Float], labels: [Int32], step: Int) throws -> ArchitectureStepResult {
        let N = model.nodes, F = model.features, H = model.hidden, C = model.classes, K = kit.copies,
            n = graph.trainCount
        guard input.count == N * F else {
            throw DatapathError("input: expected \(N) nodes x \(F) features, got \(input.count) values")
        }
        guard labels.count == N else {
            throw DatapathError("labels: expected one per node (\(N)), got \(labels.count)")
        }
        try ArchitectureDatapathKit.checkLabels(labels, classes: C)
        try ArchitectureDatapathKit.requireWork([N, K, max(H, C)], "the gnn step's noise N x K x H")
        let trainLabels = Array(labels[0..<n])
        let (w1, b1, w2, b2) = (tensors[0].range, tensors[1].range, tensors[2].range, tensors[3].range)
        let w = try kit.quantize(parameters: parameters, tensors: tensors, step: step)
        let x = try FixedKernels.quantize(
            input, config: kit.formats.inputs, stochastic: kit.stream(step: step, layer: 0xFFFF, site: 0))
        let s = aggregate(aggregateInputs, x, width: F, stream: kit.stream(step: step, layer: 0, site: 4))
        let accP1 = try kit.dense(
            mac1, x: s, rows: N, inputs: F, w: w, weight: w1, bias: b1, outputs: H,
            stream: kit.stream(step: step, layer: 0, site: 0))
        let h1 = kit.writeBack(accP1, stream: kit.stream(step: step, layer: 0, site: 1)).map { max($0, 0) }
        let q = aggregate(aggregateHidden, h1, width: H, stream: kit.stream(step: step, layer: 2 << 12, site: 4))
        let accZ = try kit.dense(
            mac2, x: q, rows: N, inputs: H, w: w, weight: w2, bias: b2, outputs: C,
            stream: kit.stream(step: step, layer: 2 << 12, site: 0))
        let logits = kit.writeBack(Array(accZ[0..<(n * C)]), stream: kit.stream(step: step, layer: 2 << 12, site: 1))
        let clean = kit.losses(
            logits: logits, rows: n, classes: C, labels: trainLabels, copiesPerLabel: 1,
            stream: kit.stream(step: step, layer: 0xFFFE, site: 0))

        // Layer 0: every node's P1 perturbed in each copy; pair p of node v is Philox row p N + v.
        let pairs0 = try kit.pairNoise(
            ArchitectureNoise.key(seed: kit.seed, step: step, layer: 0, time: 0), rows: 0..<(K / 2 * N),
            columns: H, stream: kit.stream(step: step, layer: 0, site: 1000))
        let eps0 = kit.antithetic(
            pairs0, rows: N * K, columns: H, pairRow: { (($0 % K) >> 1) * N + $0 / K },
            negated: { ($0 % K) & 1 == 1 })
        var copyLosses0 = [Int64](repeating: 0, count: n * K)
        for k in 0..<K {
            let e = ArchitectureDatapathKit.gather(eps0, width: H, rows: N) { $0 * K + k }
            let u = kit.noisy(
                accP1, rows: N, columns: H, accRow: { $0 }, eps: e,
                stream: kit.stream(step: step, layer: 0, site: 1001 + 16 * k)
            ).map { max($0, 0) }
            let qk = aggregate(
                aggregateHidden, u, width: H, stream: kit.stream(step: step, layer: 2 << 12, site: 12 + 16 * k))
            let zk = kit.writeBack(
                try kit.dense(
                    mac2, x: Array(qk[0..<(n * H)]), rows: n, inputs: H, w: w, weight: w2, bias: b2,
                    outputs: C, stream: kit.stream(step: step, layer: 2 << 12, site: 8 + 16 * k)),
                stream: kit.stream(step: step, layer: 2 << 12, site: 9 + 16 * k))
            let lk = kit.losses(
                logits: zk, rows: n, classes: C, labels: trainLabels, copiesPerLabel: 1,
                stream: kit.stream(step: step, layer: 0, site: 1002 + 16 * k))
            for v in 0..<n { copyLosses0[v * K + k] = lk[v] }
        }
        let diff0 = try kit.differences(
            copyLosses: copyLosses0, clean: clean, stream: kit.stream(step: step, layer: 0, site: 1003))
        let credits = neighbourhoodCredit(diff0)
        let firstGradients = try kit.denseGradients(
            layer: 0, noiseLayer: 0, weight: w1, bias: b1, loss: credit, losses: credits, scores: eps0, inputs: s,
            rows: N, copies: K, outputs: H, inputCount: F, step: step)

        // Layer 2: the training nodes' Z perturbed.
        let pairs1 = try kit.pairNoise(
            ArchitectureNoise.key(seed: kit.seed, step: step, layer: 1, time: 0), rows: 0..<(K / 2 * N),
            columns: C, stream: kit.stream(step: step, layer: 2 << 12, site: 1000))
        let eps1 = kit.antithetic(
            pairs1, rows: n * K, columns: C, pairRow: { (($0 % K) >> 1) * N + $0 / K },
            negated: { ($0 % K) & 1 == 1 })
        let zK = kit.noisy(
            accZ, rows: n * K, columns: C, accRow: { $0 / K }, eps: eps1,
            stream: kit.stream(step: step, layer: 2 << 12, site: 1001))
        let copyLosses1 = kit.losses(
            logits: zK, rows: n * K, classes: C, labels: trainLabels, copiesPerLabel: K,
            stream: kit.stream(step: step, layer: 2 << 12, site: 1002))
        let diff1 = try kit.differences(
            copyLosses: copyLosses1, clean: clean, stream: kit.stream(step: step, layer: 2 << 12, site: 1003))
        let stored = kit.toInputs(
            Array(q[0..<(n * H)]), from: kit.formats.activations.format,
            stream: kit.stream(step: step, layer: 2 << 12, site: 1004))
        let secondGradients = try kit.denseGradients(
            layer: 2, noiseLayer: 2 << 12, weight: w2, bias: b2, losses: diff1, scores: eps1,
            inputs: stored, rows: n, copies: K, outputs: C, inputCount: H, step: step)
        let scale = 1 / (Double(kit.sigma) * Double(n * K))
        return ArchitectureStepResult(
            cleanLosses: clean, meanCleanLoss: kit.meanLoss(clean),
            layers: [
                ArchitectureLayerResult(
                    layer: 0, copies: K, copyLosses: copyLosses0, tensors: firstGradients, scale: scale),
                ArchitectureLayerResult(
                    layer: 2, copies: K, copyLosses: copyLosses1, tensors: secondGradients, scale: scale),
            ])
    }

    /// out[N x n] = A_hat * y through `mac`, each node's row over its neighbours in CSR order, written back into the
    /// MAC's output format.
    func aggregate(_ mac: FixedMAC, _ y: [Int64], width n: Int, stream: StochasticStream) -> [Int64] {
        let N = graph.nodes
        var widest = 0
        for i in 0..<N { widest = max(widest, graph.rowStart[i + 1] - graph.rowStart[i]) }
        let random = mac.config.output.rounding == .stochastic
        var out = [Int64](repeating: 0, count: N * n)
        graph.rowStart.withUnsafeBufferPointer { rs in
            graph.columns.withUnsafeBufferPointer { cs in
                aHat.withUnsafeBufferPointer { ab in
                    y.withUnsafeBufferPointer { yb in
                        out.withUnsafeMutableBufferPointer { ob in
                            let a = ab.baseAddress!, yp = yb.baseAddress!, op = ob.baseAddress!
                            Parallel.forRanges(count: N, grain: max(1, 8192 / max(1, n * 8))) { range in
                                // The neighbours' rows gathered contiguously: one strided dot per output column.
                                var gathered = [Int64](repeating: 0, count: max(1, widest * n))
                                gathered.withUnsafeMutableBufferPointer { gb in
                                    let g = gb.baseAddress!
                                    for i in range {
                                        let lo = rs[i], deg = rs[i + 1] - lo
                                        for q in 0..<deg {
                                            (g + q * n).update(from: yp + Int(cs[lo + q]) * n, count: n)
                                        }
                                        for j in 0..<n {
                                            let index = i * n + j
                                            let acc = mac.accumulateDot(
                                                a + lo, strideA: 1, g + j, strideB: n, count: deg,
                                                stochastic: stream, index: index)
                                            let r: UInt32 =
                                                random
                                                ? stream.word(mac.writeBackWordIndex(index: index, count: deg)) : 0
                                            op[index] = Int64(truncatingIfNeeded: mac.writeBack(acc, random: r))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Credit of node v, copy k: the sum of the loss changes of v's neighbours (and v) that are training nodes, exact
    /// and held in the credit register; rows v*K + k over every node.
    func neighbourhoodCredit(_ diff: [Int64]) -> [Int64] {
        let N = graph.nodes, K = kit.copies, n = graph.trainCount, lf = kit.formats.loss.format
        var out = [Int64](repeating: 0, count: N * K)
        for v in 0..<N {
            for k in 0..<K {
                var s: Int128 = 0
                for e in graph.rowStart[v]..<graph.rowStart[v + 1] {
                    let u = Int(graph.columns[e])
                    if u < n { s += lf.raw(fromBits: diff[u * K + k]) }
                }
                out[v * K + k] = Int64(
                    truncatingIfNeeded: FixedArithmetic.overflow(s, format: credit.format, mode: credit.overflow))
            }
        }
        return out
    }
}
