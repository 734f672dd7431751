import CZlib
import Foundation
import LRCore
import LRIO

/// Adversarial images crafted once and scored on any number of models (`lrsim eval --save-adversarial` /
/// `--adversarial`): the transfer protocol of the LR authors (images crafted on a substitute, every target scored on
/// the same images).
///
/// File layout (little-endian): magic `LRADV\0\0\0`, u32 version, u64 length + JSON metadata, the labels as int32, the
/// images as float32 (count x features, row-major), then a CRC-32 of everything before it.
public struct AdversarialSet: Equatable {
    /// What crafted the images.
    public struct Metadata: Codable, Equatable {
        /// fgsm, pgd or spsa.
        public var attack: String
        public var epsilon: Float
        /// The attack's other settings (steps, step size, samples, ...), for the record.
        public var settings: [String: Double]
        /// The checkpoint the images were crafted on, and its model.
        public var source: String
        public var sourceModel: String
        /// The clean data set the images came from (name and content digest) and their shape.
        public var dataset: String
        public var datasetDigest: String
        public var count: Int
        public var features: Int

        public init(
            attack: String, epsilon: Float, settings: [String: Double] = [:], source: String, sourceModel: String,
            dataset: String, datasetDigest: String, count: Int, features: Int
        ) {
            self.attack = attack; self.epsilon = epsilon; self.settings = settings; self.source = source
            self.sourceModel = sourceModel; self.dataset = dataset; self.datasetDigest = datasetDigest
            self.count = count; self.features = features
        }
    }

    public var metadata: Metadata
    public var labels: [Int32]
    public var images: [Float]

    static let magic: [UInt8] = Array("LRADV".utf8) + [0, 0, 0]
    static let version: UInt32 = 1

    public init(metadata: Metadata, labels: [Int32], images: [Float]) throws {
        guard labels.count == metadata.count, images.count == metadata.count &* metadata.features else {
            throw TrainingError.invalidOption(
                "adversarial set: \(labels.count) labels and \(images.count) values for \(metadata.count) images of \(metadata.features) features"
            )
        }
        self.metadata = metadata; self.labels = labels; self.images = images
    }

    public func write(to path: String) throws {
        var data = Data(Self.magic)
        let json = try JSONReport.encode(metadata)
        withUnsafeBytes(of: Self.version.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        // Raw little-endian words, as checkpoints store them (every supported host is little-endian).
        labels.withUnsafeBytes { data.append(contentsOf: $0) }
        images.withUnsafeBytes { data.append(contentsOf: $0) }
        let crc = data.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
        withUnsafeBytes(of: crc.littleEndian) { data.append(contentsOf: $0) }
        try AtomicFile.write(data, to: path)
    }

    public static func read(from path: String) throws -> AdversarialSet {
        func fail(_ m: String) -> TrainingError { .io(path: path, m) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw fail("cannot read the adversarial set")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 24, Array(bytes[0..<8]) == magic else {
            throw fail("not an lrsim adversarial set (bad magic; write one with lrsim eval --save-adversarial)")
        }
        func u32(_ o: Int) -> UInt32 { bytes[o..<(o + 4)].enumerated().reduce(0) { $0 | UInt32($1.1) << (8 * $1.0) } }
        func u64(_ o: Int) -> UInt64 { bytes[o..<(o + 8)].enumerated().reduce(0) { $0 | UInt64($1.1) << (8 * $1.0) } }
        let v = u32(8)
        guard v == version else { throw fail("adversarial set version \(v) is not supported (expected \(version))") }
        let crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count - 4))) }
        guard crc == u32(bytes.count - 4) else { throw fail("checksum mismatch (file damaged or truncated)") }
        let jsonLength = u64(12)
        guard jsonLength <= UInt64(bytes.count - 24) else {
            throw fail("metadata length \(jsonLength) exceeds the file size")
        }
        let jsonEnd = 20 + Int(jsonLength)
        let meta: Metadata
        do { meta = try JSONReport.decode(Metadata.self, from: Data(bytes[20..<jsonEnd])) } catch {
            throw fail("metadata is not valid: \(error)")
        }
        // Sizes checked against the file before anything is allocated from them.
        let (values, overflow) = meta.count.multipliedReportingOverflow(by: meta.features)
        guard meta.count >= 0, meta.features >= 1, !overflow, values <= 1 << 32,
            jsonEnd + 4 * meta.count + 4 * values + 4 == bytes.count
        else {
            throw fail(
                "metadata says \(meta.count) images of \(meta.features) features, which does not match the file size \(bytes.count)"
            )
        }
        let (labels, images) = bytes.withUnsafeBytes { raw -> ([Int32], [Float]) in
            let l = (0..<meta.count).map {
                Int32(bitPattern: raw.loadUnaligned(fromByteOffset: jsonEnd + 4 * $0, as: UInt32.self).littleEndian)
            }
            let base = jsonEnd + 4 * meta.count
            let x = (0..<values).map {
                Float(bitPattern: raw.loadUnaligned(fromByteOffset: base + 4 * $0, as: UInt32.self).littleEndian)
            }
            return (l, x)
        }
        return try AdversarialSet(metadata: meta, labels: labels, images: images)
    }
}
