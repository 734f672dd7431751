import LRCore
import RealModule

/// Softmax cross-entropy on logits, computed stably (max subtracted) per row.
public enum SoftmaxCrossEntropy {
    /// loss[r] = -log softmax(logits[r])[label(r)] where label(r) = labels[r / copiesPerLabel].
    @inlinable
    public static func losses(
        logits: UnsafePointer<Float>, rows: Int, classes: Int,
        labels: UnsafePointer<Int32>, copiesPerLabel: Int,
        out: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(count: rows, grain: 2048) { range in
            for r in range {
                let z = logits + r &* classes
                var m = z[0]
                for j in 1..<classes { m = max(m, z[j]) }
                var s: Float = 0
                for j in 0..<classes { s += Float.exp(z[j] - m) }
                let y = Int(labels[r / copiesPerLabel])
                out[r] = (Float.log(s) + m) - z[y]
            }
        }
    }

    /// dlogits[r] = (softmax(z_r) - onehot(y_r)) * scale.
    @inlinable
    public static func gradient(
        logits: UnsafePointer<Float>, rows: Int, classes: Int, labels: UnsafePointer<Int32>,
        scale: Float, out: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let z = logits + r &* classes, g = out + r &* classes
            var m = z[0]
            for j in 1..<classes { m = max(m, z[j]) }
            var s: Float = 0
            for j in 0..<classes { let e = Float.exp(z[j] - m); g[j] = e; s += e }
            let inv = 1 / s
            for j in 0..<classes { g[j] *= inv * scale }
            g[Int(labels[r])] -= scale
        }
    }

    /// Index of the largest logit per row.
    @inlinable
    public static func argmax(logits: UnsafePointer<Float>, row r: Int, classes: Int) -> Int {
        let z = logits + r &* classes
        var best = 0
        for j in 1..<classes where z[j] > z[best] { best = j }
        return best
    }
}
