import Foundation

/// Fork-join parallelism with deterministic results: work is split into chunks whose boundaries depend only on the
/// problem size (never on the thread count), each chunk writes its own outputs, and reductions combine chunk results in
/// chunk order. Regions run on `WorkerPool`'s persistent threads (a libdispatch `concurrentPerform` cost 3-9 us per
/// region to wake its workers).
public enum Parallel {
    /// Worker count: `LRSIM_THREADS` if set, else the number of active cores.
    nonisolated(unsafe) public static var threads: Int = {
        if let s = ProcessInfo.processInfo.environment["LRSIM_THREADS"], let n = Int(s), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    /// Runs `body(chunk)` for chunk in 0..<chunks, on up to `threads` workers.
    @inlinable
    public static func forEach(chunks: Int, _ body: (Int) -> Void) {
        if chunks <= 0 { return }
        let workers = min(threads, chunks)
        if workers <= 1 {
            for c in 0..<chunks { body(c) }
            return
        }
        WorkerPool.shared.run(chunks: chunks, workers: workers, body)
    }

    /// Splits `0..<count` into ranges of at least `grain` elements (boundaries fixed by count and grain only).
    @inlinable
    public static func forRanges(count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let g = max(1, grain)
        let chunks = (count + g - 1) / g
        forEach(chunks: chunks) { c in
            let lo = c * g
            body(lo..<min(count, lo + g))
        }
    }

    /// Splits `0..<count` into a power of two (at most `maximumChunks`) of equal ranges, each a multiple of 16 long
    /// (but the last) and at least `minimum` long; boundaries depend on `count` alone. Equal halves line up with
    /// `BLAS.sgemm`'s two panels of a weight matrix, and chunk c always runs on worker c mod workers, so a region over
    /// a weight matrix then mostly touches rows the same core just computed (likely still in its cache).
    @inlinable
    public static func forEqualRanges(count: Int, minimum: Int, maximumChunks: Int = 4, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let limit = max(1, min(maximumChunks, count / max(1, minimum)))
        var chunks = 1
        while chunks &* 2 <= limit { chunks &*= 2 }
        let width = ((count + chunks - 1) / chunks + 15) & ~15
        forEach(chunks: (count + width - 1) / width) { c in
            let lo = c &* width
            body(lo..<min(count, lo &+ width))
        }
    }
}
