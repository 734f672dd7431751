import CZlib
import Foundation
import LRCore
import LRIO

/// A training checkpoint: parameters and optimizer state, bit-exact, plus the configuration and epoch history (results
/// only: no timings, so identical runs write byte-identical checkpoints).
///
/// Layout (little-endian): magic `LRCKPT\0\0`, u32 version, u64 length + JSON metadata, then the parameter vector and
/// the optimizer's first and second moments as raw float32, then a CRC-32 of everything before it.
public struct Checkpoint {
    public var path: String
    public var config: TrainingConfiguration
    public var epoch: Int
    public var parameters: [Float]
    public var optimizerSteps: Int
    public var optimizerFirst: [Float]
    public var optimizerSecond: [Float]
    public var epochs: [TrainingReport.Epoch]

    static let magic: [UInt8] = Array("LRCKPT".utf8) + [0, 0]
    static let version: UInt32 = 1

    struct Metadata: Codable {
        var config: TrainingConfiguration
        var epoch: Int
        var optimizerSteps: Int
        var parameterCount: Int
        var firstCount: Int
        var secondCount: Int
        var epochs: [EpochRecord]
    }

    /// An epoch's results without its timings: wall-clock and CPU seconds differ between identical runs, and a
    /// checkpoint must be a pure function of the seed and settings (identical runs give identical bytes). Restored
    /// epochs report 0 seconds. Checkpoints written before this change carry timings, which reading ignores.
    struct EpochRecord: Codable {
        var epoch: Int
        var testAccuracy: Double
        var testLoss: Double
        var trainLoss: Double
        var floatForwardAccuracy: Double?

        init(_ e: TrainingReport.Epoch) {
            epoch = e.epoch; testAccuracy = e.testAccuracy; testLoss = e.testLoss; trainLoss = e.trainLoss
            floatForwardAccuracy = e.floatForwardAccuracy
        }

        var epochWithoutTimings: TrainingReport.Epoch {
            TrainingReport.Epoch(
                epoch: epoch, testAccuracy: testAccuracy, testLoss: testLoss, trainLoss: trainLoss,
                seconds: 0, samplesPerSecond: 0, cpuSeconds: 0, floatForwardAccuracy: floatForwardAccuracy)
        }
    }

    public func write(to path: String) throws {
        let meta = Metadata(
            config: config, epoch: epoch, optimizerSteps: optimizerSteps, parameterCount: parameters.count,
            firstCount: optimizerFirst.count, secondCount: optimizerSecond.count,
            epochs: epochs.map(EpochRecord.init))
        let json = try JSONReport.encode(meta)
        var data = Data(Self.magic)
        withUnsafeBytes(of: Self.version.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for a in [parameters, optimizerFirst, optimizerSecond] {
            a.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        let crc = data.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
        withUnsafeBytes(of: crc.littleEndian) { data.append(contentsOf: $0) }
        try AtomicFile.write(data, to: path)
    }

    public static func read(from path: String) throws -> Checkpoint {
        func fail(_ m: String) -> TrainingError { .checkpoint(path: path, m) }
        let data: Data
        do { data = try InputFile.read(path) } catch { throw fail(error.problem) }
        let bytes = [UInt8](data)
        guard bytes.count >= 24, Array(bytes[0..<8]) == magic else { throw fail("not an lrsim checkpoint (bad magic)") }
        func u32(_ o: Int) -> UInt32 { bytes[o..<(o + 4)].enumerated().reduce(0) { $0 | UInt32($1.1) << (8 * $1.0) } }
        func u64(_ o: Int) -> UInt64 { bytes[o..<(o + 8)].enumerated().reduce(0) { $0 | UInt64($1.1) << (8 * $1.0) } }
        let v = u32(8)
        guard v == version else { throw fail("checkpoint version \(v) is not supported (expected \(version))") }
        let stored = u32(bytes.count - 4)
        let crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count - 4))) }
        guard crc == stored else { throw fail("checksum mismatch (file damaged or truncated)") }
        let jsonLength = u64(12)
        guard jsonLength <= UInt64(bytes.count - 24) else {
            throw fail("metadata length \(jsonLength) exceeds the file size")
        }
        let jsonEnd = 20 + Int(jsonLength)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let meta: Metadata
        do { meta = try decoder.decode(Metadata.self, from: Data(bytes[20..<jsonEnd])) } catch {
            throw fail("metadata is not valid: \(error)")
        }
        let counts = [meta.parameterCount, meta.firstCount, meta.secondCount]
        guard counts.allSatisfy({ $0 >= 0 && $0 <= 1 << 34 }),
            jsonEnd + 4 * counts.reduce(0, +) + 4 == bytes.count
        else {
            throw fail("array sizes \(counts) do not match the file size \(bytes.count)")
        }
        var offset = jsonEnd
        func floats(_ n: Int) -> [Float] {
            defer { offset += 4 * n }
            return bytes.withUnsafeBytes { raw in
                (0..<n).map {
                    Float(bitPattern: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self).littleEndian)
                }
            }
        }
        let p = floats(meta.parameterCount), f = floats(meta.firstCount), s = floats(meta.secondCount)
        let checkpoint = Checkpoint(
            path: path, config: meta.config, epoch: meta.epoch, parameters: p,
            optimizerSteps: meta.optimizerSteps, optimizerFirst: f, optimizerSecond: s,
            epochs: meta.epochs.map(\.epochWithoutTimings))
        try checkpoint.validate()
        return checkpoint
    }
}
