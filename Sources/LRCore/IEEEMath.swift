import CLRShims

/// Correctly rounded IEEE operations that stay vectorizable inside hot loops.
public enum IEEEMath {
    /// Square root, bit-identical to `x.squareRoot()`, but lowered to `llvm.sqrt` so loops containing it vectorize
    /// (Swift's own lowering keeps an errno-setting libcall path that blocks the loop vectorizer).
    @inlinable @inline(__always)
    public static func sqrt(_ x: Float) -> Float { lrsim_sqrtf(x) }

    @inlinable @inline(__always)
    public static func sqrt(_ x: Double) -> Double { lrsim_sqrt(x) }
}
