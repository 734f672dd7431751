import CIntKernels
import LRCore

/// The local-gradient datapath of one dense layer in a forward-only (LR / ALR) accelerator.
///
/// For B samples, K copies, J outputs and I inputs:
/// 1. copy reduction: w[b, j] = sum_k L[b, k] * s[b, k, j] through `reduction` (a MAC whose second operand is the
///    score: the noise value for LR, or +-1 for sign-encoded ALR, where the "product" is an add or subtract);
///    the write-back of `reduction` is the weighted-loss format;
/// 2. outer product: dW[j, i] = sum_b w[b, j] * x[b, i] through `outer` (a MAC on weighted losses and inputs).
/// Losses arrive already baseline-subtracted (L - L0) in `lossFormat`; constant factors (1/N, c/sigma) belong to the
/// learning rate of `WeightUpdate`. Every rounding point is a `FixedConfig`, so a wide enough choice makes a step exact.
public struct LRGradientDatapath: Sendable, Hashable {
    /// How the per-copy score is held.
    public enum Encoding: Sendable, Hashable {
        /// One sign bit per copy and output (ALR): 0 means +1, nonzero means -1.
        case sign
        /// A noise value per copy and output, raw in this format (LR).
        case noise(FixedFormat)
    }

    public let lossFormat: FixedFormat
    public let inputFormat: FixedFormat
    public let encoding: Encoding
    public let reduction: FixedMAC
    public let outer: FixedMAC

    /// The format of the +-1 "operand" of sign encoding.
    public static let signFormat = try! FixedFormat(signed: true, intBits: 2, fracBits: 0)

    public init(
        lossFormat: FixedFormat, inputFormat: FixedFormat, encoding: Encoding,
        reduction: MACConfig, outer: MACConfig
    ) throws {
        try lossFormat.requireValueFormat("loss")
        try inputFormat.requireValueFormat("layer input")
        try reduction.output.format.requireValueFormat("weighted loss")
        try outer.output.format.requireValueFormat("gradient")
        self.lossFormat = lossFormat
        self.inputFormat = inputFormat
        self.encoding = encoding
        let scoreFormat: FixedFormat
        switch encoding {
        case .sign: scoreFormat = LRGradientDatapath.signFormat
        case .noise(let f):
            try f.requireValueFormat("noise")
            scoreFormat = f
        }
        self.reduction = try FixedMAC(a: lossFormat, b: scoreFormat, config: reduction)
        self.outer = try FixedMAC(a: reduction.output.format, b: inputFormat, config: outer)
    }

    /// Step 1: w[b, j] (B x J, raw in the weighted-loss format) from losses L (B x K) and scores (B x K x J: sign
    /// bytes for `.sign`, raw noise for `.noise`). Output (b, j) is dot product number b * J + j for stochastic rounding.
    /// Inlinable so callers get it specialised for their score type (unspecialised, every element goes through generic
    /// integer witnesses).
    @inlinable
    public func reduceCopies<S: FixedWidthInteger>(
        losses: UnsafeBufferPointer<Int64>, scores: UnsafeBufferPointer<S>, batch: Int, copies: Int, outputs: Int,
        into w: UnsafeMutableBufferPointer<Int64>, stochastic: StochasticStream = .default
    ) throws {
        try LRGradientDatapath.requireCount(losses.count, [batch, copies], "losses (B x K)")
        try LRGradientDatapath.requireCount(scores.count, [batch, copies, outputs], "scores (B x K x J)")
        try LRGradientDatapath.requireCount(w.count, [batch, outputs], "weighted losses (B x J)")
        guard let pl = losses.baseAddress, let ps = scores.baseAddress, let pw = w.baseAddress else {
            for i in 0..<w.count { w[i] = Int64(truncatingIfNeeded: reduction.writeBack(0)) }
            return
        }
        let isSign: Bool
        if case .sign = encoding { isSign = true } else { isSign = false }
        let mac = reduction
        if let plan = mac.fastDot, copies > 0, outputs > 0, plan.sumNeeds128(terms: copies, start: 0) == false {
            reduceCopiesFast(
                plan, pl, ps, isSign: isSign, batch: batch, copies: copies, outputs: outputs, into: pw,
                stochastic: stochastic)
            return
        }
        let outRandom = mac.config.output.rounding == .stochastic
        Parallel.forRanges(count: batch, grain: max(1, 16_384 / max(1, copies &* outputs))) { samples in
            // Sign bytes become +-1 operands; a scratch column keeps the MAC loop shared by both encodings.
            var signs = [Int8](repeating: 1, count: copies)
            for b in samples {
                for j in 0..<outputs {
                    let index = b &* outputs &+ j
                    let acc: Int128
                    if isSign {
                        for k in 0..<copies { signs[k] = ps[(b &* copies &+ k) &* outputs &+ j] == 0 ? 1 : -1 }
                        acc = signs.withUnsafeBufferPointer {
                            mac.accumulateDot(
                                pl + b &* copies, strideA: 1, $0.baseAddress!, strideB: 1, count: copies,
                                stochastic: stochastic, index: index)
                        }
                    } else {
                        acc = mac.accumulateDot(
                            pl + b &* copies, strideA: 1, ps + (b &* copies &* outputs &+ j),
                            strideB: outputs, count: copies, stochastic: stochastic, index: index)
                    }
                    let r: UInt32 = outRandom ? stochastic.word(mac.writeBackWordIndex(index: index, count: copies)) : 0
                    pw[index] = Int64(truncatingIfNeeded: mac.writeBack(acc, random: r))
                }
            }
        }
    }

    /// Step 1 on the fast dot plan: per sample, sums over copies of each rounded product, vectorised along the
    /// outputs (each copy's loss broadcast against its row of scores); then the plan's finish and the write-back,
    /// vectorised (`finishSums`) when the sums fit 32 bits.
    @inlinable
    func reduceCopiesFast<S: FixedWidthInteger>(
        _ plan: FastDotPlan, _ pl: UnsafePointer<Int64>, _ ps: UnsafePointer<S>, isSign: Bool, batch: Int, copies: Int,
        outputs: Int, into pw: UnsafeMutablePointer<Int64>, stochastic: StochasticStream
    ) {
        let count = batch &* outputs
        if plan.sumFits32(terms: copies) {
            let sums = UnsafeMutablePointer<Int32>.allocate(capacity: count)
            defer { sums.deallocate() }
            plan.dispatch(
                plan.lanes64,
                CopyReductionBody(
                    plan: plan, losses: pl, scores: ps, isSign: isSign, batch: batch, copies: copies,
                    outputs: outputs, sums: sums))
            reduction.finishSums(
                plan, sums, ldc: outputs, pw, m: batch, n: outputs, k: copies,
                preload: [Int128](repeating: 0, count: outputs), stochastic: stochastic)
            return
        }
        let sums = UnsafeMutablePointer<Int64>.allocate(capacity: count)
        defer { sums.deallocate() }
        plan.dispatch(
            plan.lanes64,
            CopyReductionBody(
                plan: plan, losses: pl, scores: ps, isSign: isSign, batch: batch, copies: copies, outputs: outputs,
                sums: sums))
        let mac = reduction
        let outRandom = mac.config.output.rounding == .stochastic
        Parallel.forRanges(count: batch, grain: max(1, 4096 / max(1, outputs))) { samples in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: outRandom ? outputs : 0) { wb in
                for b in samples {
                    // Sample b's write-back words, 2K + 1 apart, in one bulk call.
                    if outRandom, let w = wb.baseAddress {
                        stochastic.words(
                            from: mac.writeBackWordIndex(index: b &* outputs, count: copies), stride: 2 &* copies &+ 1,
                            count: outputs, into: w)
                    }
                    for j in 0..<outputs {
                        let index = b &* outputs &+ j
                        let total = plan.finish(Int128(sums[index]), start: 0)
                        let w: UInt32 = outRandom ? wb[j] : 0
                        pw[index] = Int64(truncatingIfNeeded: mac.writeBack(total, random: w))
                    }
                }
            }
        }
    }

    /// Step 2: dW (J x I, raw in the gradient format) = w^T x, with w B x J and x B x I.
    @inlinable
    public func outerProduct(
        weightedLosses w: UnsafeBufferPointer<Int64>, inputs x: UnsafeBufferPointer<Int64>,
        batch: Int, outputs: Int, inputCount: Int,
        into dW: UnsafeMutableBufferPointer<Int64>, stochastic: StochasticStream = .default
    ) throws {
        try outer.gemm(
            a: w, MatrixLayout(rows: outputs, columns: batch, transposed: true),
            b: x, MatrixLayout(rows: batch, columns: inputCount), into: dW, stochastic: stochastic)
    }

    /// Both steps: dW (J x I) from losses (B x K), scores (B x K x J) and inputs (B x I). The two steps draw stochastic
    /// words from rows `stochastic.row` and `stochastic.row + 1`.
    @inlinable
    public func gradient<S: FixedWidthInteger>(
        losses: UnsafeBufferPointer<Int64>, scores: UnsafeBufferPointer<S>, inputs: UnsafeBufferPointer<Int64>,
        batch: Int, copies: Int, outputs: Int, inputCount: Int,
        into dW: UnsafeMutableBufferPointer<Int64>, stochastic: StochasticStream = .default
    ) throws {
        try LRGradientDatapath.requireCount(inputs.count, [batch, inputCount], "inputs (B x I)")
        // Every weighted loss is written by `reduceCopies`: no zeroing pass.
        var w = [Int64](unsafeUninitializedCapacity: batch * outputs) { _, n in n = batch * outputs }
        try w.withUnsafeMutableBufferPointer {
            try reduceCopies(
                losses: losses, scores: scores, batch: batch, copies: copies, outputs: outputs,
                into: $0, stochastic: stochastic)
        }
        var second = stochastic
        second.row &+= 1
        try w.withUnsafeBufferPointer {
            try outerProduct(
                weightedLosses: $0, inputs: inputs, batch: batch, outputs: outputs, inputCount: inputCount,
                into: dW, stochastic: second)
        }
    }

    @usableFromInline
    static func requireCount(_ count: Int, _ dims: [Int], _ what: String) throws {
        var expected = 1
        for d in dims {
            guard d >= 0 else { throw FixedPointError(.shapeMismatch, "\(what): negative dimension in \(dims)") }
            let (p, o) = expected.multipliedReportingOverflow(by: d)
            guard !o else { throw FixedPointError(.shapeMismatch, "\(what): dimensions \(dims) overflow") }
            expected = p
        }
        guard count == expected else {
            throw FixedPointError(
                .shapeMismatch,
                "\(what): expected \(dims.map(String.init).joined(separator: " x ")) = \(expected) elements, got \(count)"
            )
        }
    }
}

/// The copy sums for one (rounding, overflow) combination: sums[b * J + j] = sum_k r(L[b, k] * s[b, k, j]), in
/// `Sum` lanes (Int32 when 32 bits hold the sum exactly or all the wrapping accumulator needs, else Int64).
@usableFromInline
struct CopyReductionBody<S: FixedWidthInteger, Sum: FixedWidthInteger & SignedInteger>: FastDotBody {
    @usableFromInline typealias Lane = Int64
    @usableFromInline let plan: FastDotPlan
    @usableFromInline let losses: UnsafePointer<Int64>
    @usableFromInline let scores: UnsafePointer<S>
    @usableFromInline let isSign: Bool
    @usableFromInline let batch: Int, copies: Int, outputs: Int
    @usableFromInline let sums: UnsafeMutablePointer<Sum>

    @inlinable
    init(
        plan: FastDotPlan, losses: UnsafePointer<Int64>, scores: UnsafePointer<S>, isSign: Bool, batch: Int,
        copies: Int, outputs: Int, sums: UnsafeMutablePointer<Sum>
    ) {
        self.plan = plan; self.losses = losses; self.scores = scores; self.isSign = isSign
        self.batch = batch; self.copies = copies; self.outputs = outputs; self.sums = sums
    }

    @inlinable
    func run<R: FastRound, C: FastClip>(_ r: R, _ c: C) where R.Lane == Int64, C.Lane == Int64 {
        let J = outputs, K = copies
        let ua = plan.upA, ma = plan.maskA, ub = plan.upB, mb = plan.maskB
        let isa = IntKernelISA.preferred.rawValue
        Parallel.forRanges(count: batch, grain: max(1, 16_384 / max(1, K &* J))) { samples in
            for b in samples {
                let acc = sums + b &* J
                acc.update(repeating: 0, count: J)
                for k in 0..<K {
                    let bits = Int64(truncatingIfNeeded: losses[b &* K &+ k])
                    let x = ((bits &<< ua) &>> ua) & ma
                    let row = scores + (b &* K &+ k) &* J
                    if isSign {
                        // Sign bytes: 0 is +1, anything else -1; both products rounded once, then selected.
                        let plus = Sum(truncatingIfNeeded: c(r(x)))
                        let minus = Sum(truncatingIfNeeded: c(r(0 &- x)))
                        if Sum.self == Int32.self, S.self == UInt8.self {
                            lrsim_sign_accumulate32(
                                isa, UnsafeRawPointer(row).assumingMemoryBound(to: UInt8.self), J,
                                Int32(truncatingIfNeeded: plus), Int32(truncatingIfNeeded: minus),
                                UnsafeMutableRawPointer(acc).assumingMemoryBound(to: Int32.self))
                            continue
                        }
                        for j in 0..<J { acc[j] &+= row[j] == 0 ? plus : minus }
                    } else {
                        for j in 0..<J {
                            let y = ((Int64(truncatingIfNeeded: row[j]) &<< ub) &>> ub) & mb
                            acc[j] &+= Sum(truncatingIfNeeded: c(r(x &* y)))
                        }
                    }
                }
            }
        }
    }
}
