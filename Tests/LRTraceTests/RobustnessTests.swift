import LRTestSupport
import XCTest

@testable import LRTrace

/// Damage of every kind is reported as an error naming the place, never a crash and never a silent wrong read.
final class RobustnessTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrtrace-damage") }
    override func tearDown() { dir.cleanup() }

    /// Reads everything through the public reader; returns the error if any read fails.
    func readEverything(_ path: String) -> TraceError? {
        traceError {
            let r = try TraceReader(path: path)
            for i in r.steps.indices { _ = try r.readStep(at: i) }
        }
    }

    /// The same from memory (the damage loops run thousands of times: no file system in the way).
    func readEverything(bytes: [UInt8], name: String) -> TraceError? {
        traceError {
            let r = try TraceReader(bytes: bytes, name: name)
            for i in r.steps.indices { _ = try r.readStep(at: i) }
        }
    }

    func testTruncationAtEveryByteOffsetIsReportedNamingTheChunk() throws {
        for compression in TraceCompression.allCases {
            let full = try Fixtures.bytes(
                try Fixtures.write(
                    dir.path("full-\(compression).lrt"), steps: [0, 5],
                    compression: compression, extras: false))
            XCTAssertLessThan(full.count, 4000, "keep the fixture small so this test stays fast")
            let cut = "cut.lrt"
            for length in 0..<full.count {
                let bytes = Array(full[0..<length])
                guard let e = readEverything(bytes: bytes, name: cut) else {
                    XCTFail("truncation to \(length) of \(full.count) bytes was read without an error"); continue
                }
                XCTAssertEqual(e.category, .truncated, "\(length): \(e)")
                XCTAssertTrue(e.description.hasPrefix(cut + ": "), e.description)
                if length < Preamble.size {
                    XCTAssertEqual(e.location, .preamble, e.description)
                } else {
                    guard case .chunk = e.location else { XCTFail("\(length): \(e) does not name a chunk"); continue }
                    XCTAssertTrue(e.description.contains(": chunk "), e.description)
                    XCTAssertTrue(e.description.contains("truncated"), e.description)
                }
                if case let .chunk(index, _, _, _, _) = e.location, (index ?? 0) > 0 {
                    XCTAssertTrue(
                        e.description.contains("; the last complete chunk is chunk \((index ?? 0) - 1) (kind '"),
                        e.description)
                }
                let report = TraceVerification.verify(bytes: bytes, name: cut)
                XCTAssertFalse(report.ok)
                XCTAssertEqual(report.problems.last?.contains("truncated"), true, "\(length): \(report.problems)")
            }
        }
    }

    func testTruncationMessageNamesTheLastGoodChunk() throws {
        let path = try Fixtures.write(dir.path("t.lrt"), steps: [0], extras: false)
        let full = try Fixtures.bytes(path)
        // Cut just before the index: the file ends exactly after the last tensor of step 0.
        let r = try TraceReader(path: path)
        let stepEnd = Int(r.steps[0].offset + r.steps[0].storedBytes)
        try Fixtures.save(Array(full[0..<stepEnd]), path)
        let e = readEverything(path)
        XCTAssertEqual(
            e?.description,
            "\(path): chunk 10 at byte offset \(stepEnd): truncated: the file ends without the trailer chunk 'TEND' (the writer did not finish); the last complete chunk is chunk 9 (kind 'TENS', step 0) ending at byte offset \(stepEnd)"
        )
        // Cut in the middle of chunk 4's payload.
        let c4 = ChunkReader(
            file: try ReadableFile(path: try Fixtures.write(dir.path("t2.lrt"), steps: [0], extras: false)))
        var offset = UInt64(Preamble.size)
        for i in 0..<4 { offset = try c4.readHeader(at: offset, ordinal: i).end }
        let chunk4 = try c4.readHeader(at: offset, ordinal: 4)
        try Fixtures.save(Array(full[0..<Int(offset) + 50]), path)
        XCTAssertEqual(
            readEverything(path)?.description,
            "\(path): chunk 4 (kind 'TENS', step 0) at byte offset \(offset): truncated: the payload needs \(chunk4.header.storedLength) bytes but the file ends after 6; the last complete chunk is chunk 3 (kind 'TENS', step 0) ending at byte offset \(offset)"
        )
    }

    func testSeededRandomBitFlipsAreAllDetected() throws {
        for compression in TraceCompression.allCases {
            let original = try Fixtures.bytes(
                try Fixtures.write(
                    dir.path("flip-\(compression).lrt"), steps: [0, 5],
                    compression: compression))
            let path = "flipped.lrt"
            var rng = SeededRandom(seed: compression == .none ? 2024 : 2025)
            var byCategory: [TraceError.Category: Int] = [:]
            for trial in 0..<1500 {
                var bytes = original
                let bit = Int.random(in: 0..<(bytes.count * 8), using: &rng)
                bytes[bit / 8] ^= 1 << UInt8(bit % 8)
                let report = TraceVerification.verify(bytes: bytes, name: path)
                XCTAssertFalse(
                    report.ok, "trial \(trial): flip of bit \(bit) (byte \(bit / 8)) went unnoticed by verify")
                XCTAssertFalse(report.problems.isEmpty)
                // The reader either refuses or fails on the damaged step: never returns different values silently.
                if let e = readEverything(bytes: bytes, name: path) {
                    byCategory[e.category, default: 0] += 1
                    XCTAssertTrue(e.description.hasPrefix(path + ": "), e.description)
                } else {
                    // Only possible if the flip hit the payload of a chunk the reader does not read (none here).
                    XCTFail("trial \(trial): flip of byte \(bit / 8) was read without an error")
                }
            }
            XCTAssertGreaterThan(byCategory[.checksum, default: 0], 1400, "\(byCategory)")
        }
    }

    func testOverwrittenBytesAndBurstsAreDetected() throws {
        let original = try Fixtures.bytes(try Fixtures.write(dir.path("burst.lrt"), steps: [0, 5]))
        let path = "burst-damaged.lrt"
        var rng = SeededRandom(seed: 99)
        for trial in 0..<300 {
            var bytes = original
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            let length = Int.random(in: 1...4, using: &rng)
            for i in start..<min(bytes.count, start + length) { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
            if bytes == original { continue }
            XCTAssertFalse(TraceVerification.verify(bytes: bytes, name: path).ok, "trial \(trial): burst at \(start)")
            XCTAssertNotNil(readEverything(bytes: bytes, name: path), "trial \(trial): burst at \(start) read silently")
        }
    }

    func testPayloadDamageIsReportedWithChunkStepAndOffsetAndScanContinues() throws {
        let path = try Fixtures.write(dir.path("p.lrt"), steps: [0, 5])
        let r = try TraceReader(path: path)
        let chunks = r.chunks
        // Damage the payload of the first tensor of step 5 and of the first tensor of step 0.
        var bytes = try Fixtures.bytes(path)
        var damaged: [(ChunkReader.Located)] = []
        for entry in r.steps {
            let step = try chunks.readHeader(at: entry.offset, ordinal: entry.chunkIndex)
            let tensor = try chunks.readHeader(at: step.end, ordinal: step.ordinal + 1)
            bytes[Int(tensor.payloadOffset) + 10] ^= 0x40
            damaged.append(tensor)
        }
        try Fixtures.save(bytes, path)
        let report = TraceVerification.verify(path: path)
        XCTAssertEqual(report.problems.count, 2, "\(report.problems)")
        for (problem, c) in zip(report.problems, damaged) {
            XCTAssertTrue(
                problem.hasPrefix(
                    "\(path): chunk \(c.ordinal) (kind 'TENS', step \(c.header.step!)) at byte offset \(c.offset): payload checksum mismatch (stored 0x"
                ), problem)
        }
        XCTAssertEqual(report.steps, 2)
        XCTAssertNotNil(traceError { _ = try TraceReader(path: path).readStep(step: 5) })
    }

    func testAbsurdShapesAndLengthsAreRejectedBeforeAllocating() throws {
        // Forge a tensor chunk with a valid CRC but a shape of 2^62 elements.
        let path = dir.path("absurd.lrt")
        try Fixtures.write(path, steps: [0], extras: false)
        let r = try TraceReader(path: path)
        let step = try r.chunks.readHeader(at: r.steps[0].offset, ordinal: r.steps[0].chunkIndex)
        let t = try r.chunks.readHeader(at: step.end, ordinal: step.ordinal + 1)
        var bytes = try Fixtures.bytes(path)
        var payload = Payloads.encodeTensorPrefix(name: "input", dtype: .f32, shape: [1 << 31, 1 << 31])
        payload += [UInt8](repeating: 0, count: Int(t.header.storedLength) - payload.count)
        let forged = ChunkHeader(
            kind: .tensor, flags: [], index: t.header.index, step: 0,
            storedLength: t.header.storedLength, rawLength: t.header.rawLength,
            payloadCRC: Zlib.crc32(payload))
        bytes.replaceSubrange(Int(t.offset)..<Int(t.end), with: forged.encoded() + payload)
        try Fixtures.save(bytes, path)
        let e = traceError { _ = try TraceReader(path: path).readStep(at: 0) }
        XCTAssertEqual(
            e?.description,
            "\(path): chunk \(t.ordinal) (kind 'TENS', step 0, tensor 'input') at byte offset \(t.offset): shape [2147483648, 2147483648] has more than \(TraceLimits.maxElements) elements"
        )

        // A chunk header claiming a payload of 2^60 bytes (valid header CRC) is a truncation, found before reading.
        var bytes2 = try Fixtures.bytes(try Fixtures.write(dir.path("huge.lrt"), steps: [0], extras: false))
        let huge = ChunkHeader(
            kind: .tensor, flags: [], index: t.header.index, step: 0, storedLength: 1 << 60,
            rawLength: 1 << 60, payloadCRC: 0)
        bytes2.replaceSubrange(Int(t.offset)..<Int(t.offset) + ChunkHeader.size, with: huge.encoded())
        try Fixtures.save(bytes2, path)
        let e2 = traceError { _ = try TraceReader(path: path).readStep(at: 0) }
        XCTAssertEqual(e2?.category, .truncated)
        XCTAssertTrue(
            e2?.description.contains(
                "chunk \(t.ordinal) (kind 'TENS', step 0) at byte offset \(t.offset): truncated: the payload needs 1152921504606846976 bytes"
            ) ?? false, e2?.description ?? "")

        // A compressed chunk claiming an impossible expansion.
        var bytes3 = try Fixtures.bytes(try Fixtures.write(dir.path("ratio.lrt"), steps: [0], extras: false))
        let ratio = ChunkHeader(
            kind: .tensor, flags: [.compressed], index: t.header.index, step: 0,
            storedLength: t.header.storedLength, rawLength: 1 << 50, payloadCRC: t.header.payloadCRC)
        bytes3.replaceSubrange(Int(t.offset)..<Int(t.offset) + ChunkHeader.size, with: ratio.encoded())
        try Fixtures.save(bytes3, path)
        XCTAssertTrue(
            traceError { _ = try TraceReader(path: path).readStep(at: 0) }?.description.contains(
                "is impossible for \(t.header.storedLength) compressed bytes") ?? false)
    }

    func testNotATraceAndEmptyFileAndDirectory() throws {
        let path = dir.path("text.lrt")
        try Fixtures.save(Array("hello, this is not a trace at all".utf8), path)
        XCTAssertEqual(
            traceError { _ = try TraceReader(path: path) }?.description,
            "\(path): file preamble at byte offset 0: not an lrsim trace (the file does not start with the trace magic 89 4C 52 54 0D 0A 1A 0A)"
        )
        try Fixtures.save([], path)
        XCTAssertEqual(
            traceError { _ = try TraceReader(path: path) }?.description,
            "\(path): file preamble at byte offset 0: truncated: the file has 0 bytes, fewer than the 16-byte preamble")
        XCTAssertEqual(
            traceError { _ = try TraceReader(path: dir.url.path) }?.description,
            "\(dir.url.path): it is a directory, not a regular file")
        XCTAssertEqual(
            traceError { _ = try TraceReader(path: dir.path("missing.lrt")) }?.description,
            "\(dir.path("missing.lrt")): cannot open: No such file or directory")
        XCTAssertFalse(TraceVerification.verify(path: dir.path("missing.lrt")).ok)
    }

    /// Reliability report D10: `trace verify FIFO`, `trace info`, `sim --trace` and `replay --trace` blocked in open(2).
    func testAFIFOIsRefusedAtOnceByTheReaderAndTheVerifier() throws {
        let fifo = dir.path("fifo.lrt")
        try FIFOSupport.make(fifo)
        var e: TraceError?
        var report: TraceVerificationReport?
        let seconds = FIFOSupport.seconds(unblocking: fifo) {
            e = traceError { _ = try TraceReader(path: fifo) }
            report = TraceVerification.verify(path: fifo)
        }
        XCTAssertLessThan(seconds, 1, "refused without waiting for a writer")
        XCTAssertEqual(e?.description, "\(fifo): it is a FIFO, not a regular file")
        XCTAssertEqual(report?.ok, false)
    }
}
