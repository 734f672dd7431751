import Foundation

/// Fork-join parallelism with deterministic results: work is split into chunks whose boundaries depend only on the
/// problem size (never on the thread count), each chunk writes its own outputs, and reductions combine chunk results in
/// chunk order. Regions run on `WorkerPool`'s persistent threads (a libdispatch `concurrentPerform` cost 3-9 us per
/// region to wake its workers).
public enum Parallel {
    /// Worker count: `LRSIM_THREADS` if set (clamped to 1...`maximumThreads`; the command line refuses other values),
    /// else the number of active cores.
    nonisolated(unsafe) public static var threads: Int = {
        if let s = ProcessInfo.processInfo.environment["LRSIM_THREADS"],
            let n = Int(s.trimmingCharacters(in: .whitespaces))
        {
            return min(max(n, 1), maximumThreads)
        }
        return ProcessInfo.processInfo.activeProcessorCount
    }()

    /// The most workers `LRSIM_THREADS` may ask for.
    public static let maximumThreads = 256

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
        let split = equalSplit(extent: count, limit: min(maximumChunks, count / max(1, minimum)))
        forEach(chunks: split.count) { c in
            let lo = c &* split.width
            body(lo..<min(count, lo &+ split.width))
        }
    }

    /// The largest power of two of pieces not above `limit` (at least 1), cutting `0..<extent` into equal pieces of a
    /// multiple of 16 (the last may be shorter). Shared by `forEqualRanges` and `BLAS.sgemm`'s panels, so that the
    /// two cut a weight matrix at the same place.
    @inlinable
    public static func equalSplit(extent: Int, limit: Int) -> (width: Int, count: Int) {
        var pieces = 1
        while pieces &* 2 <= limit { pieces &*= 2 }
        let width = ((extent + pieces - 1) / pieces + 15) & ~15
        return (width, (extent + width - 1) / width)
    }
}
