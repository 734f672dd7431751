import LRCore
import RealModule

/// Elementwise nonlinearities and their derivatives. `step` has derivative zero everywhere (its true derivative almost
/// everywhere), which is why backprop cannot train through it and LR can.
public enum ActivationKernels {
    @inlinable
    public static func forward(_ a: Activation, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.forRanges(count: count, grain: 1 << 16) { r in
            switch a {
            case .relu: for i in r { y[i] = max(x[i], 0) }
            case .tanh: for i in r { y[i] = Float.tanh(x[i]) }
            case .sigmoid: for i in r { y[i] = 1 / (1 + Float.exp(-x[i])) }
            case .step: for i in r { y[i] = x[i] > 0 ? 1 : 0 }
            case .identity: for i in r { y[i] = x[i] }
            }
        }
    }

    /// In place on one row, single-threaded (callers are already inside a parallel loop).
    @inlinable
    public static func apply(_ a: Activation, _ x: UnsafeMutablePointer<Float>, count: Int) {
        switch a {
        case .relu: for i in 0..<count { x[i] = max(x[i], 0) }
        case .tanh: for i in 0..<count { x[i] = Float.tanh(x[i]) }
        case .sigmoid: for i in 0..<count { x[i] = 1 / (1 + Float.exp(-x[i])) }
        case .step: for i in 0..<count { x[i] = x[i] > 0 ? 1 : 0 }
        case .identity: break
        }
    }

    /// dx = dy * f'(x), using the saved input x and output y.
    @inlinable
    public static func backward(
        _ a: Activation, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
        dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forRanges(count: count, grain: 1 << 16) { r in
            switch a {
            case .relu: for i in r { dx[i] = x[i] > 0 ? dy[i] : 0 }
            case .tanh: for i in r { dx[i] = dy[i] * (1 - y[i] * y[i]) }
            case .sigmoid: for i in r { dx[i] = dy[i] * y[i] * (1 - y[i]) }
            case .step: for i in r { dx[i] = 0 }
            case .identity: for i in r { dx[i] = dy[i] }
            }
        }
    }
}
