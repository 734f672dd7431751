import Foundation
import LRIO

/// Per-chunk compression. zlib is applied chunk by chunk and kept only where it saves space.
public enum TraceCompression: String, CaseIterable, Sendable, Codable {
    case none
    case zlib
}

/// Streams a trace to disk while training runs.
///
/// Memory stays bounded by the largest single tensor: each tensor is checksummed (and optionally compressed) and
/// written as its own chunk. The file is written under a temporary name in the destination's directory and renamed
/// into place by `finish()`, so a crash never leaves a partial file at the destination (`LRIO.OutputFile`, shared
/// with every other output: a symbolic link is written through, a device, FIFO or directory is refused up front).
/// Not thread-safe: one writer, one thread.
///
///     let w = try TraceWriter(path: "run.lrt", header: header)
///     try w.beginStep(TraceStepInfo(step: 0, epoch: 0, noiseSeed: seed, noiseStep: 0), tensorCount: 2)
///     try w.appendTensor(name: "input", shape: [128, 784], float32: inputBuffer)
///     try w.appendTensor(TraceTensor(name: "labels", shape: [128], int32: labels))
///     try w.finish()
public final class TraceWriter {
    public struct Options: Sendable {
        public var compression: TraceCompression
        /// zlib level 1...9; 1 is several times faster than 6 and nearly as small on float data.
        public var compressionLevel: Int32
        public init(compression: TraceCompression = .none, compressionLevel: Int32 = 1) {
            self.compression = compression; self.compressionLevel = compressionLevel
        }
    }

    /// The destination path.
    public let path: String
    /// Bytes written so far (including the preamble).
    public private(set) var bytesWritten: UInt64 = 0
    /// Steps completed so far.
    public var stepCount: Int { index.count }

    /// Where the finished file goes: `path`, or the final target when `path` is a symbolic link.
    let destination: String
    let temporaryPath: String
    private let options: Options
    private var file: WritableFile?
    private var chunkCount: UInt32 = 0
    private var index: [TraceStepEntry] = []
    private var open: OpenStep?
    private var lastStep: UInt64?
    private var finished = false
    private var scratch: [UInt8] = []
    private var compressed: [UInt8] = []

    private struct OpenStep {
        var entry: TraceStepEntry
        var remaining: Int
        var names: Set<String>
    }

    public convenience init(path: String, header: TraceHeader, options: Options = Options()) throws {
        try self.init(path: path, header: header, options: options, formatVersion: .current)
    }

    /// `formatVersion` lets tests forge files of other versions.
    init(path: String, header: TraceHeader, options: Options, formatVersion: TraceFormatVersion) throws {
        self.path = path
        self.options = options
        guard (1...9).contains(options.compressionLevel) else {
            throw TraceError(
                file: path, location: .file, category: .usage,
                problem: "compression level \(options.compressionLevel) is outside 1...9")
        }
        let json = try Self.encode(header, path: path)
        do {
            destination = try OutputFile.destination(for: path)
            let (temporary, descriptor) = try OutputFile.createTemporary(for: destination, path: path)
            temporaryPath = temporary
            file = WritableFile(descriptor: descriptor, path: path)
        } catch {
            throw TraceError(file: error.path, location: .file, category: .io, problem: error.problem)
        }
        do {
            try emit(Preamble.encoded(formatVersion))
            try writeChunk(kind: .header, flags: [], step: nil, prefix: Array(json.utf8), data: nil)
        } catch {
            cancel()
            throw error
        }
    }

    deinit { if !finished { cancel() } }

    /// Starts a sampled step. Exactly `tensorCount` tensors must follow before the next step or `finish()`.
    /// Steps must be strictly increasing.
    public func beginStep(_ info: TraceStepInfo, tensorCount: Int) throws {
        try ensureWritable()
        if let open {
            throw usage(
                "step \(open.entry.step) still expects \(open.remaining) more tensor(s); cannot begin step \(info.step)"
            )
        }
        if let lastStep, info.step <= lastStep {
            throw usage("step \(info.step) does not come after step \(lastStep); steps must be strictly increasing")
        }
        guard tensorCount >= 0, tensorCount <= Int(UInt32.max) else {
            throw usage("tensor count \(tensorCount) is invalid")
        }
        guard info.scalars.count <= Int(UInt32.max) else { throw usage("too many scalars") }
        var seen = Set<String>()
        for s in info.scalars {
            try checkName(s.name, what: "scalar")
            guard seen.insert(s.name).inserted else {
                throw usage("scalar '\(s.name)' appears twice in step \(info.step)")
            }
        }
        let entry = TraceStepEntry(
            step: info.step, epoch: info.epoch, tensorCount: tensorCount, offset: bytesWritten,
            storedBytes: 0, rawBytes: 0, chunkIndex: Int(chunkCount))
        open = OpenStep(entry: entry, remaining: tensorCount, names: [])
        lastStep = info.step
        let (stored, raw) = try writeChunk(
            kind: .step, flags: [], step: info.step,
            prefix: Payloads.encodeStep(info, tensorCount: tensorCount), data: nil)
        try account(stored: stored, raw: raw)
    }

    /// Appends a tensor of the current step.
    public func appendTensor(_ tensor: TraceTensor) throws {
        try tensor.bytes.withUnsafeBytes {
            try appendTensor(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, data: $0)
        }
    }

    /// Appends a tensor straight from the trainer's buffer (no copy when uncompressed).
    public func appendTensor(name: String, shape: [Int], float32 values: UnsafeBufferPointer<Float>) throws {
        try appendTensor(name: name, dtype: .f32, shape: shape, data: UnsafeRawBufferPointer(values))
    }

    /// Appends a tensor whose elements are `data`, little-endian (the host order on x86_64 and arm64).
    public func appendTensor(name: String, dtype: TraceDType, shape: [Int], data: UnsafeRawBufferPointer) throws {
        try ensureWritable()
        guard var step = open else { throw usage("tensor '\(name)' appended outside a step; call beginStep first") }
        try checkName(name, what: "tensor")
        guard !step.names.contains(name) else {
            throw usage("tensor '\(name)' appears twice in step \(step.entry.step)")
        }
        guard let count = TraceLimits.elementCount(shape), let need = dtype.byteCount(elements: count) else {
            throw usage(
                "tensor '\(name)': shape \(shape) is invalid (negative, rank > \(TraceLimits.maxRank) or too many elements)"
            )
        }
        guard need == data.count else {
            throw usage("tensor '\(name)': shape \(shape) of \(dtype) needs \(need) bytes, got \(data.count)")
        }
        if dtype == .u1, count % 8 != 0, let last = data.last, last >> UInt8(count % 8) != 0 {
            throw usage("tensor '\(name)': unused bits of the last u1 byte must be zero")
        }
        step.names.insert(name)
        step.remaining -= 1
        open = step
        let (stored, raw) = try writeChunk(
            kind: .tensor, flags: [], step: step.entry.step,
            prefix: Payloads.encodeTensorPrefix(name: name, dtype: dtype, shape: shape),
            data: data)
        try account(stored: stored, raw: raw)
    }

    /// Writes a whole step.
    public func appendStep(_ step: TraceStep) throws {
        try beginStep(step.info, tensorCount: step.tensors.count)
        for t in step.tensors { try appendTensor(t) }
    }

    /// Writes an extension chunk of a kind this lrsim does not define. Readers that do not know `kind` skip it when
    /// `optional` is true and refuse the file otherwise. Not allowed inside a step.
    public func appendExtensionChunk(kind: ChunkKind, payload: [UInt8], optional: Bool) throws {
        try ensureWritable()
        guard !ChunkKind.known.contains(kind) else { throw usage("chunk kind '\(kind)' is reserved") }
        if let open { throw usage("step \(open.entry.step) still expects \(open.remaining) more tensor(s)") }
        _ = try writeChunk(kind: kind, flags: optional ? [.optional] : [], step: nil, prefix: payload, data: nil)
    }

    /// Writes the index and trailer, syncs and renames the file into place.
    public func finish() throws {
        try ensureWritable()
        if let open {
            throw usage("cannot finish: step \(open.entry.step) still expects \(open.remaining) more tensor(s)")
        }
        do {
            let indexOffset = bytesWritten
            _ = try writeChunk(kind: .index, flags: [], step: nil, prefix: Payloads.encodeIndex(index), data: nil)
            let trailer = Payloads.Trailer(
                indexOffset: indexOffset, chunkCount: UInt64(chunkCount) &+ 1,
                stepCount: UInt64(index.count),
                fileLength: bytesWritten &+ UInt64(Payloads.trailerChunkSize))
            _ = try writeChunk(
                kind: .trailer, flags: [], step: nil, prefix: Payloads.encodeTrailer(trailer), data: nil,
                allowCompression: false)
            try file?.close()
            file = nil
            do { try OutputFile.commit(temporary: temporaryPath, to: destination, path: path) } catch {
                throw TraceError(file: error.path, location: .file, category: .io, problem: error.problem)
            }
            finished = true
        } catch {
            cancel()
            throw error
        }
    }

    /// Abandons the trace: closes and removes the temporary file. The destination is untouched.
    public func cancel() {
        file?.abandon()
        file = nil
        if !finished { unlink(temporaryPath) }
        finished = true
    }

    // MARK: - Internals

    private func ensureWritable() throws {
        guard !finished, file != nil else { throw usage("the writer is finished or was cancelled after an error") }
    }

    private func usage(_ problem: String) -> TraceError {
        TraceError(file: path, location: .file, category: .usage, problem: problem)
    }

    private func checkName(_ name: String, what: String) throws {
        let n = name.utf8.count
        guard n >= 1, n <= TraceLimits.maxNameBytes else {
            throw usage("\(what) name '\(name)' must have 1...\(TraceLimits.maxNameBytes) UTF-8 bytes")
        }
    }

    private func account(stored: UInt64, raw: UInt64) throws {
        guard var step = open else { return }
        step.entry.storedBytes &+= stored
        step.entry.rawBytes &+= raw
        if step.remaining == 0 {
            index.append(step.entry)
            open = nil
        } else {
            open = step
        }
    }

    private func emit(_ bytes: [UInt8]) throws {
        guard let file else { throw usage("the writer is closed") }
        try file.write(bytes)
        bytesWritten &+= UInt64(bytes.count)
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        guard let file else { throw usage("the writer is closed") }
        try file.write(bytes)
        bytesWritten &+= UInt64(bytes.count)
    }

    /// Writes one chunk whose payload is `prefix` followed by `data`. Returns (stored, raw) sizes including the
    /// chunk header. On an I/O error the writer cancels itself.
    @discardableResult
    private func writeChunk(
        kind: ChunkKind, flags: ChunkHeader.Flags, step: UInt64?, prefix: [UInt8],
        data: UnsafeRawBufferPointer?, allowCompression: Bool = true
    ) throws -> (UInt64, UInt64) {
        let dataCount = data?.count ?? 0
        let rawLength = prefix.count &+ dataCount
        var flags = flags
        var compressedCount: Int?
        if allowCompression, options.compression == .zlib, rawLength >= 64 {
            scratch.removeAll(keepingCapacity: true)
            scratch.reserveCapacity(rawLength)
            scratch.append(contentsOf: prefix)
            if let data { scratch.append(contentsOf: data) }
            compressedCount = scratch.withUnsafeBytes {
                Zlib.compress($0, level: options.compressionLevel, into: &compressed)
            }
            if compressedCount != nil { flags.insert(.compressed) }
        }
        let crc: UInt32
        if let n = compressedCount {
            crc = compressed.withUnsafeBytes { Zlib.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        } else {
            let c = Zlib.crc32(prefix)
            crc = data.map { Zlib.crc32($0, continuing: c) } ?? c
        }
        let storedLength = compressedCount ?? rawLength
        let header = ChunkHeader(
            kind: kind, flags: flags, index: chunkCount, step: step,
            storedLength: UInt64(storedLength), rawLength: UInt64(rawLength), payloadCRC: crc)
        do {
            try emit(header.encoded())
            if let n = compressedCount {
                try compressed.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            } else {
                try emit(prefix)
                if let data { try emit(data) }
            }
        } catch {
            cancel()
            throw error
        }
        chunkCount &+= 1
        return (UInt64(ChunkHeader.size &+ storedLength), UInt64(ChunkHeader.size &+ rawLength))
    }

    static func encode(_ header: TraceHeader, path: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(header), as: UTF8.self)
        } catch let EncodingError.invalidValue(value, context) {
            let field = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            throw TraceError(
                file: path, location: .file, category: .usage,
                problem:
                    "cannot encode the trace header as JSON: field '\(field.drop { $0 == "." })' has the value \(value), which JSON cannot hold"
            )
        } catch {
            throw TraceError(
                file: path, location: .file, category: .usage,
                problem: "cannot encode the trace header as JSON: \(error)")
        }
    }
}
