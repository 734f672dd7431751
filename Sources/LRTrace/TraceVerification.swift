import Foundation

/// Checks a whole trace: every checksum, every length, chunk ordering, the index and trailer against what the scan
/// found, header consistency, tensor shapes against the header's layer table, and (when a `TraceStepVerifier` is
/// given) a per-step recomputation.
///
/// Framing damage (a bad chunk header, a truncated file) stops the scan, since nothing after it can be located.
/// Damage inside a payload is recorded and the scan continues with the next chunk.
public enum TraceVerification {
    public static func verify(
        path: String, stepVerifier: (any TraceStepVerifier)? = nil,
        maxProblems: Int = 50
    ) -> TraceVerificationReport {
        var scan = Scan(path: path, stepVerifier: stepVerifier, maxProblems: max(1, maxProblems))
        do {
            scan.run(try ReadableFile(path: path))
        } catch let e as TraceError {
            scan.fail(e)
        } catch {
            scan.fail(TraceError(file: path, location: .file, category: .io, problem: "\(error)"))
        }
        return scan.report
    }

    /// Verifies a trace held in memory; `name` stands for the path in messages.
    public static func verify(
        bytes: [UInt8], name: String, stepVerifier: (any TraceStepVerifier)? = nil,
        maxProblems: Int = 50
    ) -> TraceVerificationReport {
        var scan = Scan(path: name, stepVerifier: stepVerifier, maxProblems: max(1, maxProblems))
        scan.run(MemorySource(name: name, bytes: bytes))
        return scan.report
    }

    /// The first framing problem of a file, if any (used by `TraceReader` to explain why it cannot open a file):
    /// walks the chunk headers only, without reading payloads.
    static func firstFramingError(source: any ByteSource) -> TraceError? {
        var scan = Scan(path: source.path, stepVerifier: nil, maxProblems: 1)
        scan.framingOnly = true
        scan.run(source)
        return scan.errors.first
    }
}

/// The result of `TraceVerification.verify`; encoded as the JSON of `lrsim trace verify --json`.
public struct TraceVerificationReport: Codable, Sendable {
    public var file: String
    /// True when the scan found no problem and the recomputation, if it ran, passed.
    public var ok: Bool
    public var formatVersion: String?
    public var producer: String?
    public var fileBytes: UInt64
    public var chunks: Int
    public var steps: Int
    public var tensors: Int
    /// Chunk bytes as stored and uncompressed (headers included).
    public var storedBytes: UInt64
    public var rawBytes: UInt64
    /// Unknown optional chunks that were checksum-checked and skipped.
    public var skippedChunks: [SkippedChunk]
    /// One line per problem, in file order.
    public var problems: [String]
    public var recomputation: Recomputation

    public struct SkippedChunk: Codable, Sendable, Equatable {
        public var index: Int
        public var kind: String
        public var offset: UInt64
    }

    public struct Recomputation: Codable, Sendable {
        /// `not_run`, `passed` or `failed`.
        public var status: String
        public var check: String?
        public var stepsChecked: Int
        public var stepsFailed: Int
        /// Why it did not run, or the first failures.
        public var messages: [String]

        enum CodingKeys: String, CodingKey {
            case status, check, messages
            case stepsChecked = "steps_checked", stepsFailed = "steps_failed"
        }
    }

    /// The one-line summary `lrsim trace verify` prints.
    public var summary: String {
        // "OK" only when everything that ran passed: a failed recomputation fails the file.
        let structure =
            problems.isEmpty
            ? "\(file): \(ok ? "OK" : "FAILED"): \(chunks) chunks, \(steps) steps, \(tensors) tensors, \(fileBytes) bytes; every checksum, length and cross-reference verified"
            : "\(file): FAILED: \(problems.count) problem(s) in \(chunks) chunks read"
        let recompute: String
        switch recomputation.status {
        case "passed":
            recompute = "\(recomputation.check ?? "recomputation") passed on \(recomputation.stepsChecked) step(s)"
        case "failed":
            recompute =
                "\(recomputation.check ?? "recomputation") FAILED on \(recomputation.stepsFailed) of \(recomputation.stepsChecked) step(s)"
        default: recompute = "gradient recomputation NOT RUN (\(recomputation.messages.first ?? "no step verifier"))"
        }
        return structure + "; " + recompute
    }

    enum CodingKeys: String, CodingKey {
        case file, ok, producer, chunks, steps, tensors, problems, recomputation
        case formatVersion = "format_version", fileBytes = "file_bytes", storedBytes = "stored_bytes",
            rawBytes = "raw_bytes", skippedChunks = "skipped_chunks"
    }
}

/// The sequential scan behind `TraceVerification`.
private struct Scan {
    let path: String
    let stepVerifier: (any TraceStepVerifier)?
    let maxProblems: Int
    /// Only walk chunk headers (lengths, CRCs of headers, ordinals, the trailer's place); payloads are not read.
    var framingOnly = false
    var errors: [TraceError] = []
    var report: TraceVerificationReport

    // Scan state.
    var header: TraceHeader?
    var scanned: [TraceStepEntry] = []
    var open: OpenStep?
    var index: (chunk: ChunkReader.Located, entries: [TraceStepEntry]?)?
    var lastComplete: ChunkReader.Located?
    var recomputeMessages: [String] = []
    /// False once the header has a problem: steps are then not recomputed (their failures would only repeat it).
    var headerSound = true
    var stepsChecked = 0
    var stepsFailed = 0

    struct OpenStep {
        var chunk: ChunkReader.Located
        var info: TraceStepInfo?
        var expected: Int?
        var seen = 0
        var damaged = false
        var entry: TraceStepEntry
        var tensors: [(TraceTensor, ChunkReader.Located)] = []
        var names = Set<String>()
    }

    init(path: String, stepVerifier: (any TraceStepVerifier)?, maxProblems: Int) {
        self.path = path; self.stepVerifier = stepVerifier; self.maxProblems = maxProblems
        report = TraceVerificationReport(
            file: path, ok: false, formatVersion: nil, producer: nil, fileBytes: 0, chunks: 0, steps: 0, tensors: 0,
            storedBytes: 0, rawBytes: 0, skippedChunks: [], problems: [],
            recomputation: .init(
                status: "not_run", check: stepVerifier?.checkName, stepsChecked: 0, stepsFailed: 0,
                messages: []))
    }

    var full: Bool { errors.count >= maxProblems }

    mutating func record(_ e: TraceError) { if !full { errors.append(e) } }

    /// Records an error that prevented the scan from starting.
    mutating func fail(_ e: TraceError) {
        record(e)
        finish()
    }

    mutating func run(_ source: any ByteSource) {
        report.fileBytes = source.size
        do {
            try scan(ChunkReader(file: source))
        } catch let e as TraceError {
            record(e)
        } catch {
            record(TraceError(file: path, location: .file, category: .io, problem: "\(error)"))
        }
        finish()
    }

    mutating func finish() {
        report.problems = errors.map(\.description)
        report.steps = scanned.count
        if stepVerifier == nil {
            recomputeMessages = ["no step verifier is available to this command; the float gradient was not recomputed"]
        } else if stepsChecked == 0, headerSound {
            recomputeMessages.insert("no complete undamaged step to check", at: 0)
        }
        report.recomputation.stepsChecked = stepsChecked
        report.recomputation.stepsFailed = stepsFailed
        report.recomputation.messages = Array(recomputeMessages.prefix(20))
        report.recomputation.status =
            stepVerifier == nil || stepsChecked == 0 ? "not_run" : stepsFailed == 0 ? "passed" : "failed"
        report.ok = errors.isEmpty && report.recomputation.status != "failed"
    }

    mutating func scan(_ r: ChunkReader) throws {
        let version = try r.readPreamble()
        report.formatVersion = version.description
        var offset = UInt64(Preamble.size)
        var ordinal = 0
        while offset < r.file.size, !full {
            let c: ChunkReader.Located
            do {
                c = try r.readHeader(at: offset, ordinal: ordinal)
            } catch var e as TraceError {
                if e.category == .truncated { e.problem += lastGoodChunk() }
                throw e
            }
            report.chunks = ordinal + 1
            report.storedBytes &+= c.header.totalLength
            report.rawBytes &+= UInt64(ChunkHeader.size) &+ c.header.rawLength
            if ordinal == 0, c.header.kind != .header {
                throw r.error(c, .malformed, "chunk 0 must be the 'HEAD' chunk")
            }
            if !framingOnly { try visit(c, r) }
            if c.header.kind == .trailer {
                if c.end != r.file.size {
                    throw r.error(c, .malformed, "\(r.file.size &- c.end) unexpected bytes after the trailer chunk")
                }
                return
            }
            lastComplete = c
            offset = c.end
            ordinal += 1
        }
        if full { return }
        let problem =
            "truncated: the file ends without the trailer chunk 'TEND' (the writer did not finish)" + lastGoodChunk()
        throw TraceError(
            file: path, location: .chunk(index: ordinal, kind: nil, step: nil, tensor: nil, offset: offset),
            category: .truncated, problem: problem)
    }

    func lastGoodChunk() -> String {
        guard let c = lastComplete else { return "" }
        let step = c.header.step.map { ", step \($0)" } ?? ""
        return
            "; the last complete chunk is chunk \(c.ordinal) (kind '\(c.header.kind)'\(step)) ending at byte offset \(c.end)"
    }

    /// Reads a payload, recording (not throwing) checksum and decompression failures.
    mutating func payload(_ c: ChunkReader.Located, _ r: ChunkReader) -> [UInt8]? {
        do { return try r.readPayload(c) } catch let e as TraceError { record(e); return nil } catch { return nil }
    }

    mutating func visit(_ c: ChunkReader.Located, _ r: ChunkReader) throws {
        let kind = c.header.kind
        if kind != .tensor, !(kind != .step && !ChunkKind.known.contains(kind) && c.header.flags.contains(.optional)) {
            closeStep(r)
        }
        switch kind {
        case .header:
            guard c.ordinal == 0 else { return record(r.error(c, .malformed, "a second 'HEAD' chunk")) }
            guard let bytes = payload(c, r) else { return }
            do {
                let h = try JSONDecoder().decode(TraceHeader.self, from: Data(bytes))
                header = h
                report.producer = h.producer
                var problems = TraceConventions.check(header: h)
                if problems.isEmpty, let verifier = stepVerifier { problems = verifier.check(header: h) }
                for p in problems { record(r.error(c, .malformed, "header: " + p)) }
                if !problems.isEmpty {
                    headerSound = false
                    recomputeMessages.append("\(path): no step recomputed: the header is inconsistent")
                }
            } catch {
                record(r.error(c, .malformed, "header JSON is invalid: \(describe(error))"))
                headerSound = false
            }
        case .step:
            if index != nil { record(r.error(c, .malformed, "a 'STEP' chunk after the index")) }
            var o = OpenStep(
                chunk: c,
                entry: TraceStepEntry(
                    step: c.header.step ?? 0, epoch: 0, tensorCount: 0,
                    offset: c.offset, storedBytes: c.header.totalLength,
                    rawBytes: UInt64(ChunkHeader.size) &+ c.header.rawLength,
                    chunkIndex: c.ordinal))
            if let last = scanned.last, let s = c.header.step, s <= last.step {
                record(r.error(c, .malformed, "step \(s) does not come after step \(last.step)"))
            }
            if c.header.step == nil {
                record(r.error(c, .malformed, "STEP chunk without a step number")); o.damaged = true
            }
            if let bytes = payload(c, r) {
                do {
                    let (info, count) = try r.decode(c) { try Payloads.decodeStep(bytes) }
                    if info.step != c.header.step {
                        record(
                            r.error(
                                c, .malformed,
                                "payload says step \(info.step), the chunk header says \(c.header.step.map(String.init) ?? "none")"
                            ))
                        o.damaged = true
                    }
                    o.info = info
                    o.expected = count
                    o.entry.epoch = info.epoch
                    o.entry.tensorCount = count
                } catch let e as TraceError {
                    record(e)
                    o.damaged = true
                }
            } else {
                o.damaged = true
            }
            open = o
        case .tensor:
            guard var o = open, o.chunk.header.step != nil, c.header.step == o.chunk.header.step else {
                record(
                    r.error(
                        c, .malformed,
                        "tensor chunk outside its step (the preceding STEP chunk is for step \(open?.chunk.header.step.map(String.init) ?? "none"))"
                    ))
                _ = payload(c, r)
                return
            }
            o.seen += 1
            o.entry.storedBytes &+= c.header.totalLength
            o.entry.rawBytes &+= UInt64(ChunkHeader.size) &+ c.header.rawLength
            report.tensors += 1
            if let expected = o.expected, o.seen > expected {
                record(
                    r.error(
                        c, .malformed, "step \(o.entry.step) declares \(expected) tensors, this is tensor \(o.seen)"))
                o.damaged = true
            }
            if let bytes = payload(c, r) {
                var name: String?
                do {
                    let t = try Payloads.decodeTensor(bytes, nameSink: &name)
                    if o.names.insert(t.name).inserted {
                        o.tensors.append((t, c))
                    } else {
                        record(
                            r.error(c, tensor: t.name, .malformed, "tensor name appears twice in step \(o.entry.step)"))
                        o.damaged = true
                    }
                } catch let e as PayloadError {
                    record(r.error(c, tensor: name, e.category, e.problem))
                    o.damaged = true
                }
            } else {
                o.damaged = true
            }
            open = o
        case .index:
            if index != nil { record(r.error(c, .malformed, "a second 'INDX' chunk")) }
            if let bytes = payload(c, r) {
                do {
                    index = (c, try r.decode(c) { try Payloads.decodeIndex(bytes) })
                } catch let e as TraceError {
                    record(e)
                    index = (c, nil)
                }
            } else {
                index = (c, nil)
            }
            if let entries = index?.entries, entries != scanned {
                let firstDiff =
                    zip(entries, scanned).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                    ?? min(entries.count, scanned.count)
                record(
                    r.error(
                        c, .malformed,
                        "index (\(entries.count) steps) disagrees with the steps in the file (\(scanned.count)) from entry \(firstDiff) on"
                    ))
            }
        case .trailer:
            guard let bytes = payload(c, r) else { return }
            do {
                let t = try r.decode(c) { try Payloads.decodeTrailer(bytes) }
                if index == nil { record(r.error(c, .malformed, "no 'INDX' chunk before the trailer")) }
                let expected = Payloads.Trailer(
                    indexOffset: index?.chunk.offset ?? 0, chunkCount: UInt64(c.ordinal) &+ 1,
                    stepCount: UInt64(scanned.count), fileLength: r.file.size)
                if index != nil, t != expected {
                    record(
                        r.error(
                            c, .malformed,
                            "trailer (index at \(t.indexOffset), \(t.chunkCount) chunks, \(t.stepCount) steps, \(t.fileLength) bytes) disagrees with the file (index at \(expected.indexOffset), \(expected.chunkCount) chunks, \(expected.stepCount) steps, \(expected.fileLength) bytes)"
                        ))
                }
            } catch let e as TraceError {
                record(e)
            }
        default:
            if c.header.flags.contains(.optional) {
                do { try r.checkPayloadCRC(c) } catch let e as TraceError { record(e) }
                report.skippedChunks.append(.init(index: c.ordinal, kind: kind.description, offset: c.offset))
            } else {
                record(
                    r.error(
                        c, .malformed,
                        "unknown required chunk kind '\(kind)' (this lrsim understands \(ChunkKind.known.map(\.description).joined(separator: ", "))); written by a newer lrsim?"
                    ))
                do { try r.checkPayloadCRC(c) } catch let e as TraceError { record(e) }
            }
        }
    }

    /// Finishes the open step: counts, cross-references, and the step verifier.
    mutating func closeStep(_ r: ChunkReader) {
        guard let o = open else { return }
        open = nil
        scanned.append(o.entry)
        var sound = !o.damaged
        if let expected = o.expected, o.seen < expected {
            record(
                r.error(o.chunk, .malformed, "step \(o.entry.step) declares \(expected) tensors but \(o.seen) follow"))
            sound = false
        }
        if let header {
            let batch = o.tensors.first { $0.0.name == TraceNames.input }?.0.shape.first
            for (t, c) in o.tensors {
                for p in TraceConventions.check(tensor: t, header: header, batch: batch) {
                    record(r.error(c, tensor: t.name, .malformed, p))
                    sound = false
                }
            }
        }
        guard let verifier = stepVerifier, headerSound else { return }
        // Messages name the file and the step once (a verifier's own message may already start with "step N: ").
        let stepPrefix = "step \(o.entry.step): "
        func message(_ text: String) -> String {
            path + ": " + stepPrefix + (text.hasPrefix(stepPrefix) ? String(text.dropFirst(stepPrefix.count)) : text)
        }
        guard sound, let header, let info = o.info else {
            recomputeMessages.append(message("skipped, the step is damaged"))
            return
        }
        stepsChecked += 1
        let step = TraceStep(info: info, tensors: o.tensors.map(\.0))
        do {
            let result = try verifier.verify(step: step, header: header)
            if !result.passed {
                stepsFailed += 1
                recomputeMessages.append(message(result.detail))
            }
        } catch {
            stepsFailed += 1
            recomputeMessages.append(message("\(error)"))
        }
    }
}
