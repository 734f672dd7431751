/// Which part of a data set: the training samples or the held-out test samples.
public enum DatasetSplit: String, Sendable, Codable, CaseIterable {
    case train, test
}

/// A labelled image-classification data set held in memory.
///
/// `images` is one contiguous row-major buffer of `count x featureCount` Floats in [0, 1] (8-bit pixels divided by 255),
/// laid out per sample as `shape` (`[1, 28, 28]` for MNIST, `[3, 32, 32]` channel-major for CIFAR-10), so a batch is a
/// plain matrix for GEMM. `digest` identifies the content for traces and reports (see `Dataset.digest(...)`).
public struct Dataset: Sendable {
    /// Catalog name, e.g. `fashion-mnist`.
    public var name: String
    public var split: DatasetSplit
    /// Shape of one sample.
    public var shape: [Int]
    /// Number of classes; every label is in `0..<classes`.
    public var classes: Int
    public var images: [Float]
    public var labels: [Int32]
    /// 64-bit FNV-1a over the shape, the 8-bit pixel values and the labels: equal for a `.gz` and a raw copy.
    public var digest: UInt64

    @inlinable public var count: Int { labels.count }
    @inlinable public var featureCount: Int { shape.reduce(1, *) }
    /// `digest` as 16 lowercase hex digits (the spelling used in traces and reports).
    public var digestHex: String {
        let s = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// A data set from values already in memory; checks that sizes and labels agree and computes the digest from the
    /// pixel values rounded to 8 bits.
    public init(name: String, split: DatasetSplit, shape: [Int], classes: Int, images: [Float], labels: [Int32]) throws
    {
        let features = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
        guard !shape.isEmpty, shape.allSatisfy({ $0 > 0 }), images.count == labels.count &* features else {
            throw DatasetError(
                .badHeader, file: name, "expected \(labels.count) samples of shape \(shape), got \(images.count) values"
            )
        }
        guard classes > 0 else {
            throw DatasetError(.badHeader, file: name, "expected at least one class, got \(classes)")
        }
        if let i = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw DatasetError(
                .labelOutOfRange, file: name, "label \(labels[i]) at index \(i) is outside 0..<\(classes)")
        }
        var hasher = FNV1a64()
        hasher.combine(shape: shape, classes: classes, count: labels.count)
        images.withUnsafeBufferPointer { hasher.combine(pixels: $0) }
        labels.withUnsafeBufferPointer { hasher.combine(labels: $0) }
        self.init(
            name: name, split: split, shape: shape, classes: classes, images: images, labels: labels,
            digest: hasher.value)
    }

    /// Used by the loaders, which compute the digest while streaming the file.
    init(
        name: String, split: DatasetSplit, shape: [Int], classes: Int, images: [Float], labels: [Int32], digest: UInt64
    ) {
        self.name = name; self.split = split; self.shape = shape; self.classes = classes
        self.images = images; self.labels = labels; self.digest = digest
    }

    /// The samples at `indices`, in that order (a new data set with its own digest).
    public func subset(_ indices: some Collection<Int>) throws -> Dataset {
        let f = featureCount
        var out = [Float](repeating: 0, count: indices.count * f)
        var outLabels = [Int32]()
        outLabels.reserveCapacity(indices.count)
        try images.withUnsafeBufferPointer { src in
            try out.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    guard i >= 0 && i < count else {
                        throw DatasetError(.invalidArgument, file: name, "subset index \(i) is outside 0..<\(count)")
                    }
                    _ = UnsafeMutableBufferPointer(rebasing: dst[(k * f)..<((k + 1) * f)])
                        .update(fromContentsOf: src[(i * f)..<((i + 1) * f)])
                    outLabels.append(labels[i])
                }
            }
        }
        return try Dataset(name: name, split: split, shape: shape, classes: classes, images: out, labels: outLabels)
    }
}

/// 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3), fed in the order shape, pixels, labels.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always)
    mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    mutating func combine(bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = h
    }

    /// Little-endian 32-bit words for the rank, each dimension, the class count and the sample count.
    mutating func combine(shape: [Int], classes: Int, count: Int) {
        for word in [shape.count] + shape + [classes, count] {
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: word).littleEndian) { combine(bytes: $0) }
        }
    }

    /// Pixel values in [0, 1] as the bytes `round(x * 255)`.
    mutating func combine(pixels: UnsafeBufferPointer<Float>) {
        var h = value
        for x in pixels {
            let b = UInt8(clamping: Int((x * 255).rounded()))
            h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
        }
        value = h
    }

    /// Labels as one byte each when they fit (all supported data sets), else four little-endian bytes.
    mutating func combine(labels: UnsafeBufferPointer<Int32>) {
        for l in labels {
            if l >= 0 && l < 256 {
                combine(byte: UInt8(l))
            } else {
                withUnsafeBytes(of: l.littleEndian) { combine(bytes: $0) }
            }
        }
    }
}
