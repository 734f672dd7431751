import CLRShims
import Foundation

/// Persistent worker threads behind `Parallel.forEach`.
///
/// A training step runs a few dozen short parallel regions (GEMM panels, noise rows, Adam ranges) of 5-200 us each.
/// Waking a sleeping thread costs about as much as the shorter ones, so workers spin (with the CPU's pause hint) for a
/// short while after each region before they sleep, and the caller posts work to per-worker mailboxes on separate
/// cache lines. The caller runs chunk 0's share itself.
///
/// Which thread runs a chunk never matters for results: chunks are fixed by the problem size and write disjoint
/// outputs. A region opened while another is running (a nested call from inside a chunk, or a second thread) runs
/// serially on its caller, so regions never wait on each other.
@usableFromInline
final class WorkerPool: @unchecked Sendable {
    @usableFromInline static let shared = WorkerPool()

    /// How long an idle worker spins before sleeping: `LRSIM_SPIN_US` microseconds (default 100; 0 sleeps at once).
    static let spinNanoseconds: UInt64 = {
        if let s = ProcessInfo.processInfo.environment["LRSIM_SPIN_US"], let us = UInt64(s) { return us &* 1000 }
        return 100_000
    }()

    /// Words, each on its own 128-byte line: [0] the busy flag; worker w's posted and done sequence numbers at
    /// `(2w) * 16` and `(2w + 1) * 16`.
    private let words: UnsafeMutablePointer<Int>
    private static let stride = 16
    private static let capacity = 256

    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeup = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var sleepers = 0  // guarded by mutex
    private var started = 0  // workers 1...started exist; only the caller holding `busy` touches it

    // The current region (valid while a region runs; written before the posts that publish it).
    private var body: ((Int) -> Void)?
    private var chunks = 0
    private var participants = 0
    private var sequence = 0

    private init() {
        let count = (2 &* Self.capacity &+ 2) &* Self.stride
        words = .allocate(capacity: count)
        words.initialize(repeating: 0, count: count)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeup, nil)
    }

    private var busy: UnsafeMutablePointer<Int> { words }
    private func posted(_ w: Int) -> UnsafeMutablePointer<Int> { words + (2 &* w) &* Self.stride }
    private func done(_ w: Int) -> UnsafeMutablePointer<Int> { words + (2 &* w &+ 1) &* Self.stride }

    /// Runs `body(c)` for c in 0..<chunks on `workers` threads (the caller and workers-1 pool threads); worker w takes
    /// chunks w, w + workers, ... Returns when every chunk has run.
    @usableFromInline
    func run(chunks: Int, workers requested: Int, _ body: (Int) -> Void) {
        let workers = min(requested, Self.capacity)
        guard workers > 1, lrsim_compare_exchange(busy, 0, 1) != 0 else {
            for c in 0..<chunks { body(c) }
            return
        }
        startWorkers(upTo: workers &- 1)
        withoutActuallyEscaping(body) { body in
            self.body = body
            self.chunks = chunks
            self.participants = workers
            sequence &+= 1
            let seq = sequence
            for w in 1..<workers { lrsim_store_release(posted(w), seq) }
            pthread_mutex_lock(mutex)
            if sleepers > 0 { pthread_cond_broadcast(wakeup) }
            pthread_mutex_unlock(mutex)

            var c = 0
            while c < chunks { body(c); c &+= workers }

            for w in 1..<workers {
                var spins = 0
                while lrsim_load_acquire(done(w)) != seq {
                    // Spin while the worker is surely running; yield the core if it seems descheduled.
                    if spins < 1 << 12 { lrsim_cpu_relax(); spins &+= 1 } else { sched_yield() }
                }
            }
            self.body = nil
        }
        lrsim_store_release(busy, 0)
    }

    /// Called by the region's caller while it holds `busy` (the flag's acquire/release orders `started`).
    private func startWorkers(upTo count: Int) {
        while started < count {
            started &+= 1
            let w = started
            let thread = Thread { [unowned self] in self.workerLoop(w) }
            thread.name = "lrsim-worker-\(w)"
            thread.start()
        }
    }

    private func workerLoop(_ w: Int) -> Never {
        var seen = 0
        while true {
            seen = waitForPost(w, after: seen)
            work(w)
            lrsim_store_release(done(w), seen)
        }
    }

    /// Runs this worker's chunks of the current region. Not inlined so that its reference to the body is released
    /// before `done` is published (the caller's `withoutActuallyEscaping` checks that no reference outlives it).
    @inline(never)
    private func work(_ w: Int) {
        guard let body else { return }
        let n = chunks, step = participants
        var c = w
        while c < n { body(c); c &+= step }
    }

    private func waitForPost(_ w: Int, after seen: Int) -> Int {
        let p = posted(w)
        let limit = Self.spinNanoseconds
        if limit > 0 {
            let start = DispatchTime.now().uptimeNanoseconds
            var spins = 0
            while true {
                let v = lrsim_load_acquire(p)
                if v != seen { return v }
                lrsim_cpu_relax()
                spins &+= 1
                if spins & 255 == 0, DispatchTime.now().uptimeNanoseconds &- start > limit { break }
            }
        }
        pthread_mutex_lock(mutex)
        sleepers &+= 1
        var v = lrsim_load_acquire(p)
        while v == seen {
            pthread_cond_wait(wakeup, mutex)
            v = lrsim_load_acquire(p)
        }
        sleepers &-= 1
        pthread_mutex_unlock(mutex)
        return v
    }
}
