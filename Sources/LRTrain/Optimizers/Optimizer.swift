import LRCore

/// Optimizer choice and hyper-parameters.
public enum OptimizerKind: String, Sendable, Codable, CaseIterable { case adam, sgd }

/// First-order optimizers over the flat parameter vector. State is plain arrays so checkpoints restore it exactly.
public struct Optimizer: Sendable, Codable, Equatable {
    public var kind: OptimizerKind
    public var learningRate: Float
    public var momentum: Float
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0
    /// Number of updates applied so far (Adam's bias correction).
    public private(set) var steps: Int = 0
    /// Adam: first and second moments. SGD: velocity in `first`.
    public private(set) var first: [Float] = []
    public private(set) var second: [Float] = []

    public init(kind: OptimizerKind, learningRate: Float, momentum: Float = 0.9, parameterCount: Int) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        first = [Float](repeating: 0, count: parameterCount)
        if kind == .adam { second = [Float](repeating: 0, count: parameterCount) }
    }

    /// Restores state saved in a checkpoint.
    public mutating func restore(steps: Int, first: [Float], second: [Float]) {
        self.steps = steps; self.first = first; self.second = second
    }

    /// theta -= update(gradient).
    public mutating func apply(gradient: UnsafePointer<Float>, to parameters: inout [Float]) {
        steps += 1
        let n = parameters.count
        let lr = learningRate, wd = weightDecay
        switch kind {
        case .sgd:
            let mu = momentum
            parameters.withUnsafeMutableBufferPointer { p in
                first.withUnsafeMutableBufferPointer { vel in
                    let p = p.baseAddress!, vel = vel.baseAddress!
                    Parallel.forRanges(count: n, grain: 1 << 16) { r in
                        for i in r {
                            let g = gradient[i] + wd * p[i]
                            vel[i] = mu * vel[i] + g
                            p[i] -= lr * vel[i]
                        }
                    }
                }
            }
        case .adam:
            let b1 = beta1, b2 = beta2, eps = epsilon
            // Bias corrections in double, rounded once: identical on every thread split.
            let c1 = Float(1 - pow(Double(b1), Double(steps)))
            let c2 = Float(1 - pow(Double(b2), Double(steps)))
            let stepSize = lr / c1
            let c2root = c2.squareRoot()
            parameters.withUnsafeMutableBufferPointer { p in
                first.withUnsafeMutableBufferPointer { m in
                    second.withUnsafeMutableBufferPointer { v in
                        let p = p.baseAddress!, m = m.baseAddress!, v = v.baseAddress!
                        Parallel.forRanges(count: n, grain: 1 << 16) { r in
                            Self.adam(p: p, m: m, v: v, g: gradient, range: r, b1: b1, b2: b2, eps: eps, wd: wd,
                                      stepSize: stepSize, c2root: c2root)
                        }
                    }
                }
            }
        }
    }

    /// The Adam update over `range`, eight lanes at a time (AVX2), then the scalar tail. Lane arithmetic is IEEE
    /// single precision in the same order as the scalar tail, so the split point does not change any result.
    @inline(__always)
    static func adam(p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                     g gradient: UnsafePointer<Float>, range r: Range<Int>, b1: Float, b2: Float, eps: Float, wd: Float,
                     stepSize: Float, c2root: Float) {
        typealias V = SIMD8<Float>
        var i = r.lowerBound
        let vb1 = V(repeating: b1), vb2 = V(repeating: b2), va1 = V(repeating: 1 - b1), va2 = V(repeating: 1 - b2)
        let vwd = V(repeating: wd), vstep = V(repeating: stepSize), vc2 = V(repeating: c2root), veps = V(repeating: eps)
        while i &+ 8 <= r.upperBound {
            let pp = UnsafeMutableRawPointer(p + i), mp = UnsafeMutableRawPointer(m + i), vp = UnsafeMutableRawPointer(v + i)
            let pv = pp.loadUnaligned(as: V.self)
            let gv = UnsafeRawPointer(gradient + i).loadUnaligned(as: V.self) + vwd * pv
            let mv = vb1 * mp.loadUnaligned(as: V.self) + va1 * gv
            let vv = vb2 * vp.loadUnaligned(as: V.self) + va2 * gv * gv
            mp.storeBytes(of: mv, as: V.self)
            vp.storeBytes(of: vv, as: V.self)
            pp.storeBytes(of: pv - vstep * mv / (vv.squareRoot() / vc2 + veps), as: V.self)
            i &+= 8
        }
        while i < r.upperBound {
            let g = gradient[i] + wd * p[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            p[i] -= stepSize * m[i] / (v[i].squareRoot() / c2root + eps)
            i &+= 1
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
