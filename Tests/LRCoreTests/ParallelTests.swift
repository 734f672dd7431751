import Foundation
import XCTest

@testable import LRCore

/// `Parallel` on the persistent worker pool: every chunk runs exactly once, whatever the thread count; nested and
/// concurrent regions complete; sleeping workers wake up.
final class ParallelTests: XCTestCase {
    private var savedThreads = Parallel.threads
    override func setUp() { savedThreads = Parallel.threads }
    override func tearDown() { Parallel.threads = savedThreads }

    /// Counts how often each chunk ran (atomically enough: every chunk owns its own slot).
    func runCounts(chunks: Int, threads: Int) -> [Int] {
        Parallel.threads = threads
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(1, chunks))
        counts.initialize(repeating: 0, count: max(1, chunks))
        defer { counts.deallocate() }
        Parallel.forEach(chunks: chunks) { c in counts[c] += 1 }
        return Array(UnsafeBufferPointer(start: counts, count: chunks))
    }

    func testEveryChunkRunsExactlyOnceForAnyThreadCount() {
        for threads in [1, 2, 3, 5, 8] {
            for chunks in [0, 1, 2, 3, 7, 64, 1000] {
                XCTAssertEqual(
                    runCounts(chunks: chunks, threads: threads), [Int](repeating: 1, count: chunks),
                    "\(chunks) chunks on \(threads) threads")
            }
        }
    }

    func testChunksRunOnSeveralThreadsAndChunkCRunsOnWorkerCModWorkers() {
        Parallel.threads = 2
        var threadOfChunk = [UInt](repeating: 0, count: 8)
        threadOfChunk.withUnsafeMutableBufferPointer { t in
            let base = t.baseAddress!
            Parallel.forEach(chunks: 8) { c in base[c] = UInt(pthread_self()) }
        }
        XCTAssertEqual(threadOfChunk[0], UInt(pthread_self()), "the caller runs chunk 0")
        XCTAssertNotEqual(threadOfChunk[1], threadOfChunk[0], "a pool worker runs chunk 1")
        for c in 2..<8 { XCTAssertEqual(threadOfChunk[c], threadOfChunk[c % 2], "chunk \(c)") }
    }

    func testNestedRegionsRunSeriallyAndComplete() {
        Parallel.threads = 2
        let inner = 16, outer = 4
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: outer * inner)
        counts.initialize(repeating: 0, count: outer * inner)
        defer { counts.deallocate() }
        Parallel.forEach(chunks: outer) { o in
            Parallel.forEach(chunks: inner) { i in counts[o * inner + i] += 1 }
        }
        XCTAssertEqual(
            Array(UnsafeBufferPointer(start: counts, count: outer * inner)), [Int](repeating: 1, count: outer * inner))
    }

    func testRegionsFromTwoThreadsAtOnceBothComplete() {
        Parallel.threads = 2
        let n = 4096
        let a = UnsafeMutablePointer<Int>.allocate(capacity: n), b = UnsafeMutablePointer<Int>.allocate(capacity: n)
        a.initialize(repeating: 0, count: n); b.initialize(repeating: 0, count: n)
        defer { a.deallocate(); b.deallocate() }
        // The second caller gets the buffer's address, not the (non-Sendable) pointer.
        let bAddress = Int(bitPattern: b)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            let b = UnsafeMutablePointer<Int>(bitPattern: bAddress)!
            for _ in 0..<200 { Parallel.forEach(chunks: n) { c in b[c] += 1 } }
            finished.signal()
        }.start()
        for _ in 0..<200 { Parallel.forEach(chunks: n) { c in a[c] += 1 } }
        XCTAssertEqual(finished.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: a, count: n)), [Int](repeating: 200, count: n))
        XCTAssertEqual(Array(UnsafeBufferPointer(start: b, count: n)), [Int](repeating: 200, count: n))
    }

    func testSleepingWorkersWakeForTheNextRegion() {
        for _ in 0..<5 {
            XCTAssertEqual(runCounts(chunks: 6, threads: 2), [Int](repeating: 1, count: 6))
            // Longer than the workers' spin (LRSIM_SPIN_US, 100 us by default): they are asleep for the next region.
            usleep(3000)
        }
    }

    func testEqualRangesAreAPowerOfTwoOfSixteenAlignedPiecesCoveringTheCount() {
        for count in [0, 1, 15, 16, 17, 65_535, 65_536, 131_072, 203_530, 1_000_003] {
            var ranges = [Range<Int>]()
            let lock = NSLock()
            Parallel.forEqualRanges(count: count, minimum: 1 << 16) { r in
                lock.lock(); ranges.append(r); lock.unlock()
            }
            ranges.sort { $0.lowerBound < $1.lowerBound }
            XCTAssertEqual(ranges.reduce(0) { $0 + $1.count }, count, "\(count)")
            for (i, r) in ranges.enumerated() {
                XCTAssertEqual(r.lowerBound, i == 0 ? 0 : ranges[i - 1].upperBound, "\(count): contiguous")
                XCTAssertEqual(r.lowerBound % 16, 0, "\(count): 16-aligned")
            }
            if count > 0 {
                XCTAssertEqual(ranges.count & (ranges.count - 1), 0, "\(count): \(ranges.count) is not a power of two")
                XCTAssertLessThanOrEqual(ranges.count, 4)
            }
        }
        // The MLP's parameter vector: two halves, so each core updates the weight rows its GEMM panel computed.
        var halves = 0
        Parallel.threads = 1
        Parallel.forEqualRanges(count: 203_530, minimum: 1 << 16) { _ in halves += 1 }
        XCTAssertEqual(halves, 2)
    }
}
