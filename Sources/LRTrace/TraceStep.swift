/// What identifies one sampled step: where it is in training and the key that regenerates its noise.
public struct TraceStepInfo: Equatable, Sendable {
    /// The global training step (0-based).
    public var step: UInt64
    public var epoch: UInt64
    /// Noise is not stored: the trainer regenerates it from the counter-based RNG with (seed, step) and the layer
    /// taken from the tensor names. Usually `noiseSeed` = the estimator seed and `noiseStep` = `step`.
    public var noiseSeed: UInt64
    public var noiseStep: UInt64
    /// Named scalars in the order written, e.g. `loss`, `learning_rate`.
    public var scalars: [TraceScalar]

    public init(step: UInt64, epoch: UInt64, noiseSeed: UInt64, noiseStep: UInt64, scalars: [TraceScalar] = []) {
        self.step = step; self.epoch = epoch; self.noiseSeed = noiseSeed; self.noiseStep = noiseStep
        self.scalars = scalars
    }

    public func scalar(_ name: String) -> Double? { scalars.first { $0.name == name }?.value }
}

public struct TraceScalar: Equatable, Sendable {
    public var name: String
    public var value: Double
    public init(_ name: String, _ value: Double) { self.name = name; self.value = value }

    /// Equality by bit pattern, so NaN round trips compare equal.
    public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.value.bitPattern == b.value.bitPattern }
}

/// One sampled step with all its tensors.
public struct TraceStep: Equatable, Sendable {
    public var info: TraceStepInfo
    public var tensors: [TraceTensor]

    public init(info: TraceStepInfo, tensors: [TraceTensor]) {
        self.info = info; self.tensors = tensors
    }

    public func tensor(_ name: String) -> TraceTensor? { tensors.first { $0.name == name } }
}

/// Where a step is in the file, from the index chunk.
public struct TraceStepEntry: Equatable, Sendable, Codable {
    public var step: UInt64
    public var epoch: UInt64
    public var tensorCount: Int
    /// Byte offset of the step's STEP chunk.
    public var offset: UInt64
    /// Bytes from the STEP chunk's header through the end of its last tensor chunk, as stored.
    public var storedBytes: UInt64
    /// The same payloads uncompressed (chunk headers included), to compute compression ratios.
    public var rawBytes: UInt64
    /// Ordinal number of the STEP chunk.
    public var chunkIndex: Int

    enum CodingKeys: String, CodingKey {
        case step, epoch, offset
        case tensorCount = "tensor_count", storedBytes = "stored_bytes", rawBytes = "raw_bytes", chunkIndex =
            "chunk_index"
    }
}
