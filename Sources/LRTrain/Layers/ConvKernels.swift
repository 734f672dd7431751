import LRCore

/// 2-D convolution (cross-correlation, NCHW, square kernels) by im2col + one BLAS GEMM per batch.
///
/// Layout: a batch of `rows` samples is [rows, C, H, W]; `cols` is [rows * P, C*k*k] with P = OH*OW output pixels, so
/// the forward GEMM is cols x W^T -> [rows * P, OC] ("pixel-major"), transposed into [rows, OC, P] afterwards. The same
/// pixel-major layout serves both gradients: dW = delta^T cols and dcols = delta W.
public struct ConvGeometry: Sendable {
    public let spec: ConvSpec
    public let height: Int, width: Int
    public let outHeight: Int, outWidth: Int

    public init(_ spec: ConvSpec, inputShape: [Int]) {
        self.spec = spec
        height = inputShape[1]; width = inputShape[2]
        outHeight = spec.outputSize(height); outWidth = spec.outputSize(width)
    }

    @inlinable public var pixels: Int { outHeight &* outWidth }
    @inlinable public var patch: Int { spec.inChannels &* spec.kernel &* spec.kernel }
    @inlinable public var inputSize: Int { spec.inChannels &* height &* width }
    @inlinable public var outputSize: Int { spec.outChannels &* pixels }
}

public enum ConvKernels {
    /// cols[rows*P, C*k*k] from x[rows, C, H, W] (zero padding).
    @inlinable
    public static func im2col(_ g: ConvGeometry, x: UnsafePointer<Float>, rows: Int, cols: UnsafeMutablePointer<Float>)
    {
        let k = g.spec.kernel, s = g.spec.stride, pad = g.spec.padding
        let C = g.spec.inChannels, H = g.height, W = g.width
        let P = g.pixels, patch = g.patch, OW = g.outWidth
        Parallel.forRanges(count: rows, grain: max(1, 4096 / max(1, P))) { range in
            for r in range {
                let xs = x + r &* g.inputSize
                for p in 0..<P {
                    let oy = p / OW, ox = p &- oy &* OW
                    let dst = cols + (r &* P &+ p) &* patch
                    var q = 0
                    for c in 0..<C {
                        let plane = xs + c &* H &* W
                        for ky in 0..<k {
                            let iy = oy &* s &+ ky &- pad
                            if iy < 0 || iy >= H {
                                for _ in 0..<k { dst[q] = 0; q &+= 1 }
                                continue
                            }
                            let line = plane + iy &* W
                            for kx in 0..<k {
                                let ix = ox &* s &+ kx &- pad
                                dst[q] = (ix >= 0 && ix < W) ? line[ix] : 0
                                q &+= 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// dx[rows, C, H, W] = sum of dcols patches (the adjoint of im2col).
    @inlinable
    public static func col2im(
        _ g: ConvGeometry, dcols: UnsafePointer<Float>, rows: Int, dx: UnsafeMutablePointer<Float>
    ) {
        let k = g.spec.kernel, s = g.spec.stride, pad = g.spec.padding
        let C = g.spec.inChannels, H = g.height, W = g.width
        let P = g.pixels, patch = g.patch, OW = g.outWidth
        Parallel.forRanges(count: rows, grain: max(1, 4096 / max(1, P))) { range in
            for r in range {
                let xs = dx + r &* g.inputSize
                xs.update(repeating: 0, count: g.inputSize)
                for p in 0..<P {
                    let oy = p / OW, ox = p &- oy &* OW
                    let src = dcols + (r &* P &+ p) &* patch
                    var q = 0
                    for c in 0..<C {
                        let plane = xs + c &* H &* W
                        for ky in 0..<k {
                            let iy = oy &* s &+ ky &- pad
                            if iy < 0 || iy >= H { q &+= k; continue }
                            for kx in 0..<k {
                                let ix = ox &* s &+ kx &- pad
                                if ix >= 0 && ix < W { plane[iy &* W &+ ix] += src[q] }
                                q &+= 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// [rows*P, OC] (pixel-major) <-> [rows, OC, P] (channel-major, NCHW).
    @inlinable
    public static func pixelMajorToNCHW(
        _ src: UnsafePointer<Float>, rows: Int, pixels P: Int, channels OC: Int,
        bias: UnsafePointer<Float>?, dst: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(count: rows, grain: max(1, 8192 / max(1, P &* OC))) { range in
            for r in range {
                let s = src + r &* P &* OC, d = dst + r &* P &* OC
                for c in 0..<OC {
                    let b = bias?[c] ?? 0
                    let dc = d + c &* P
                    for p in 0..<P { dc[p] = s[p &* OC &+ c] + b }
                }
            }
        }
    }

    @inlinable
    public static func nchwToPixelMajor(
        _ src: UnsafePointer<Float>, rows: Int, pixels P: Int, channels OC: Int,
        dst: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(count: rows, grain: max(1, 8192 / max(1, P &* OC))) { range in
            for r in range {
                let s = src + r &* P &* OC, d = dst + r &* P &* OC
                for c in 0..<OC {
                    let sc = s + c &* P
                    for p in 0..<P { d[p &* OC &+ c] = sc[p] }
                }
            }
        }
    }

    /// y[rows, OC, P] = conv(x) + b. `cols` must hold rows*P*patch floats, `tmp` rows*P*OC.
    @inlinable
    public static func forward(
        _ g: ConvGeometry, x: UnsafePointer<Float>, rows: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        cols: UnsafeMutablePointer<Float>, tmp: UnsafeMutablePointer<Float>,
        y: UnsafeMutablePointer<Float>
    ) {
        im2col(g, x: x, rows: rows, cols: cols)
        BLAS.sgemm(
            transB: true, m: rows &* g.pixels, n: g.spec.outChannels, k: g.patch, a: cols, lda: g.patch,
            b: weight, ldb: g.patch, beta: 0, c: tmp, ldc: g.spec.outChannels)
        pixelMajorToNCHW(tmp, rows: rows, pixels: g.pixels, channels: g.spec.outChannels, bias: bias, dst: y)
    }

    /// dW[OC, patch] += scale * delta^T cols, db += scale * sum(delta), for a pixel-major delta [rows*P, OC]; with
    /// `accumulate: false` the sums are stored instead of added.
    @inlinable
    public static func weightGradient(
        _ g: ConvGeometry, cols: UnsafePointer<Float>, deltaPixelMajor d: UnsafePointer<Float>,
        rows: Int, scale: Float,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        accumulate: Bool = true
    ) {
        let OC = g.spec.outChannels
        BLAS.sgemm(
            transA: true, m: OC, n: g.patch, k: rows &* g.pixels, alpha: scale, a: d, lda: OC,
            b: cols, ldb: g.patch, beta: accumulate ? 1 : 0, c: dWeight, ldc: g.patch)
        if !accumulate { dBias.update(repeating: 0, count: OC) }
        let n = rows &* g.pixels
        for i in 0..<n {
            let row = d + i &* OC
            for c in 0..<OC { dBias[c] += scale * row[c] }
        }
    }
}
