import FixedPoint
import LRCore

/// What one parametric layer's gradient looked like on the datapath: the result and every operand it was formed from
/// (so the exact GMP reference can recompute the same formula on the same quantized values).
public struct DatapathLayerResult: Sendable {
    /// Index into `NetworkSpec.layers` and position among the parametric layers.
    public let layer: Int
    public let position: Int
    public let outputs: Int
    public let inputCount: Int
    public let copies: Int
    /// dW (J x I) and db (J) in the gradients format (at most 64 bits), as the GEMM stores them: each raw value's
    /// low 64 bits, which is the raw value itself unless the format is 64-bit unsigned. The unscaled sums of
    /// (L - L0) * score * x.
    public var weightGradientRaw: [Int64]
    public var biasGradientRaw: [Int64]
    public let gradientFormat: FixedFormat
    /// The raw values as Int128 (the exact reference's type).
    public var weightGradient: [Int128] { weightGradientRaw.map { gradientFormat.raw(fromBits: $0) } }
    public var biasGradient: [Int128] { biasGradientRaw.map { gradientFormat.raw(fromBits: $0) } }
    /// Per-copy losses (B x K, row b*K + k) and the baseline-subtracted losses the gradient uses, raw in the loss format.
    public var copyLosses: [Int64]
    public var lossOperands: [Int64]
    /// Scores B x K x J: sign bytes (nonzero = -1) for sign encoding, else raw noise (odd antithetic copies negated).
    public var signs: [UInt8]
    public var noise: [Int64]
    /// The stored layer input B x I, raw in the inputs format.
    public var inputs: [Int64]
    /// The trainer's float gradient is `scale` times the gradient's value (score scale / (B K)).
    public let scale: Double
}

/// One replayed or trained step.
public struct DatapathStepResult: Sendable {
    public let rows: Int
    /// Clean per-sample losses L0, raw in the loss format.
    public var cleanLosses: [Int64]
    public var meanCleanLoss: Double
    public var layers: [DatapathLayerResult]
}

extension FixedPointDatapath {
    /// Runs one step on raw weights (`quantizeParameters`) for a batch of float inputs.
    public func run(weights: [Int64], input: [Float], labels: [Int32], step: Int) throws -> DatapathStepResult {
        let B = labels.count
        guard B > 0 else { throw DatapathError("batch: expected at least one sample") }
        guard weights.count == layout.count else {
            throw DatapathError("weights: expected \(layout.count) raw values, got \(weights.count)")
        }
        guard input.count == B * spec.inputCount else {
            throw DatapathError("input: expected \(B) x \(spec.inputCount) values, got \(input.count)")
        }
        let classes = spec.outputCount
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw DatapathError("labels[\(bad)] = \(labels[bad]): expected a class in 0...\(classes - 1)")
        }
        let x = try FixedKernels.quantize(
            input, config: formats.inputs, stochastic: stream(step: step, layer: 0xFFFF, site: 0))
        let clean = try forward(from: 0, input: x, rows: B, weights: weights, step: step, site: 0, keep: true)
        let lossConfig = formats.loss
        let cleanLosses = losses(
            logits: clean.output, rows: B, labels: labels, copiesPerLabel: 1,
            stream: stream(step: step, layer: 0xFFFE, site: 0))
        let lf = lossConfig.format
        let mean =
            cleanLosses.reduce(0.0) { $0 + FixedArithmetic.toDouble(lf.raw(fromBits: $1), format: lf) } / Double(B)
        var layers: [DatapathLayerResult] = []
        for (p, slot) in layout.slots.enumerated() {
            layers.append(
                try perturb(
                    position: p, slot: slot, clean: clean, cleanLosses: cleanLosses, weights: weights,
                    labels: labels, rows: B, step: step))
        }
        return DatapathStepResult(rows: B, cleanLosses: cleanLosses, meanCleanLoss: mean, layers: layers)
    }

    /// The trainer-scaled float gradient of a step, in the flat parameter layout.
    public func floatGradient(_ r: DatapathStepResult) -> [Float] {
        var g = [Float](repeating: 0, count: layout.count)
        g.withUnsafeMutableBufferPointer { addFloatGradient(r, to: $0.baseAddress!) }
        return g
    }

    /// Adds the trainer-scaled float gradient of a step to `g` (the flat parameter layout, `layout.count` values):
    /// the trainer's gradient buffer directly, with no array in between.
    public func addFloatGradient(_ r: DatapathStepResult, to g: UnsafeMutablePointer<Float>) {
        let gf = formats.gradients.format
        for l in r.layers {
            let slot = layout.slots[l.position]
            for (raw, offset) in [(l.weightGradientRaw, slot.weightOffset), (l.biasGradientRaw, slot.biasOffset)] {
                raw.withUnsafeBufferPointer { rb in
                    let src = rb.baseAddress!, dst = g + offset
                    if gf.width <= 53, abs(gf.fracBits) <= 200, l.scale.isNormal, abs(l.scale.exponent) <= 500 {
                        // Raw values below 2^53 convert exactly, and scaling by 2^-F is exact either side of the
                        // product with the scale: toDouble(raw) * scale, in one multiplication.
                        let unit = Double(sign: .plus, exponent: -gf.fracBits, significand: 1) * l.scale
                        Parallel.forRanges(count: rb.count, grain: 1 << 16) { r in
                            for e in r { dst[e] += Float(Double(src[e]) * unit) }
                        }
                    } else {
                        for e in 0..<rb.count {
                            dst[e] += Float(FixedArithmetic.toDouble(gf.raw(fromBits: src[e]), format: gf) * l.scale)
                        }
                    }
                }
            }
        }
    }

    // MARK: - Forward

    package struct ForwardResult {
        package var output: [Int64]
        /// Per dense layer index: its input (raw) and format, and its accumulators (rows x outputs).
        var layerInputs: [Int: ([Int64], FixedFormat)] = [:]
        var accumulators: [Int: [Int128]] = [:]
        /// The same, when the accumulator format fits 62 bits (the fast paths work on these; `accumulators` is empty).
        var accumulators64: [Int: [Int64]] = [:]

        /// Layer `i`'s accumulator `e`, whichever storage holds it.
        func accumulator(_ i: Int) -> ((Int) -> Int128)? {
            if let a = accumulators64[i] { return { Int128(a[$0]) } }
            if let a = accumulators[i] { return { a[$0] } }
            return nil
        }
    }

    /// Layers `start...` on `rows` rows. The input is in the inputs format when `start == 0`, else in activations.
    package func forward(
        from start: Int, input: [Int64], rows: Int, weights: [Int64], step: Int, site: Int,
        keep: Bool
    ) throws -> ForwardResult {
        var result = ForwardResult(output: [])
        var cur = input
        var curFormat = start == 0 ? formats.inputs.format : formats.activations.format
        let act = formats.activations
        let accFormat = formats.accumulators.format
        for i in start..<spec.layers.count {
            switch spec.layers[i] {
            case let .dense(inputs, outputs):
                guard let mac = macs[i], let slot = layout.slot(forLayer: i) else {
                    throw DatapathError("layer \(i): no forward MAC")
                }
                guard mac.a == curFormat else {
                    throw DatapathError("layer \(i): input in \(curFormat), MAC built for \(mac.a)")
                }
                if accFormat.width <= 62 {
                    // Int64 accumulators: the GEMM's integer kernels write them, a vectorised requantizer rounds them.
                    let acc = try denseAccumulators(
                        mac: mac, slot: slot, input: cur, rows: rows, inputs: inputs,
                        outputs: outputs, weights: weights, stream: stream(step: step, layer: i, site: site * 8))
                    if keep { result.layerInputs[i] = (cur, curFormat) }
                    cur = writeBack(acc, layer: i, step: step, site: site)
                    curFormat = act.format
                    if keep { result.accumulators64[i] = acc }
                    continue
                }
                var acc = [Int128](repeating: 0, count: rows * outputs)
                try cur.withUnsafeBufferPointer { a in
                    try weights.withUnsafeBufferPointer { w in
                        try acc.withUnsafeMutableBufferPointer { c in
                            try mac.gemm(
                                a: a, MatrixLayout(rows: rows, columns: inputs),
                                b: UnsafeBufferPointer(
                                    rebasing: w[slot.weightOffset..<(slot.weightOffset + slot.weightCount)]),
                                MatrixLayout(rows: inputs, columns: outputs, transposed: true),
                                into: c,
                                bias: UnsafeBufferPointer(
                                    rebasing: w[slot.biasOffset..<(slot.biasOffset + slot.biasCount)]),
                                biasFormat: formats.weights.format,
                                stochastic: stream(step: step, layer: i, site: site * 8))
                        }
                    }
                }
                if keep { result.layerInputs[i] = (cur, curFormat) }
                var out = [Int64](repeating: 0, count: acc.count)
                let random = act.rounding == .stochastic
                let s = stream(step: step, layer: i, site: site * 8 + 1)
                for e in 0..<acc.count {
                    out[e] = Int64(
                        truncatingIfNeeded: FixedArithmetic.quantize(
                            acc[e], fracBits: accFormat.fracBits, into: act,
                            random: random ? s.word(e) : 0))
                }
                if keep { result.accumulators[i] = acc }
                cur = out
                curFormat = act.format
            case let .activation(a):
                let s = stream(step: step, layer: i, site: site * 8 + 2)
                cur.withUnsafeMutableBufferPointer {
                    FixedActivation.apply(a, $0.baseAddress!, count: $0.count, config: act, stochastic: s)
                }
            case .flatten:
                break
            case .conv2d, .pool, .batchNorm, .residual, .projection:
                throw DatapathError("layer \(i): not supported by the fixed-point datapath")
            }
        }
        result.output = cur
        return result
    }

    /// A dense layer's accumulators (rows x outputs, Int64): the input times the weights, bias preloaded.
    func denseAccumulators(
        mac: FixedMAC, slot: ParameterLayout.Slot, input: [Int64], rows: Int, inputs: Int, outputs: Int,
        weights: [Int64], stream s: StochasticStream
    ) throws -> [Int64] {
        var acc = Self.uninitialized(Int64.self, rows * outputs)  // the GEMM writes every element
        try input.withUnsafeBufferPointer { a in
            try weights.withUnsafeBufferPointer { w in
                try acc.withUnsafeMutableBufferPointer { c in
                    try mac.gemm(
                        a: a, MatrixLayout(rows: rows, columns: inputs),
                        b: UnsafeBufferPointer(rebasing: w[slot.weightOffset..<(slot.weightOffset + slot.weightCount)]),
                        MatrixLayout(rows: inputs, columns: outputs, transposed: true),
                        into: c,
                        bias: UnsafeBufferPointer(rebasing: w[slot.biasOffset..<(slot.biasOffset + slot.biasCount)]),
                        biasFormat: formats.weights.format, stochastic: s)
                }
            }
        }
        return acc
    }

    /// Accumulators (Int64) rounded into the activations format: the clean write-back of a dense layer.
    func writeBack(_ acc: [Int64], layer i: Int, step: Int, site: Int) -> [Int64] {
        let act = formats.activations, accFormat = formats.accumulators.format
        var out = Self.uninitialized(Int64.self, acc.count)  // every path below writes every element
        let bound = max(accFormat.rawMax, 0 - accFormat.rawMin)
        if let q = Int64Requantizer(fracBits: accFormat.fracBits, bound: bound, into: act) {
            acc.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { o in
                    let pa = a.baseAddress!, po = o.baseAddress!
                    Parallel.forRanges(count: acc.count, grain: 1 << 14) { r in
                        q.apply(pa + r.lowerBound, count: r.count, into: po + r.lowerBound)
                    }
                }
            }
            return out
        }
        let random = act.rounding == .stochastic
        let s = stream(step: step, layer: i, site: site * 8 + 1)
        if let q = StochasticRequantizer(fracBits: accFormat.fracBits, bound: bound, into: act) {
            // Element e rounds with word e: words in chunks, then the Int64 stochastic requantizer.
            acc.withUnsafeBufferPointer { a in
                out.withUnsafeMutableBufferPointer { o in
                    let pa = a.baseAddress!, po = o.baseAddress!
                    Parallel.forRanges(count: acc.count, grain: 1 << 14) { r in
                        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: StochasticStream.chunk) { wb in
                            var e = r.lowerBound
                            while e < r.upperBound {
                                let n = min(StochasticStream.chunk, r.upperBound &- e)
                                s.words(from: e, count: n, into: wb.baseAddress!)
                                q.apply(pa + e, words: wb.baseAddress!, count: n, into: po + e)
                                e &+= n
                            }
                        }
                    }
                }
            }
            return out
        }
        for e in 0..<acc.count {
            out[e] = Int64(
                truncatingIfNeeded: FixedArithmetic.quantize(
                    Int128(acc[e]), fracBits: accFormat.fracBits, into: act,
                    random: random ? s.word(e) : 0))
        }
        return out
    }

    package func losses(logits: [Int64], rows: Int, labels: [Int32], copiesPerLabel: Int, stream: StochasticStream)
        -> [Int64]
    {
        var out = [Int64](repeating: 0, count: rows)
        logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { o in
                    LossUnit.losses(
                        logits: z.baseAddress!, rows: rows, classes: spec.outputCount,
                        logitFormat: formats.activations.format, labels: y.baseAddress!,
                        copiesPerLabel: copiesPerLabel, config: formats.loss, stochastic: stream, out: o.baseAddress!,
                        expTable: expTable)
                }
            }
        }
        return out
    }
}
