import LRCore

/// Max and average pooling over [rows, C, H, W]. Max pooling records the winning input index for backprop.
public enum PoolKernels {
    @inlinable
    public static func forward(
        kind: PoolKind, size: Int, stride: Int, channels C: Int, height H: Int, width W: Int,
        x: UnsafePointer<Float>, rows: Int, y: UnsafeMutablePointer<Float>,
        argmax: UnsafeMutablePointer<Int32>?
    ) {
        let OH = (H - size) / stride + 1, OW = (W - size) / stride + 1
        let inSize = C &* H &* W, outSize = C &* OH &* OW
        let inv = 1 / Float(size &* size)
        Parallel.forRanges(count: rows, grain: max(1, 16384 / max(1, inSize))) { range in
            for r in range {
                let xs = x + r &* inSize, ys = y + r &* outSize
                for c in 0..<C {
                    for oy in 0..<OH {
                        for ox in 0..<OW {
                            let o = (c &* OH &+ oy) &* OW &+ ox
                            var best = -Float.infinity, bestIndex = 0, sum: Float = 0
                            for ky in 0..<size {
                                for kx in 0..<size {
                                    let i = (c &* H &+ oy &* stride &+ ky) &* W &+ ox &* stride &+ kx
                                    let v = xs[i]
                                    sum += v
                                    if v > best { best = v; bestIndex = i }
                                }
                            }
                            if kind == .max {
                                ys[o] = best
                                argmax?[r &* outSize &+ o] = Int32(truncatingIfNeeded: bestIndex)
                            } else {
                                ys[o] = sum * inv
                            }
                        }
                    }
                }
            }
        }
    }

    @inlinable
    public static func backward(
        kind: PoolKind, size: Int, stride: Int, channels C: Int, height H: Int, width W: Int,
        dy: UnsafePointer<Float>, rows: Int, argmax: UnsafePointer<Int32>?,
        dx: UnsafeMutablePointer<Float>
    ) {
        let OH = (H - size) / stride + 1, OW = (W - size) / stride + 1
        let inSize = C &* H &* W, outSize = C &* OH &* OW
        let inv = 1 / Float(size &* size)
        Parallel.forRanges(count: rows, grain: max(1, 16384 / max(1, inSize))) { range in
            for r in range {
                let dxs = dx + r &* inSize, dys = dy + r &* outSize
                dxs.update(repeating: 0, count: inSize)
                for c in 0..<C {
                    for oy in 0..<OH {
                        for ox in 0..<OW {
                            let o = (c &* OH &+ oy) &* OW &+ ox
                            if kind == .max, let argmax {
                                dxs[Int(argmax[r &* outSize &+ o])] += dys[o]
                            } else {
                                for ky in 0..<size {
                                    for kx in 0..<size {
                                        dxs[(c &* H &+ oy &* stride &+ ky) &* W &+ ox &* stride &+ kx] += dys[o] * inv
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
