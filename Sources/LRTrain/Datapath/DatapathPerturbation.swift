import FixedPoint
import LRCore

extension FixedPointDatapath {
    /// Layer-wise injection for one parametric layer: regenerate and quantize the noise, run the K noisy copies, form
    /// the baseline-subtracted losses and the gradient through `LRGradientDatapath`.
    /// An array of `count` elements whose contents the caller writes in full before reading any.
    static func uninitialized<T: BitwiseCopyable>(_: T.Type, _ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { _, n in n = count }
    }

    /// a - b for two raw values of a format with range `bounds` (at most 62 bits wide), when both and the difference
    /// lie in it: then `FixedArithmetic.subtract` into that format returns the difference unchanged in every mode (the
    /// exact sum has the format's fraction bits); nil otherwise.
    @inline(__always)
    static func exactDifference(_ a: Int128, _ b: Int128, bounds: ClosedRange<Int128>?) -> Int64? {
        guard let bounds, bounds.contains(a), bounds.contains(b), bounds.contains(a - b) else { return nil }
        return Int64(truncatingIfNeeded: a - b)
    }

    func perturb(
        position p: Int, slot: ParameterLayout.Slot, clean: ForwardResult, cleanLosses: [Int64], weights: [Int64],
        labels: [Int32], rows B: Int, step: Int
    ) throws -> DatapathLayerResult {
        let li = slot.layer
        guard case let .dense(I, D) = spec.layers[li], let acc = clean.accumulator(li),
            let (layerInput, inputFormat) = clean.layerInputs[li]
        else {
            throw DatapathError("layer \(li): the fixed-point datapath perturbs dense layers only")
        }
        let K = settings.copies[p]
        let signEncoded = Self.signEncoded(settings)
        let R = B * K
        // 1-3. The noisy copies: their scores (sign bytes or noise) and their losses (row b*K + k).
        let copies = try noisyCopies(
            position: p, layer: li, outputs: D, clean: clean, acc: acc, weights: weights, labels: labels, rows: B,
            step: step)
        let signs = copies.signs, eps = copies.noise, copyLosses = copies.losses
        // 4. Baseline subtraction in the loss format.
        let lc = formats.loss, lf = lc.format
        let lossBounds = lf.width <= 62 ? lf.rawMin...lf.rawMax : nil
        var diff = [Int64](repeating: 0, count: R)
        let bs = stream(step: step, layer: li, site: 1003)
        // Words b * K + k for the differences and R + b for the mean baselines, in one bulk call.
        let lossRandom = lc.rounding == .stochastic
        var bw = [UInt32](repeating: 0, count: lossRandom ? R + B : 0)
        if lossRandom { bw.withUnsafeMutableBufferPointer { bs.words(from: 0, count: R + B, into: $0.baseAddress!) } }
        for b in 0..<B {
            let base: Int128
            switch settings.baseline {
            case .clean: base = lf.raw(fromBits: cleanLosses[b])
            case .mean:
                var sum = 0.0
                for k in 0..<K { sum += FixedArithmetic.toDouble(lf.raw(fromBits: copyLosses[b * K + k]), format: lf) }
                base = FixedArithmetic.quantize(sum / Double(K), into: lc, random: lossRandom ? bw[R + b] : 0)
            case .none: base = 0
            }
            for k in 0..<K {
                let a = lf.raw(fromBits: copyLosses[b * K + k])
                // Both operands in the loss format: an in-range difference is exact, no rounding involved.
                if let d = Self.exactDifference(a, base, bounds: lossBounds) {
                    diff[b * K + k] = d
                    continue
                }
                let r: UInt32 = lossRandom ? bw[b * K + k] : 0
                diff[b * K + k] = Int64(
                    truncatingIfNeeded: try FixedArithmetic.subtract(a, lf, base, lf, into: lc, random: r))
            }
        }
        // 5. The stored layer input in the inputs format, and the gradient datapath.
        let inputs: [Int64]
        if inputFormat == formats.inputs.format {
            inputs = layerInput
        } else {
            let ic = formats.inputs, rs = stream(step: step, layer: li, site: 1004)
            inputs = layerInput.enumerated().map { i, v in
                Int64(
                    truncatingIfNeeded: FixedArithmetic.quantize(
                        inputFormat.raw(fromBits: v), fracBits: inputFormat.fracBits, into: ic,
                        random: ic.rounding == .stochastic ? rs.word(i) : 0))
            }
        }
        var dW = Self.uninitialized(Int64.self, D * I)  // the gradient datapath writes every element
        var db = [Int64](repeating: 0, count: D)
        let ones = [Int64](repeating: 1, count: B)
        try diff.withUnsafeBufferPointer { L in
            try dW.withUnsafeMutableBufferPointer { out in
                try inputs.withUnsafeBufferPointer { x in
                    if signEncoded {
                        try signs.withUnsafeBufferPointer {
                            try gradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: I,
                                into: out, stochastic: stream(step: step, layer: li, site: 1005))
                        }
                    } else {
                        try eps.withUnsafeBufferPointer {
                            try gradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: I,
                                into: out, stochastic: stream(step: step, layer: li, site: 1005))
                        }
                    }
                }
            }
            try db.withUnsafeMutableBufferPointer { out in
                try ones.withUnsafeBufferPointer { x in
                    if signEncoded {
                        try signs.withUnsafeBufferPointer {
                            try biasGradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: 1,
                                into: out, stochastic: stream(step: step, layer: li, site: 1007))
                        }
                    } else {
                        try eps.withUnsafeBufferPointer {
                            try biasGradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: 1,
                                into: out, stochastic: stream(step: step, layer: li, site: 1007))
                        }
                    }
                }
            }
        }
        let gf = formats.gradients.format
        return DatapathLayerResult(
            layer: li, position: p, outputs: D, inputCount: I, copies: K,
            weightGradientRaw: dW, biasGradientRaw: db, gradientFormat: gf,
            copyLosses: copyLosses, lossOperands: diff, signs: signs,
            noise: signEncoded ? [] : eps, inputs: inputs,
            scale: scoreScale(position: p) / Double(B * K))
    }
}
