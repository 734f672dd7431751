// Wall-clock check of the fixed-point targets outside the ordo-one harness (its malloc interposer and
// bookkeeping slow short kernels): int16 GEMM 1024^3 on 1 and 2 threads, quantize f32 -> s3.12 on 1 thread.
//   swift run -c release FixedPointMeasure
import FixedPoint
import LRCore
import Foundation

// int16 x int16 -> int32 wrapping GEMM, 1024^3, best of N wall-clock, on Parallel.threads workers.
let n = 1024
var a = [Int16](repeating: 0, count: n * n), b = a
for i in 0..<(n * n) { a[i] = Int16(truncatingIfNeeded: i &* 7919 &+ 13); b[i] = Int16(truncatingIfNeeded: i &* 104_729 &+ 7) }
var c = [Int32](repeating: 0, count: n * n)
for threads in [1, 2] {
    Parallel.threads = threads
    var best = Double.infinity
    for _ in 0..<7 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try a.withUnsafeBufferPointer { pa in try b.withUnsafeBufferPointer { pb in try c.withUnsafeMutableBufferPointer {
            try FixedKernels.gemmInt16Wrapping(a: pa, b: pb, m: n, n: n, k: n, into: $0) } } }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    }
    print("threads \(threads): best \(String(format: "%.4f", best)) s, \(String(format: "%.1f", Double(n * n * n) / best / 1e9)) G MAC/s")
}
// Quantize f32 -> s3.12 RND_CONV SAT, 1 thread, 16 M elements.
Parallel.threads = 1
let m = 1 << 24
let xs = (0..<m).map { Float($0 % 9973) / 1000 - 5 }
let cfg = FixedConfig(try FixedFormat.parse("s3.12"), rounding: .roundHalfToEven, overflow: .saturate)
var bestQ = Double.infinity
var q = [Int16](repeating: 0, count: m)
for _ in 0..<5 {
    let t0 = DispatchTime.now().uptimeNanoseconds
    try xs.withUnsafeBufferPointer { px in try q.withUnsafeMutableBufferPointer {
        try FixedKernels.quantize(px, into: $0, config: cfg) } }
    bestQ = min(bestQ, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
}
print("quantize s3.12 RND_CONV SAT, 1 thread: \(String(format: "%.0f", Double(m) / bestQ / 1e6)) M elements/s")
