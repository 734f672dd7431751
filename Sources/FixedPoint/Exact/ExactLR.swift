import CGMP
import LRCore

/// Exact references for the LR / ALR gradient of a dense layer.
extension ExactReference {
    /// The exact gradient sum dW[j, i] = sum_b (sum_k L[b, k] * s[b, k, j]) * x[b, i] for float32 operands taken at
    /// their exact binary values. `signs` (B x K x J, nonzero = -1) selects sign encoding; otherwise `noise`
    /// (B x K x J) is the score. Constant factors (1/N, 1/sigma) are left to the caller: multiply the result exactly.
    ///
    /// Every operand is brought to a common power-of-two scale and the sums run as GMP integer multiply-adds, split over
    /// output rows by `Parallel`.
    public static func lrGradient(
        losses: [Float], signs: [UInt8]? = nil, noise: [Float]? = nil, inputs: [Float],
        batch: Int, copies: Int, outputs: Int, inputCount: Int
    ) throws -> DyadicMatrix {
        try LRGradientDatapath.requireCount(losses.count, [batch, copies], "losses (B x K)")
        try LRGradientDatapath.requireCount(inputs.count, [batch, inputCount], "inputs (B x I)")
        if let s = signs {
            try LRGradientDatapath.requireCount(s.count, [batch, copies, outputs], "signs (B x K x J)")
        }
        if let z = noise {
            try LRGradientDatapath.requireCount(z.count, [batch, copies, outputs], "noise (B x K x J)")
        }
        guard (signs == nil) != (noise == nil) else {
            throw FixedPointError(.invalidValue, "lrGradient: give exactly one of signs (ALR) or noise (LR)")
        }
        for (name, xs) in [("losses", losses), ("inputs", inputs), ("noise", noise ?? [])] {
            if let bad = xs.firstIndex(where: { !$0.isFinite }) {
                throw FixedPointError(.invalidValue, "lrGradient: \(name)[\(bad)] is not finite")
            }
        }
        if batch == 0 || outputs == 0 || inputCount == 0 {
            return DyadicMatrix(
                rows: outputs, columns: inputCount,
                mantissas: (0..<(outputs * inputCount)).map { _ in BigInt(0) }, fracBits: 0)
        }
        // Step 1: w[b, j] exactly, each at its own scale (the finest of its terms), then all at the finest one.
        // Each term is an odd float mantissa (<= 24 bits) times +-1 or another mantissa: it fits an Int64 exactly.
        let l = losses.map(reducedDyadic)
        let z = noise?.map(reducedDyadic)
        let wMant = (0..<(batch * outputs)).map { _ in BigInt() }
        var wFrac = [Int](repeating: 0, count: batch * outputs)
        wFrac.withUnsafeMutableBufferPointer { wf in
            let wfBase = wf.baseAddress!
            Parallel.forRanges(count: batch, grain: 1) { samples in
                let t = BigInt()
                func term(_ b: Int, _ k: Int, _ j: Int) -> (product: Int64, frac: Int)? {
                    let (lv, lf) = l[b * copies + k]
                    guard let lf else { return nil }
                    if let signs { return (signs[(b * copies + k) * outputs + j] == 0 ? Int64(lv) : -Int64(lv), lf) }
                    let (zv, zf) = z![(b * copies + k) * outputs + j]
                    guard let zf else { return nil }
                    return (Int64(lv) * Int64(zv), lf + zf)
                }
                for b in samples {
                    for j in 0..<outputs {
                        var f = Int.min
                        for k in 0..<copies { if let tm = term(b, k, j) { f = max(f, tm.frac) } }
                        let acc = wMant[b * outputs + j]
                        for k in 0..<copies {
                            guard let tm = term(b, k, j) else { continue }
                            __gmpz_set_si(t.z, Int(tm.product))
                            __gmpz_mul_2exp(t.z, t.z, UInt(f - tm.frac))
                            __gmpz_add(acc.z, acc.z, t.z)
                        }
                        (wfBase + b * outputs + j).pointee = f == Int.min ? 0 : f
                    }
                }
            }
        }
        let fw = zip(wMant, wFrac).filter { $0.0.signum != 0 }.map(\.1).max() ?? 0
        for e in wMant.indices where wMant[e].signum != 0 { wMant[e].formShiftLeft(fw - wFrac[e]) }
        // Inputs at their finest scale.
        let x = inputs.map(reducedDyadic)
        let fx = x.compactMap(\.frac).max() ?? 0
        let xMant = x.map { (v, f) -> BigInt in
            let r = BigInt(v)
            if let f { r.formShiftLeft(fx - f) }
            return r
        }
        // Step 2: dW[j, i] = sum_b w[b, j] x[b, i] with mpz addmul on raw mpz pointers laid out with b contiguous
        // (no reference counting in the inner loop; the BigInt arrays keep the values alive).
        let wz = (0..<(outputs * batch)).map { e in wMant[(e % batch) * outputs + e / batch].z }
        let xz = (0..<(inputCount * batch)).map { e in xMant[(e % batch) * inputCount + e / batch].z }
        let out = (0..<(outputs * inputCount)).map { _ in BigInt() }
        let outZ = out.map(\.z)
        withExtendedLifetime((wMant, xMant, out)) {
            wz.withUnsafeBufferPointer { wb in
                xz.withUnsafeBufferPointer { xb in
                    outZ.withUnsafeBufferPointer { ob in
                        let w = wb.baseAddress!, x = xb.baseAddress!, o = ob.baseAddress!
                        Parallel.forRanges(count: outputs, grain: max(1, outputs / 16)) { js in
                            for j in js {
                                let wj = w + j * batch
                                for i in 0..<inputCount {
                                    let xi = x + i * batch
                                    let acc = o[j * inputCount + i]
                                    for b in 0..<batch where wj[b].pointee._mp_size != 0 {
                                        __gmpz_addmul(acc, wj[b], xi[b])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return DyadicMatrix(rows: outputs, columns: inputCount, mantissas: out, fracBits: fw + fx)
    }

    /// The exact gradient of fixed-point operands (raw losses B x K, scores B x K x J as sign bytes or raw noise,
    /// raw inputs B x I), with no rounding anywhere: what a wide-enough datapath must produce.
    public static func lrGradient<S: FixedWidthInteger>(
        datapath d: LRGradientDatapath, losses: [Int64], scores: [S],
        inputs: [Int64], batch: Int, copies: Int, outputs: Int,
        inputCount: Int
    ) -> DyadicMatrix {
        let scoreFormat = d.reduction.b
        var w = [BigInt]()
        w.reserveCapacity(batch * outputs)
        for b in 0..<batch {
            for j in 0..<outputs {
                let acc = BigInt(0)
                for k in 0..<copies {
                    let lv = BigInt(d.lossFormat.raw(fromBits: losses[b * copies + k]))
                    let sv = scores[(b * copies + k) * outputs + j]
                    let s: Int128
                    if case .sign = d.encoding {
                        s = sv == 0 ? 1 : -1
                    } else {
                        s = scoreFormat.raw(fromBits: Int64(truncatingIfNeeded: sv))
                    }
                    acc.formSumOfProduct(lv, BigInt(s))
                }
                w.append(acc)
            }
        }
        var out = [BigInt]()
        out.reserveCapacity(outputs * inputCount)
        for j in 0..<outputs {
            for i in 0..<inputCount {
                let acc = BigInt(0)
                for b in 0..<batch {
                    acc.formSumOfProduct(
                        w[b * outputs + j], BigInt(d.inputFormat.raw(fromBits: inputs[b * inputCount + i])))
                }
                out.append(acc)
            }
        }
        return DyadicMatrix(
            rows: outputs, columns: inputCount, mantissas: out,
            fracBits: d.lossFormat.fracBits + scoreFormat.fracBits + d.inputFormat.fracBits)
    }

    /// What the datapath computes, step by step on rationals: each w[b, j] through `macDatapath` with the reduction
    /// MAC, then each dW[j, i] through `macDatapath` with the outer MAC (raw results, row-major J x I). The stochastic
    /// words follow `LRGradientDatapath.gradient` (rows `stream.row` and `stream.row + 1`).
    public static func lrGradientDatapath<S: FixedWidthInteger>(
        datapath d: LRGradientDatapath, losses: [Int64],
        scores: [S], inputs: [Int64], batch: Int, copies: Int,
        outputs: Int, inputCount: Int,
        stochastic: StochasticStream = .default
    ) -> [Int128] {
        var w = [Int128](repeating: 0, count: batch * outputs)
        for b in 0..<batch {
            let l = (0..<copies).map { d.lossFormat.raw(fromBits: losses[b * copies + $0]) }
            for j in 0..<outputs {
                let s: [Int128] = (0..<copies).map { k in
                    let sv = scores[(b * copies + k) * outputs + j]
                    if case .sign = d.encoding { return sv == 0 ? 1 : -1 }
                    return d.reduction.b.raw(fromBits: Int64(truncatingIfNeeded: sv))
                }
                w[b * outputs + j] =
                    macDatapath(
                        a: l, b: s, mac: d.reduction, index: b * outputs + j,
                        random: { stochastic.word($0) }
                    ).output
            }
        }
        var second = stochastic
        second.row &+= 1
        var out = [Int128](repeating: 0, count: outputs * inputCount)
        for j in 0..<outputs {
            let wj = (0..<batch).map { w[$0 * outputs + j] }
            for i in 0..<inputCount {
                let xi = (0..<batch).map { d.inputFormat.raw(fromBits: inputs[$0 * inputCount + i]) }
                out[j * inputCount + i] =
                    macDatapath(
                        a: wj, b: xi, mac: d.outer, index: j * inputCount + i,
                        random: { second.word($0) }
                    ).output
            }
        }
        return out
    }
}
