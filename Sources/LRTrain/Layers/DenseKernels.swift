import LRCore

/// Fully connected layer y = W x + b on row-major batches. W is [outputs, inputs].
public enum DenseKernels {
    /// Y[rows, out] = X[rows, in] * W^T + b.
    @inlinable
    public static func forward(
        x: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows { (y + r &* outputs).update(from: bias, count: outputs) }
        BLAS.sgemm(
            transB: true, m: rows, n: outputs, k: inputs, a: x, lda: inputs, b: weight, ldb: inputs,
            beta: 1, c: y, ldc: outputs)
    }

    /// dW[out, in] += scale * dY^T X ; db[out] += scale * sum_rows dY. With `accumulate: false` the sums are stored
    /// instead of added (the GEMM then clears its own panels of dW, on every core, instead of the caller zeroing first).
    @inlinable
    public static func weightGradient(
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>, rows: Int,
        inputs: Int, outputs: Int, scale: Float,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        accumulate: Bool = true
    ) {
        BLAS.sgemm(
            transA: true, m: outputs, n: inputs, k: rows, alpha: scale, a: dy, lda: outputs, b: x, ldb: inputs,
            beta: accumulate ? 1 : 0, c: dWeight, ldc: inputs)
        if !accumulate { dBias.update(repeating: 0, count: outputs) }
        for r in 0..<rows {
            let row = dy + r &* outputs
            for j in 0..<outputs { dBias[j] += scale * row[j] }
        }
    }

    /// dX[rows, in] = dY[rows, out] * W.
    @inlinable
    public static func inputGradient(
        dy: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
        weight: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
    ) {
        BLAS.sgemm(
            m: rows, n: inputs, k: outputs, a: dy, lda: outputs, b: weight, ldb: inputs, beta: 0, c: dx, ldc: inputs)
    }
}
