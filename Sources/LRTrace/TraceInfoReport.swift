import Foundation

/// What `lrsim trace info` shows: the header, the steps and how big everything is.
public struct TraceInfoReport: Codable, Sendable {
    public var file: String
    public var fileBytes: UInt64
    public var formatVersion: String
    /// Set when the file's minor version is newer than this lrsim's (readable; unknown extras skipped).
    public var formatNote: String?
    public var producer: String
    public var header: TraceHeader
    public var chunks: Int
    public var steps: [TraceStepEntry]
    /// Tensors of the first recorded step with their sizes.
    public var tensors: [TraceTensorStorage]
    public var storedBytes: UInt64
    public var rawBytes: UInt64
    /// rawBytes / storedBytes over the whole file (1 when nothing is compressed).
    public var compressionRatio: Double

    public init(reader: TraceReader) throws {
        file = reader.path
        fileBytes = reader.fileSize
        formatVersion = reader.formatVersion.description
        if reader.formatVersion.readability() == .readableNewerMinor {
            formatNote =
                "written with format \(reader.formatVersion), newer than this lrsim's \(TraceFormatVersion.current); unknown optional parts are skipped"
        }
        producer = reader.header.producer
        header = reader.header
        chunks = reader.chunkCount
        steps = reader.steps
        tensors = reader.steps.isEmpty ? [] : try reader.tensorStorage(at: 0)
        // Preamble, TEND and extension chunks are counted as stored; steps, HEAD and INDX may be compressed.
        let stepStored = reader.steps.reduce(UInt64(0)) { $0 &+ $1.storedBytes }
        let stepRaw = reader.steps.reduce(UInt64(0)) { $0 &+ $1.rawBytes }
        storedBytes = reader.fileSize
        rawBytes =
            reader.fileSize &- stepStored &+ stepRaw &- reader.metadataChunkBytes.stored
            &+ reader.metadataChunkBytes.raw
        compressionRatio = storedBytes == 0 ? 1 : Double(rawBytes) / Double(storedBytes)
    }

    enum CodingKeys: String, CodingKey {
        case file, producer, header, chunks, steps, tensors
        case fileBytes = "file_bytes", formatVersion = "format_version", formatNote = "format_note",
            storedBytes = "stored_bytes", rawBytes = "raw_bytes", compressionRatio = "compression_ratio"
    }

    /// Human-readable rendering. `currentProducer` (this program) is shown next to the file's producer when they differ.
    public func text(currentProducer: String? = nil) -> String {
        var out: [String] = []
        let h = header
        out.append("file:        \(file) (\(fileBytes) bytes, \(chunks) chunks)")
        out.append("format:      \(formatVersion)" + (formatNote.map { " (\($0))" } ?? ""))
        var prod = "producer:    \(producer)"
        if let current = currentProducer, current != producer { prod += " (this is \(current); accepted)" }
        out.append(prod)
        out.append("config hash: \(h.configHash)")
        out.append("model:       \(h.model.spec), activation \(h.model.activation), input \(h.model.inputShape)")
        for l in h.model.layers {
            let params = l.parameters.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
            out.append(
                "  layer \(l.index): \(l.summary)  \(l.inputShape) -> \(l.outputShape)"
                    + (params.isEmpty ? "" : "  [\(params)]"))
        }
        let e = h.estimator
        out.append(
            "estimator:   \(e.name), perturbed layers \(e.perturbedLayers), copies \(e.copies), sigma \(e.sigma), antithetic \(e.antithetic), baseline \(e.baseline), noise \(e.noise)\(e.qmc ? " (qmc)" : ""), sign encoding \(e.signEncoding), seed \(e.seed), noise key layout \(e.noiseKeyLayout)"
        )
        out.append(
            "optimizer:   \(h.optimizer.name), lr \(h.optimizer.learningRate), batch \(h.optimizer.batchSize), epochs \(h.optimizer.epochs)"
        )
        out.append(
            "dataset:     \(h.dataset.name) \(h.dataset.split), \(h.dataset.samples) samples, \(h.dataset.digest), input \(h.dataset.inputTransform)"
        )
        out.append("steps:       \(steps.count) recorded (every \(h.traceEvery)): \(Self.stepList(steps.map(\.step)))")
        if !tensors.isEmpty, let first = steps.first {
            out.append("tensors of step \(first.step):")
            let width = tensors.map(\.name.count).max() ?? 0
            for t in tensors {
                let name = t.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let type = "\(t.dtype.map(\.description) ?? "?") \(t.shape.map { "\($0)" } ?? "?")"
                out.append(
                    "  \(name)  \(type.padding(toLength: 22, withPad: " ", startingAt: 0)) \(t.rawBytes) bytes"
                        + (t.compressed ? " -> \(t.storedBytes) stored" : ""))
            }
            out.append("  step total: \(first.rawBytes) bytes raw, \(first.storedBytes) stored")
        }
        out.append(
            String(
                format: "size:        %llu bytes stored, %llu raw, compression ratio %.3f", storedBytes, rawBytes,
                compressionRatio))
        return out.joined(separator: "\n")
    }

    static func stepList(_ s: [UInt64]) -> String {
        if s.count <= 12 { return s.map(String.init).joined(separator: ", ") }
        return s.prefix(6).map(String.init).joined(separator: ", ") + ", ..., "
            + s.suffix(3).map(String.init).joined(separator: ", ")
    }
}
