// Wall-clock check of the fixed-point kernels outside the ordo-one harness (its malloc interposer and bookkeeping
// slow short kernels):
// - the integer peak of each instruction set: a probe of independent multiply-adds (vpdpwssd zmm, vpmaddwd ymm,
//   scalar) on every core, i.e. cores x clock x int16 MACs per cycle, measured rather than looked up;
// - int16 x int16 -> int32 wrapping GEMM 1024^3 per instruction set on 1 and 2 threads;
// - 8-bit datapath GEMMs 1024^3 through FixedMAC.gemm: exact int8 products (s8.0 x s8.0, 32-bit WRAP accumulator)
//   and edge.toml's rounded products (s4.4 x s2.6 -> s8.8 RND_CONV, 32-bit WRAP);
// - quantize f32 -> s3.12 on 1 thread.
// On a shared machine wall time says how much of a core the process got; the rates per CPU-second (process CPU time,
// CLOCK_PROCESS_CPUTIME_ID) are the load-independent figures (`per CPU-s`).
//   swift run -c release FixedPointMeasure
import FixedPoint
import LRCore
import Foundation

nonisolated func cpuNow() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Best wall time and best process CPU time of `body` over `repeats` runs.
func measure(_ repeats: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    var wall = Double.infinity, cpu = Double.infinity
    for _ in 0..<repeats {
        let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuNow()
        try body()
        wall = min(wall, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        cpu = min(cpu, cpuNow() - c0)
    }
    return (wall, cpu)
}

func rates(_ work: Double, _ t: (wall: Double, cpu: Double)) -> String {
    String(format: "%.1f G/s wall, %.1f G per CPU-s", work / t.wall / 1e9, work / t.cpu / 1e9)
}

print("instruction sets: \(IntKernelISA.supported.map(\.description).joined(separator: ", ")) (best \(IntKernelISA.best))")
/// The probe on `threads` cores (nonisolated: its closure runs on worker threads).
nonisolated func probe(_ isa: IntKernelISA, threads: Int, iterations: Int) {
    Parallel.forEach(chunks: threads) { _ in
        if isa.peakProbe(iterations: iterations).check == 42 { print("") }
    }
}
for isa in IntKernelISA.supported {
    for threads in [1, 2] {
        let iterations = isa == .scalar ? 20_000_000 : 50_000_000
        let macs = Double(isa.peakProbe(iterations: 1).macs * iterations * threads)
        print("peak probe \(isa), \(threads) thread(s): \(rates(macs, measure(5) { probe(isa, threads: threads, iterations: iterations) })) int16 MAC")
    }
}

let n = 1024
var a = [Int16](repeating: 0, count: n * n), b = a
for i in 0..<(n * n) { a[i] = Int16(truncatingIfNeeded: i &* 7919 &+ 13); b[i] = Int16(truncatingIfNeeded: i &* 104_729 &+ 7) }
var c = [Int32](repeating: 0, count: n * n)
for isa in IntKernelISA.supported where isa != .scalar {
    for threads in [1, 2] {
        Parallel.threads = threads
        let t = try measure(5) {
            try a.withUnsafeBufferPointer { pa in try b.withUnsafeBufferPointer { pb in try c.withUnsafeMutableBufferPointer {
                try FixedKernels.gemmInt16Wrapping(a: pa, b: pb, m: n, n: n, k: n, into: $0, isa: isa) } } }
        }
        print("int16 GEMM 1024^3 \(isa), \(threads) thread(s): \(rates(Double(n * n * n), t)) MAC")
    }
}

// 8-bit datapaths through FixedMAC.gemm (packing, int32 sums, write-back included), 2 threads.
Parallel.threads = 2
func datapathGEMM(_ name: String, _ fa: String, _ fb: String, product: FixedConfig) throws {
    let af = try FixedFormat.parse(fa), bf = try FixedFormat.parse(fb)
    let acc = FixedConfig(try FixedFormat(signed: true, intBits: 32 - product.format.fracBits, fracBits: product.format.fracBits),
                          overflow: .wrap)
    let mac = try FixedMAC(a: af, b: bf, config: MACConfig(product: product, accumulator: acc, output: acc))
    let x = (0..<(n * n)).map { Int8(truncatingIfNeeded: $0 &* 7919 &+ 13) }
    let y = (0..<(n * n)).map { Int8(truncatingIfNeeded: $0 &* 104_729 &+ 7) }
    var out = [Int32](repeating: 0, count: n * n)
    for isa in IntKernelISA.supported where isa != .scalar {
        let t = try measure(3) {
            try x.withUnsafeBufferPointer { px in try y.withUnsafeBufferPointer { py in try out.withUnsafeMutableBufferPointer {
                try mac.gemm(a: px, MatrixLayout(rows: n, columns: n), b: py, MatrixLayout(rows: n, columns: n), into: $0, isa: isa)
            } } }
        }
        print("\(name) GEMM 1024^3 \(isa), 2 threads (int\(mac.integerKernelLanes(terms: n) ?? 0) lanes): \(rates(Double(n * n * n), t)) MAC")
    }
}
try datapathGEMM("int8 exact (s8.0 x s8.0)", "s8.0", "s8.0",
                 product: FixedConfig(try FixedFormat.parse("s16.0"), overflow: .wrap))
try datapathGEMM("edge rounded (s4.4 x s2.6 -> s8.8 RND_CONV)", "s4.4", "s2.6",
                 product: FixedConfig(try FixedFormat.parse("s8.8"), rounding: .roundHalfToEven, overflow: .wrap))

// Quantize f32 -> s3.12 RND_CONV SAT, 1 thread, 16 M elements.
Parallel.threads = 1
let m = 1 << 24
let xs = (0..<m).map { Float($0 % 9973) / 1000 - 5 }
let cfg = FixedConfig(try FixedFormat.parse("s3.12"), rounding: .roundHalfToEven, overflow: .saturate)
var q = [Int16](repeating: 0, count: m)
let tq = try measure(5) {
    try xs.withUnsafeBufferPointer { px in try q.withUnsafeMutableBufferPointer { try FixedKernels.quantize(px, into: $0, config: cfg) } }
}
print("quantize s3.12 RND_CONV SAT, 1 thread: \(rates(Double(m), tq)) elements")
