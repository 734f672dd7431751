import LRCore

/// A seeded, learnable classification task for tests and smoke runs: Gaussian class clusters.
///
/// Class `c` has a centroid `mu_c ~ N(0, s^2 I)` with `s = separation / sqrt(2 * features)`, so two centroids are
/// `separation` noise standard deviations apart on average. A sample of class `c` is `mu_c + n` with `n ~ N(0, I)`,
/// mapped to pixels by `clamp(0.5 + 0.15 * x, 0, 1)` and rounded to 8 bits like real images. Labels are uniform.
/// The Bayes error of a pair of classes is about Phi(-separation / 2) (2.3% at the default 4).
///
/// Everything comes from Philox (stream `.synthetic`) through `FastGaussian`, which uses no libm, so the data (and its
/// digest) are identical on every machine. Train and test samples share the centroids and use different rows.
public struct SyntheticSpec: Sendable, Hashable, Codable {
    public var features: Int
    public var classes: Int
    public var trainCount: Int
    public var testCount: Int
    public var separation: Float
    public var seed: UInt64

    public init(
        features: Int = 784, classes: Int = 10, trainCount: Int = 6000, testCount: Int = 1000,
        separation: Float = 4, seed: UInt64 = 2024
    ) {
        self.features = features; self.classes = classes; self.trainCount = trainCount; self.testCount = testCount
        self.separation = separation; self.seed = seed
    }

    /// Shape of one sample: `[1, 28, 28]` when `features` is 784 (so MNIST models fit), else `[features]`.
    public var shape: [Int] { features == 784 ? [1, 28, 28] : [features] }

    /// Parses the options of `synthetic:features=20,classes=5,train=2000,test=500,separation=3,seed=7` (any subset,
    /// any order; the part after `synthetic:`).
    public static func parse(_ options: String) throws -> SyntheticSpec {
        var spec = SyntheticSpec()
        for item in options.split(separator: ",") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1).map(String.init)
            func bad(_ expected: String) -> DatasetError {
                DatasetError(.invalidArgument, file: "synthetic", "option '\(item)': expected \(expected)")
            }
            guard kv.count == 2 else {
                throw bad("KEY=VALUE with KEY one of features, classes, train, test, separation, seed")
            }
            let (key, value) = (kv[0], kv[1])
            switch key {
            case "features", "classes", "train", "test":
                guard let n = Int(value), n > 0, n <= 1 << 24 else { throw bad("an integer in 1...16777216") }
                switch key {
                case "features": spec.features = n
                case "classes": spec.classes = n
                case "train": spec.trainCount = n
                default: spec.testCount = n
                }
            case "separation":
                guard let s = Float(value), s.isFinite, s >= 0 else { throw bad("a non-negative number") }
                spec.separation = s
            case "seed":
                guard let s = UInt64(value) else { throw bad("a non-negative integer") }
                spec.seed = s
            default:
                throw bad("KEY=VALUE with KEY one of features, classes, train, test, separation, seed")
            }
        }
        guard spec.classes <= 256 else {
            throw DatasetError(
                .invalidArgument, file: "synthetic", "option 'classes=\(spec.classes)': expected at most 256")
        }
        let (_, overflow) = max(spec.trainCount, spec.testCount).multipliedReportingOverflow(by: spec.features)
        guard !overflow, max(spec.trainCount, spec.testCount) * spec.features <= 1 << 31 else {
            throw DatasetError(.invalidArgument, file: "synthetic", "samples x features must be at most 2^31 values")
        }
        return spec
    }
}

public enum SyntheticDataset {
    /// Counter-space layout (the `layer` field of `NoiseKey`, stream `.synthetic`).
    static let centroidLayer: UInt32 = 0
    static func sampleLayer(_ split: DatasetSplit) -> UInt32 { split == .train ? 1 : 2 }
    static func labelLayer(_ split: DatasetSplit) -> UInt32 { split == .train ? 3 : 4 }

    public static func make(_ spec: SyntheticSpec, split: DatasetSplit, name: String = "synthetic") throws -> Dataset {
        let d = spec.features, count = split == .train ? spec.trainCount : spec.testCount
        guard d > 0, count > 0, spec.classes > 0, spec.classes <= 256 else {
            throw DatasetError(
                .invalidArgument, file: name,
                "expected positive features, samples and 1...256 classes, got \(d), \(count), \(spec.classes)")
        }
        let key = { (layer: UInt32) in NoiseKey(seed: spec.seed, step: 0, layer: layer, stream: .synthetic) }

        var centroids = [Float](repeating: 0, count: spec.classes * d)
        centroids.withUnsafeMutableBufferPointer {
            FastGaussian.fill(key(centroidLayer), rows: 0..<UInt32(spec.classes), columns: d, into: $0)
        }
        let scale = spec.separation / Float(2 * d).squareRoot()

        // Labels: the top bits of one 32-bit word per sample, multiply-shift onto 0..<classes.
        let labelGen = key(labelLayer(split))
        var labels = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let w = labelGen.generator.block(labelGen.counter(row: 0, block: UInt32(i >> 2)))[i & 3]
            labels[i] = Int32((UInt64(w) &* UInt64(spec.classes)) >> 32)
        }

        var images = [Float](repeating: 0, count: count * d)
        images.withUnsafeMutableBufferPointer { out in
            FastGaussian.fill(key(sampleLayer(split)), rows: 0..<UInt32(count), columns: d, into: out)
            centroids.withUnsafeBufferPointer { mu in
                for i in 0..<count {
                    let m = mu.baseAddress! + Int(labels[i]) * d
                    let x = out.baseAddress! + i * d
                    for j in 0..<d {
                        let v = 0.5 + 0.15 * (m[j] * scale + x[j])
                        // 8-bit pixels, as in real images (so the digest is defined the same way).
                        x[j] = (min(max(v, 0), 1) * 255).rounded() / 255
                    }
                }
            }
        }
        return try Dataset(
            name: name, split: split, shape: spec.shape, classes: spec.classes, images: images, labels: labels)
    }
}
