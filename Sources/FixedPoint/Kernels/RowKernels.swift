import CIntKernels

extension FixedKernels {
    /// `out[i] = (x[i] < 0 ? 1 : 0) ^ flip` for i < count: the sign bytes of a noise row (1 = -1, flip 1 for an
    /// antithetic copy), vectorised for this machine.
    @inlinable
    public static func signBytes(
        _ x: UnsafePointer<Float>, count: Int, flip: Bool, into out: UnsafeMutablePointer<UInt8>,
        isa: IntKernelISA = .preferred
    ) {
        lrsim_sign_bytes(isa.rawValue, x, count, flip ? 1 : 0, out)
    }

    /// `x[i] = max(x[i], 0)` for i < count, in place: a relu on raw values, vectorised for this machine.
    @inlinable
    public static func relu(_ x: UnsafeMutablePointer<Int64>, count: Int, isa: IntKernelISA = .preferred) {
        lrsim_relu64(isa.rawValue, x, count)
    }
}
