/// Encoding and decoding of the payloads of the built-in chunk kinds (everything little-endian).
///
///     STEP   step u64, epoch u64, noise_seed u64, noise_step u64, tensor_count u32, scalar_count u32,
///            scalar_count x (name: u16 length + UTF-8, value: f64)
///     TENS   name (u16 length + UTF-8), dtype u8, rank u8, rank x dim u64, element bytes
///     INDX   count u64, count x (step u64, epoch u64, tensor_count u32, chunk_index u32, offset u64,
///            stored_bytes u64, raw_bytes u64)
///     TEND   index_offset u64, chunk_count u64, step_count u64, file_length u64
enum Payloads {
    // MARK: STEP

    static func encodeStep(_ info: TraceStepInfo, tensorCount: Int) -> [UInt8] {
        var w = ByteWriter()
        w.u64(info.step)
        w.u64(info.epoch)
        w.u64(info.noiseSeed)
        w.u64(info.noiseStep)
        w.u32(UInt32(truncatingIfNeeded: tensorCount))
        w.u32(UInt32(truncatingIfNeeded: info.scalars.count))
        for s in info.scalars {
            w.string16(s.name)
            w.f64(s.value)
        }
        return w.bytes
    }

    static func decodeStep(_ payload: [UInt8]) throws -> (info: TraceStepInfo, tensorCount: Int) {
        var r = ByteReader(payload)
        let step = try r.u64("step")
        let epoch = try r.u64("epoch")
        let seed = try r.u64("noise seed")
        let noiseStep = try r.u64("noise step")
        let tensorCount = Int(try r.u32("tensor count"))
        let scalarCount = Int(try r.u32("scalar count"))
        // Each scalar takes at least 2 + 1 + 8 bytes: check before reserving.
        guard scalarCount <= r.remaining / 11 else {
            throw PayloadError("scalar count \(scalarCount) cannot fit in the \(r.remaining) bytes left")
        }
        var scalars: [TraceScalar] = []
        scalars.reserveCapacity(scalarCount)
        for i in 0..<scalarCount {
            let name = try r.string16("scalar \(i) name", maxBytes: TraceLimits.maxNameBytes)
            scalars.append(TraceScalar(name, try r.f64("scalar '\(name)' value")))
        }
        try r.expectEnd("STEP payload")
        return (
            TraceStepInfo(step: step, epoch: epoch, noiseSeed: seed, noiseStep: noiseStep, scalars: scalars),
            tensorCount
        )
    }

    // MARK: TENS

    /// Everything of a tensor payload before the element bytes.
    static func encodeTensorPrefix(name: String, dtype: TraceDType, shape: [Int]) -> [UInt8] {
        var w = ByteWriter()
        w.string16(name)
        w.u8(dtype.rawValue)
        w.u8(UInt8(truncatingIfNeeded: shape.count))
        for d in shape { w.u64(UInt64(d)) }
        return w.bytes
    }

    /// Decodes a tensor payload. The tensor's name is returned even when the rest is bad, so errors can name it.
    static func decodeTensor(_ payload: [UInt8], nameSink: inout String?) throws -> TraceTensor {
        var r = ByteReader(payload)
        let name = try r.string16("tensor name", maxBytes: TraceLimits.maxNameBytes)
        nameSink = name
        let code = try r.u8("dtype")
        guard let dtype = TraceDType(rawValue: code) else {
            throw PayloadError(
                "unknown dtype code \(code) (this lrsim knows \(TraceDType.allCases.map { "\($0.rawValue)=\($0)" }.joined(separator: ", ")))"
            )
        }
        let rank = Int(try r.u8("rank"))
        guard rank <= TraceLimits.maxRank else {
            throw PayloadError("rank \(rank) exceeds the maximum \(TraceLimits.maxRank)")
        }
        var shape: [Int] = []
        for i in 0..<rank {
            let d = try r.u64("dimension \(i)")
            guard d <= UInt64(TraceLimits.maxElements) else {
                throw PayloadError("dimension \(i) is \(d), more than the limit of \(TraceLimits.maxElements) elements")
            }
            shape.append(Int(d))
        }
        guard let count = TraceLimits.elementCount(shape), let need = dtype.byteCount(elements: count) else {
            throw PayloadError("shape \(shape) has more than \(TraceLimits.maxElements) elements")
        }
        guard need == r.remaining else {
            throw PayloadError("shape \(shape) of \(dtype) needs \(need) data bytes, the payload has \(r.remaining)")
        }
        let data = Array(try r.bytes(need, "tensor data"))
        do {
            return try TraceTensor(name: name, dtype: dtype, shape: shape, bytes: data)
        } catch let e as TraceError {
            throw PayloadError(e.problem)
        }
    }

    // MARK: INDX

    static let indexEntrySize = 48

    static func encodeIndex(_ entries: [TraceStepEntry]) -> [UInt8] {
        var w = ByteWriter(capacity: 8 &+ entries.count &* indexEntrySize)
        w.u64(UInt64(entries.count))
        for e in entries {
            w.u64(e.step)
            w.u64(e.epoch)
            w.u32(UInt32(truncatingIfNeeded: e.tensorCount))
            w.u32(UInt32(truncatingIfNeeded: e.chunkIndex))
            w.u64(e.offset)
            w.u64(e.storedBytes)
            w.u64(e.rawBytes)
        }
        return w.bytes
    }

    static func decodeIndex(_ payload: [UInt8]) throws -> [TraceStepEntry] {
        var r = ByteReader(payload)
        let count = try r.u64("entry count")
        guard count <= UInt64(r.remaining / indexEntrySize), Int(count) &* indexEntrySize == r.remaining else {
            throw PayloadError(
                "entry count \(count) does not match the \(r.remaining) bytes of entries (\(indexEntrySize) each)")
        }
        var entries: [TraceStepEntry] = []
        entries.reserveCapacity(Int(count))
        for i in 0..<Int(count) {
            let step = try r.u64("entry \(i) step")
            let epoch = try r.u64("entry \(i) epoch")
            let tensors = Int(try r.u32("entry \(i) tensor count"))
            let chunk = Int(try r.u32("entry \(i) chunk index"))
            let offset = try r.u64("entry \(i) offset")
            let stored = try r.u64("entry \(i) stored bytes")
            let raw = try r.u64("entry \(i) raw bytes")
            entries.append(
                TraceStepEntry(
                    step: step, epoch: epoch, tensorCount: tensors, offset: offset,
                    storedBytes: stored, rawBytes: raw, chunkIndex: chunk))
        }
        return entries
    }

    // MARK: TEND

    struct Trailer: Equatable {
        var indexOffset: UInt64
        var chunkCount: UInt64
        var stepCount: UInt64
        var fileLength: UInt64
    }

    static let trailerPayloadSize = 32
    /// The trailer chunk is never compressed, so its size is fixed and readers find it at the end of the file.
    static let trailerChunkSize = ChunkHeader.size + trailerPayloadSize

    static func encodeTrailer(_ t: Trailer) -> [UInt8] {
        var w = ByteWriter(capacity: trailerPayloadSize)
        w.u64(t.indexOffset)
        w.u64(t.chunkCount)
        w.u64(t.stepCount)
        w.u64(t.fileLength)
        return w.bytes
    }

    static func decodeTrailer(_ payload: [UInt8]) throws -> Trailer {
        var r = ByteReader(payload)
        let t = Trailer(
            indexOffset: try r.u64("index offset"), chunkCount: try r.u64("chunk count"),
            stepCount: try r.u64("step count"), fileLength: try r.u64("file length"))
        try r.expectEnd("TEND payload")
        return t
    }
}
