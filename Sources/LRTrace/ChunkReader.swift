/// Reads and checks single chunks: header CRC, flags, lengths against the file size (before allocating), payload CRC
/// and decompression. Every failure becomes a `TraceError` naming the chunk.
struct ChunkReader {
    let file: any ByteSource

    var path: String { file.path }

    /// A chunk header read from the file, with its location.
    struct Located {
        var header: ChunkHeader
        var offset: UInt64
        var ordinal: Int
        var payloadOffset: UInt64 { offset &+ UInt64(ChunkHeader.size) }
        var end: UInt64 { offset &+ header.totalLength }
    }

    func error(
        _ ordinal: Int?, _ offset: UInt64, kind: ChunkKind? = nil, step: UInt64? = nil, tensor: String? = nil,
        _ category: TraceError.Category, _ problem: String
    ) -> TraceError {
        TraceError(
            file: path,
            location: .chunk(
                index: ordinal, kind: kind?.description, step: step, tensor: tensor,
                offset: offset),
            category: category, problem: problem)
    }

    func error(_ c: Located, tensor: String? = nil, _ category: TraceError.Category, _ problem: String) -> TraceError {
        error(c.ordinal, c.offset, kind: c.header.kind, step: c.header.step, tensor: tensor, category, problem)
    }

    /// Reads and validates the preamble; returns the file's format version.
    func readPreamble() throws -> TraceFormatVersion {
        func fail(_ c: TraceError.Category, _ p: String) -> TraceError {
            TraceError(file: path, location: .preamble, category: c, problem: p)
        }
        guard file.size >= UInt64(Preamble.size) else {
            if file.size < UInt64(Preamble.magic.count) {
                let head = try file.read(at: 0, count: Int(file.size))
                if head != Array(Preamble.magic.prefix(head.count)) {
                    throw fail(
                        .notATrace,
                        "not an lrsim trace (the file does not start with the trace magic 89 4C 52 54 0D 0A 1A 0A)")
                }
            }
            throw fail(
                .truncated, "truncated: the file has \(file.size) bytes, fewer than the \(Preamble.size)-byte preamble")
        }
        let b = try file.read(at: 0, count: Preamble.size)
        guard Array(b[0..<8]) == Preamble.magic else {
            throw fail(
                .notATrace, "not an lrsim trace (the file does not start with the trace magic 89 4C 52 54 0D 0A 1A 0A)")
        }
        let stored = ChunkHeader.le32(b, 12)
        let computed = b.withUnsafeBytes { Zlib.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<12])) }
        guard stored == computed else {
            throw fail(.checksum, "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        let version = TraceFormatVersion(
            major: UInt16(b[8]) | UInt16(b[9]) << 8, minor: UInt16(b[10]) | UInt16(b[11]) << 8)
        if case let .refused(reason) = version.readability() {
            throw TraceError(file: path, location: .file, category: .unsupportedVersion, problem: reason)
        }
        return version
    }

    /// Reads the header of chunk number `ordinal` at `offset` and checks everything that can be checked without the
    /// payload: that 44 bytes exist, the header CRC, the ordinal, the flags and that the payload fits in the file.
    /// With `ordinal` nil (seeking to a chunk of unknown number) the number stored in the header is trusted.
    func readHeader(at offset: UInt64, ordinal expected: Int?) throws -> Located {
        let ordinal = expected
        let left = file.size &- min(offset, file.size)
        guard left >= UInt64(ChunkHeader.size) else {
            throw error(
                ordinal, offset, .truncated,
                "truncated: the chunk header needs \(ChunkHeader.size) bytes but the file ends after \(left)")
        }
        let raw = try file.read(at: offset, count: ChunkHeader.size)
        let (stored, computed) = ChunkHeader.crcs(raw)
        guard stored == computed else {
            throw error(
                ordinal, offset, .checksum,
                "chunk header checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        let h = ChunkHeader(decoding: raw)
        let c = Located(header: h, offset: offset, ordinal: expected ?? Int(h.index))
        guard Int(h.index) == c.ordinal else {
            throw error(
                c, .malformed,
                "chunk says it is number \(h.index) but is number \(c.ordinal) in the file (chunks missing or out of order)"
            )
        }
        guard h.flags.isSubset(of: .all) else {
            throw error(
                c, .malformed,
                "unknown flag bits \(hex(h.flags.rawValue & ~ChunkHeader.Flags.all.rawValue)) (this lrsim knows compressed=1, optional=2)"
            )
        }
        let payloadLeft = left &- UInt64(ChunkHeader.size)
        guard h.storedLength <= payloadLeft else {
            throw error(
                c, .truncated,
                "truncated: the payload needs \(h.storedLength) bytes but the file ends after \(payloadLeft)")
        }
        if h.flags.contains(.compressed) {
            guard h.rawLength <= h.storedLength &* Zlib.maxExpansionRatio &+ 64 else {
                throw error(
                    c, .malformed,
                    "uncompressed length \(h.rawLength) is impossible for \(h.storedLength) compressed bytes (zlib expands at most \(Zlib.maxExpansionRatio):1)"
                )
            }
        } else {
            guard h.rawLength == h.storedLength else {
                throw error(
                    c, .malformed,
                    "uncompressed chunk has stored length \(h.storedLength) but raw length \(h.rawLength)")
            }
        }
        guard h.storedLength <= UInt64(Int.max / 2) else {
            throw error(c, .malformed, "payload length \(h.storedLength) is too large")
        }
        return c
    }

    /// Reads the payload of a chunk, checks its CRC and decompresses it.
    func readPayload(_ c: Located) throws -> [UInt8] {
        let stored = try file.read(at: c.payloadOffset, count: Int(c.header.storedLength))
        let crc = Zlib.crc32(stored)
        guard crc == c.header.payloadCRC else {
            throw error(
                c, .checksum, "payload checksum mismatch (stored \(hex(c.header.payloadCRC)), computed \(hex(crc)))")
        }
        guard c.header.flags.contains(.compressed) else { return stored }
        do {
            return try Zlib.decompress(stored, expectedCount: Int(c.header.rawLength))
        } catch let e as PayloadError {
            throw error(c, .malformed, e.problem)
        }
    }

    /// Reads a payload and checks only its CRC (for chunks that are skipped).
    func checkPayloadCRC(_ c: Located) throws {
        var crc: UInt32 = 0
        var done: UInt64 = 0
        while done < c.header.storedLength {
            let n = Int(min(c.header.storedLength &- done, 1 << 22))
            let bytes = try file.read(at: c.payloadOffset &+ done, count: n)
            crc = Zlib.crc32(bytes, continuing: crc)
            done &+= UInt64(n)
        }
        guard crc == c.header.payloadCRC else {
            throw error(
                c, .checksum, "payload checksum mismatch (stored \(hex(c.header.payloadCRC)), computed \(hex(crc)))")
        }
    }

    /// Runs a payload decoder, attaching the chunk's location to its errors.
    func decode<T>(_ c: Located, tensor: String? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as PayloadError {
            throw error(c, tensor: tensor, e.category, e.problem)
        }
    }
}

func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16, uppercase: true).leftPadded(to: 8) }
