import LRCore

/// Splits an epoch into mini-batches in a deterministic shuffled order.
///
/// The order of epoch `e` is a Fisher–Yates permutation driven by Philox with key `(seed, step: e, stream: .shuffle)`,
/// so it depends only on (seed, epoch, sample count): a run resumed at epoch `e` sees the same batches, and so does a
/// run on another machine or thread count.
///
/// The last partial batch is kept by default (`.keep`: every sample is seen once per epoch, the last batch is
/// `count % batchSize` samples); `.drop` makes every batch full.
public struct Batcher: Sendable, Hashable {
    public enum LastBatch: String, Sendable, Hashable, Codable { case keep, drop }

    public let sampleCount: Int
    public let batchSize: Int
    public let seed: UInt64
    public let shuffles: Bool
    public let lastBatch: LastBatch

    public init(sampleCount: Int, batchSize: Int, seed: UInt64, shuffle: Bool = true, lastBatch: LastBatch = .keep)
        throws
    {
        guard batchSize > 0 else {
            throw DatasetError(.invalidArgument, file: "batch", "batch size must be positive, got \(batchSize)")
        }
        guard sampleCount >= 0, sampleCount <= Int(Int32.max) else {
            throw DatasetError(
                .invalidArgument, file: "batch", "sample count must be in 0...\(Int32.max), got \(sampleCount)")
        }
        self.sampleCount = sampleCount; self.batchSize = batchSize; self.seed = seed
        self.shuffles = shuffle; self.lastBatch = lastBatch
    }

    /// Batches per epoch (the last one may be partial with `.keep`).
    public var batchesPerEpoch: Int {
        lastBatch == .keep ? (sampleCount + batchSize - 1) / batchSize : sampleCount / batchSize
    }

    /// Positions in the epoch order covered by batch `b`.
    public func range(ofBatch b: Int) -> Range<Int> {
        precondition(b >= 0 && b < batchesPerEpoch, "batch \(b) is outside 0..<\(batchesPerEpoch)")
        return (b * batchSize)..<min(sampleCount, (b + 1) * batchSize)
    }

    /// The sample order of `epoch`: a permutation of `0..<sampleCount` (the identity when not shuffling).
    public func order(epoch: Int) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: sampleCount) { buffer, n in
            order(epoch: epoch, into: buffer)
            n = sampleCount
        }
    }

    /// Writes the order of `epoch` into `out` (`sampleCount` entries) without allocating.
    public func order(epoch: Int, into out: UnsafeMutableBufferPointer<Int32>) {
        precondition(out.count == sampleCount, "order buffer holds \(out.count), expected \(sampleCount)")
        for i in 0..<sampleCount { out[i] = Int32(truncatingIfNeeded: i) }
        guard shuffles, sampleCount > 1 else { return }
        let key = NoiseKey(seed: seed, step: UInt32(truncatingIfNeeded: epoch), layer: 0, stream: .shuffle)
        let gen = key.generator
        // Swap i with j uniform in 0...i; 64 random bits per swap (bias < 2^-32), two swaps per Philox block.
        var i = sampleCount - 1
        while i > 0 {
            let w = gen.block(
                key.counter(row: UInt32(truncatingIfNeeded: epoch >> 32), block: UInt32(truncatingIfNeeded: i >> 1)))
            let bits = (i & 1) == 0 ? (UInt64(w[0]) << 32 | UInt64(w[1])) : (UInt64(w[2]) << 32 | UInt64(w[3]))
            let j = Int(bits.multipliedFullWidth(by: UInt64(i + 1)).high)
            out.swapAt(i, j)
            i -= 1
        }
    }
}

/// Preallocated storage for one mini-batch: `images` is `capacity x features` (row-major), the first `count` rows valid.
public struct Batch: Sendable {
    public let capacity: Int
    public let features: Int
    public private(set) var images: [Float]
    public private(set) var labels: [Int32]
    /// Valid samples in this batch (smaller than `capacity` for a kept partial last batch).
    public private(set) var count: Int = 0

    public init(capacity: Int, features: Int) {
        self.capacity = capacity; self.features = features
        images = [Float](repeating: 0, count: capacity * features)
        labels = [Int32](repeating: 0, count: capacity)
    }

    /// Copies the samples `indices` of `dataset` into rows `0..<indices.count`, without allocating.
    public mutating func gather(from dataset: Dataset, indices: UnsafeBufferPointer<Int32>) {
        precondition(indices.count <= capacity, "batch of \(indices.count) exceeds capacity \(capacity)")
        precondition(
            dataset.featureCount == features, "data set has \(dataset.featureCount) features, batch \(features)")
        let f = features
        // Rows of a shuffled batch come from anywhere in a large set (DRAM latency, not bandwidth): copying them on
        // every core overlaps the misses. Each row is a plain copy, so the split cannot change a byte.
        let rowsPerChunk = max(1, (1 << 15) / max(1, f))
        images.withUnsafeMutableBufferPointer { dst in
            dataset.images.withUnsafeBufferPointer { src in
                let d = dst.baseAddress!, s = src.baseAddress!
                Parallel.forRanges(count: indices.count, grain: rowsPerChunk) { rows in
                    for k in rows { (d + k &* f).update(from: s + Int(indices[k]) &* f, count: f) }
                }
            }
        }
        labels.withUnsafeMutableBufferPointer { dst in
            dataset.labels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() { dst[k] = src[Int(i)] }
            }
        }
        count = indices.count
    }

    /// Gathers batch `b` of `order` (from `Batcher.order(epoch:)`).
    public mutating func gather(from dataset: Dataset, order: [Int32], batcher: Batcher, batch b: Int) {
        let r = batcher.range(ofBatch: b)
        order.withUnsafeBufferPointer { gather(from: dataset, indices: UnsafeBufferPointer(rebasing: $0[r])) }
    }
}
