import Foundation

/// Random access to a finished trace.
///
/// Opening reads only the preamble, the HEAD chunk, the trailer and the index; a step is read (and its chunks'
/// checksums checked) when asked for. A file that is truncated or damaged in its framing is diagnosed by a full scan,
/// so the error names the chunk where the damage is, not just "bad trailer". `TraceVerification` checks every chunk.
///
/// Its state is immutable after opening and reads use `pread`, so one reader may serve several threads.
public final class TraceReader: @unchecked Sendable {
    public let path: String
    public let formatVersion: TraceFormatVersion
    public let header: TraceHeader
    /// Every recorded step in file order (strictly increasing step numbers), from the index.
    public let steps: [TraceStepEntry]
    public let fileSize: UInt64
    /// Number of chunks in the file, including HEAD, INDX and TEND.
    public let chunkCount: Int
    /// Stored and uncompressed bytes of the HEAD and INDX chunks (headers included).
    public let metadataChunkBytes: (stored: UInt64, raw: UInt64)

    let chunks: ChunkReader

    public convenience init(path: String) throws {
        try self.init(source: try ReadableFile(path: path))
    }

    /// Reads a trace held in memory; `name` stands for the path in messages.
    public convenience init(bytes: [UInt8], name: String) throws {
        try self.init(source: MemorySource(name: name, bytes: bytes))
    }

    init(source file: any ByteSource) throws {
        let chunks = ChunkReader(file: file)
        let path = file.path
        self.path = path
        self.chunks = chunks
        fileSize = file.size
        formatVersion = try chunks.readPreamble()
        do {
            let head = try chunks.readHeader(at: UInt64(Preamble.size), ordinal: 0)
            header = try Self.readHeaderChunk(head, chunks)
            let (entries, count, idx) = try Self.readTrailerAndIndex(chunks)
            steps = entries
            chunkCount = count
            metadataChunkBytes = (
                head.header.totalLength &+ idx.header.totalLength,
                2 &* UInt64(ChunkHeader.size) &+ head.header.rawLength &+ idx.header.rawLength
            )
        } catch let first as TraceError {
            // Find the first real damage by scanning; fall back to what went wrong here.
            throw TraceVerification.firstFramingError(source: file) ?? first
        }
    }

    /// The step at `position` in `steps` (0-based), with all its tensors.
    public func readStep(at position: Int) throws -> TraceStep {
        guard steps.indices.contains(position) else {
            throw TraceError(
                file: path, location: .file, category: .notFound,
                problem: "step position \(position) is outside 0..<\(steps.count)")
        }
        return try readStep(entry: steps[position], tensorFilter: nil).step
    }

    /// The recorded step with training step number `step`.
    public func readStep(step: UInt64) throws -> TraceStep {
        try readStep(at: try position(of: step))
    }

    /// The recorded step `step` with only the tensors `select` accepts. Uncompressed tensors that are not selected are
    /// skipped without reading their data (so a damaged tensor elsewhere in the step does not stop the read).
    public func readStep(step: UInt64, where select: @escaping (String) -> Bool) throws -> TraceStep {
        try readStep(entry: steps[try position(of: step)], tensorFilter: select).step
    }

    /// The names of a step's tensors in file order (reads only the names of uncompressed tensors).
    public func tensorNames(step: UInt64) throws -> [String] {
        try readStep(entry: steps[try position(of: step)], tensorFilter: { _ in false }).storage.map(\.name)
    }

    /// One tensor of one step, without decoding the step's other tensors.
    public func readTensor(step: UInt64, name: String) throws -> TraceTensor {
        let entry = steps[try position(of: step)]
        guard let t = try readStep(entry: entry, tensorFilter: { $0 == name }).step.tensors.first else {
            throw TraceError(
                file: path, location: .file, category: .notFound,
                problem: "step \(step) has no tensor named '\(name)'")
        }
        return t
    }

    /// Position in `steps` of training step `step`; a `notFound` error listing what exists otherwise.
    public func position(of step: UInt64) throws -> Int {
        var lo = 0, hi = steps.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if steps[mid].step < step { lo = mid + 1 } else { hi = mid }
        }
        guard lo < steps.count, steps[lo].step == step else {
            let listed = steps.prefix(12).map { String($0.step) }.joined(separator: ", ")
            let more = steps.count > 12 ? ", ... \(steps.last.map { String($0.step) } ?? "")" : ""
            throw TraceError(
                file: path, location: .file, category: .notFound,
                problem: "step \(step) is not in the trace; recorded steps: \(listed)\(more)")
        }
        return lo
    }

    /// Storage details of every tensor chunk of a step (reads and checks the chunks).
    public func tensorStorage(at position: Int) throws -> [TraceTensorStorage] {
        guard steps.indices.contains(position) else {
            throw TraceError(
                file: path, location: .file, category: .notFound,
                problem: "step position \(position) is outside 0..<\(steps.count)")
        }
        return try readStep(entry: steps[position], tensorFilter: nil).storage
    }

    // MARK: - Internals

    struct StepRead {
        var step: TraceStep
        var storage: [TraceTensorStorage]
    }

    /// Reads the STEP chunk of `entry` and its tensor chunks, decoding the tensors `tensorFilter` accepts (all if nil).
    func readStep(entry: TraceStepEntry, tensorFilter: ((String) -> Bool)?) throws -> StepRead {
        let c = try chunks.readHeader(at: entry.offset, ordinal: entry.chunkIndex)
        guard c.header.kind == .step, c.header.step == entry.step else {
            throw chunks.error(
                c, .malformed, "the index points here for step \(entry.step), but this is not that step's STEP chunk")
        }
        let payload = try chunks.readPayload(c)
        let (info, count) = try chunks.decode(c) { try Payloads.decodeStep(payload) }
        guard info.step == entry.step, count == entry.tensorCount else {
            throw chunks.error(
                c, .malformed,
                "STEP payload (step \(info.step), \(count) tensors) disagrees with the index (step \(entry.step), \(entry.tensorCount) tensors)"
            )
        }
        var tensors: [TraceTensor] = []
        var storage: [TraceTensorStorage] = []
        var offset = c.end
        var ordinal = c.ordinal + 1
        var names = Set<String>()
        while storage.count < count {
            let t = try chunks.readHeader(at: offset, ordinal: ordinal)
            offset = t.end
            ordinal += 1
            if t.header.kind != .tensor {
                if !ChunkKind.known.contains(t.header.kind), t.header.flags.contains(.optional) { continue }
                throw chunks.error(
                    t, .malformed,
                    "expected tensor \(storage.count + 1) of \(count) of step \(entry.step), found a '\(t.header.kind)' chunk"
                )
            }
            guard t.header.step == entry.step else {
                throw chunks.error(
                    t, .malformed,
                    "tensor chunk belongs to step \(t.header.step.map(String.init) ?? "none"), expected step \(entry.step)"
                )
            }
            if let filter = tensorFilter, !t.header.flags.contains(.compressed),
                let name = try? peekTensorName(t), !filter(name)
            {
                storage.append(
                    TraceTensorStorage(
                        name: name, dtype: nil, shape: nil, storedBytes: t.header.totalLength,
                        rawBytes: UInt64(ChunkHeader.size) &+ t.header.rawLength, compressed: false))
                continue
            }
            let payload = try chunks.readPayload(t)
            var name: String?
            let tensor = try chunks.decode(t, tensor: nil) {
                do { return try Payloads.decodeTensor(payload, nameSink: &name) } catch let e as PayloadError {
                    throw chunks.error(t, tensor: name, e.category, e.problem)
                }
            }
            guard names.insert(tensor.name).inserted else {
                throw chunks.error(
                    t, tensor: tensor.name, .malformed, "tensor name appears twice in step \(entry.step)")
            }
            storage.append(
                TraceTensorStorage(
                    name: tensor.name, dtype: tensor.dtype, shape: tensor.shape,
                    storedBytes: t.header.totalLength,
                    rawBytes: UInt64(ChunkHeader.size) &+ t.header.rawLength,
                    compressed: t.header.flags.contains(.compressed)))
            if tensorFilter?(tensor.name) ?? true { tensors.append(tensor) }
        }
        return StepRead(step: TraceStep(info: info, tensors: tensors), storage: storage)
    }

    /// The name of an uncompressed tensor chunk, from the first bytes of its payload (no CRC check: only used to skip).
    private func peekTensorName(_ c: ChunkReader.Located) throws -> String {
        let n = Int(min(c.header.storedLength, UInt64(2 + TraceLimits.maxNameBytes)))
        var r = ByteReader(try chunks.file.read(at: c.payloadOffset, count: n))
        return try r.string16("tensor name", maxBytes: TraceLimits.maxNameBytes)
    }

    static func readHeaderChunk(_ c: ChunkReader.Located, _ chunks: ChunkReader) throws -> TraceHeader {
        guard c.header.kind == .header else {
            throw chunks.error(c, .malformed, "chunk 0 must be the 'HEAD' chunk")
        }
        let payload = try chunks.readPayload(c)
        let header: TraceHeader
        do {
            header = try JSONDecoder().decode(TraceHeader.self, from: Data(payload))
        } catch {
            throw chunks.error(c, .malformed, "header JSON is invalid: \(describe(error))")
        }
        // A header that contradicts itself is refused here, so no reader (sim, replay, info, dump) acts on it.
        let problems = TraceConventions.check(header: header)
        if let first = problems.first {
            let more = problems.count > 1 ? " (and \(problems.count - 1) more; `lrsim trace verify` lists them)" : ""
            throw chunks.error(c, .malformed, "header: " + first + more)
        }
        return header
    }

    /// Reads the fixed-size trailer at the end of the file and the index it points to.
    static func readTrailerAndIndex(_ chunks: ChunkReader) throws -> ([TraceStepEntry], Int, ChunkReader.Located) {
        let size = chunks.file.size
        let tailOffset = size &- min(size, UInt64(Payloads.trailerChunkSize))
        guard size >= UInt64(Preamble.size + ChunkHeader.size + Payloads.trailerChunkSize) else {
            throw TraceError(
                file: chunks.path, location: .file, category: .truncated,
                problem: "truncated: too short to hold a trailer")
        }
        let tail = try chunks.readHeader(at: tailOffset, ordinal: nil)
        guard tail.header.kind == .trailer, tail.end == size else {
            throw chunks.error(tail, .truncated, "truncated: the file does not end with the trailer chunk 'TEND'")
        }
        let trailer = try chunks.decode(tail) { try Payloads.decodeTrailer(try chunks.readPayload(tail)) }
        guard trailer.fileLength == size, trailer.chunkCount == UInt64(tail.ordinal) &+ 1,
            trailer.indexOffset >= UInt64(Preamble.size), trailer.indexOffset < tailOffset
        else {
            throw chunks.error(
                tail, .malformed,
                "trailer (file length \(trailer.fileLength), \(trailer.chunkCount) chunks, index at \(trailer.indexOffset)) disagrees with the file (\(size) bytes, trailer is chunk \(tail.ordinal))"
            )
        }
        let idx = try chunks.readHeader(at: trailer.indexOffset, ordinal: nil)
        guard idx.header.kind == .index, idx.ordinal < tail.ordinal, idx.end <= tailOffset else {
            throw chunks.error(
                idx, .malformed,
                "the trailer points here for the index, but this is not an 'INDX' chunk before the trailer")
        }
        let entries = try chunks.decode(idx) { try Payloads.decodeIndex(try chunks.readPayload(idx)) }
        guard UInt64(entries.count) == trailer.stepCount else {
            throw chunks.error(
                idx, .malformed, "index lists \(entries.count) steps, the trailer says \(trailer.stepCount)")
        }
        var previous: TraceStepEntry?
        for (i, e) in entries.enumerated() {
            let ok =
                e.offset >= UInt64(Preamble.size) && e.offset < idx.offset
                && e.storedBytes <= idx.offset &- e.offset && e.chunkIndex > 0 && e.chunkIndex < idx.ordinal
                && previous.map {
                    e.step > $0.step && e.offset >= $0.offset &+ $0.storedBytes && e.chunkIndex > $0.chunkIndex
                } ?? true
            guard ok else {
                throw chunks.error(
                    idx, .malformed,
                    "index entry \(i) (step \(e.step), offset \(e.offset), \(e.storedBytes) bytes, chunk \(e.chunkIndex)) is out of order or outside the steps area"
                )
            }
            previous = e
        }
        return (entries, tail.ordinal + 1, idx)
    }
}

/// How one tensor of a step is stored.
public struct TraceTensorStorage: Equatable, Sendable, Codable {
    public var name: String
    /// nil for tensors skipped without decoding.
    public var dtype: TraceDType?
    public var shape: [Int]?
    /// Chunk bytes in the file (header included).
    public var storedBytes: UInt64
    /// Chunk bytes uncompressed (header included).
    public var rawBytes: UInt64
    public var compressed: Bool

    enum CodingKeys: String, CodingKey {
        case name, dtype, shape, compressed
        case storedBytes = "stored_bytes", rawBytes = "raw_bytes"
    }
}

/// A one-line description of a decoding error (JSONDecoder's are multi-line and verbose).
func describe(_ error: Error) -> String {
    switch error {
    case let DecodingError.keyNotFound(key, ctx):
        return "missing field '\(path(ctx.codingPath + [key]))'"
    case let DecodingError.typeMismatch(type, ctx):
        return "field '\(path(ctx.codingPath))' is not a \(type)"
    case let DecodingError.valueNotFound(type, ctx):
        return "field '\(path(ctx.codingPath))' is null, expected \(type)"
    case let DecodingError.dataCorrupted(ctx):
        return ctx.codingPath.isEmpty ? "not valid JSON" : "field '\(path(ctx.codingPath))' is invalid"
    default:
        return String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}

private func path(_ keys: [CodingKey]) -> String {
    keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        .replacingOccurrences(of: ".[", with: "[")
}
