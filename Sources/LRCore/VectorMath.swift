/// Small, allocation-free reductions used by estimators and tests.
public enum VectorMath {
    /// Dot product in double precision (for diagnostics such as cosine similarity, not hot paths).
    @inlinable
    public static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        precondition(a.count == b.count)
        var s = 0.0
        for i in 0..<a.count { s += Double(a[i]) * Double(b[i]) }
        return s
    }

    /// Cosine similarity in double precision; 0 when either vector is zero. The one cosine of the project (gradient
    /// checks, trace verification, replay, the rnn/snn/gnn gradient checks).
    public static func cosine(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Double {
        let ab = dot(a, b), aa = dot(a, a), bb = dot(b, b)
        return (aa == 0 || bb == 0) ? 0 : ab / (aa.squareRoot() * bb.squareRoot())
    }

    /// Cosine similarity of two arrays (see the buffer form).
    public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in cosine(pa, pb) } }
    }

    public static func norm(_ a: [Float]) -> Double {
        a.withUnsafeBufferPointer { dot($0, $0).squareRoot() }
    }
}
