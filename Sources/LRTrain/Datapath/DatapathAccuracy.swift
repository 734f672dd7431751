import FixedPoint
import LRCore

extension FixedPointDatapath {
    /// Test accuracy of raw weights through the fixed-point forward (argmax of the datapath's logits).
    public func accuracy(weights: [Int64], images: [Float], labels: [Int32], batch: Int = 1000) throws -> Double {
        let n = labels.count, F = spec.inputCount, C = spec.outputCount
        guard n > 0, images.count == n * F else {
            throw DatapathError("accuracy: expected \(n) x \(F) image values, got \(images.count)")
        }
        var correct = 0
        var start = 0
        while start < n {
            let m = min(batch, n - start)
            let x = try FixedKernels.quantize(Array(images[(start * F)..<((start + m) * F)]), config: formats.inputs)
            let z = try forward(from: 0, input: x, rows: m, weights: weights, step: 0, site: 0, keep: false).output
            let f = formats.activations.format
            for r in 0..<m {
                var best = 0
                for j in 1..<C where f.raw(fromBits: z[r * C + j]) > f.raw(fromBits: z[r * C + best]) { best = j }
                if best == Int(labels[start + r]) { correct += 1 }
            }
            start += m
        }
        return Double(correct) / Double(n)
    }
}
