/// The 44-byte header in front of every chunk's payload.
///
///     offset size field
///      0      4   kind            four ASCII characters
///      4      4   flags           bit 0 zlib-compressed, bit 1 optional; other bits must be 0
///      8      4   index           the chunk's ordinal number in the file (0 = HEAD)
///     12      8   step            the training step this chunk belongs to; all ones = none
///     20      8   stored_length   payload bytes in the file
///     28      8   raw_length      payload bytes after decompression (= stored_length when not compressed)
///     36      4   payload_crc     CRC32 of the stored payload bytes
///     40      4   header_crc      CRC32 of bytes 0..<40 of this header
struct ChunkHeader: Equatable {
    static let size = 44
    static let noStep = UInt64.max

    struct Flags: OptionSet, Equatable {
        let rawValue: UInt32
        static let compressed = Flags(rawValue: 1)
        /// A reader that does not know the kind may skip the chunk; without this flag an unknown kind is an error.
        static let optional = Flags(rawValue: 2)
        static let all: Flags = [.compressed, .optional]
    }

    var kind: ChunkKind
    var flags: Flags
    var index: UInt32
    var step: UInt64?
    var storedLength: UInt64
    var rawLength: UInt64
    var payloadCRC: UInt32

    /// Total bytes of header plus stored payload.
    var totalLength: UInt64 { UInt64(Self.size) &+ storedLength }

    func encoded() -> [UInt8] {
        var w = ByteWriter(capacity: Self.size)
        w.raw(kind.array)
        w.u32(flags.rawValue)
        w.u32(index)
        w.u64(step ?? Self.noStep)
        w.u64(storedLength)
        w.u64(rawLength)
        w.u32(payloadCRC)
        w.u32(Zlib.crc32(w.bytes))
        return w.bytes
    }

    /// Decodes 44 header bytes whose CRC has already been checked.
    init(decoding b: [UInt8]) {
        kind = ChunkKind(raw: b[0..<4])
        flags = Flags(rawValue: Self.le32(b, 4))
        index = Self.le32(b, 8)
        let s = Self.le64(b, 12)
        step = s == Self.noStep ? nil : s
        storedLength = Self.le64(b, 20)
        rawLength = Self.le64(b, 28)
        payloadCRC = Self.le32(b, 36)
    }

    /// Little-endian loads; callers pass offsets inside `b`.
    static func le32(_ b: [UInt8], _ at: Int) -> UInt32 {
        b.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    static func le64(_ b: [UInt8], _ at: Int) -> UInt64 {
        b.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }

    init(
        kind: ChunkKind, flags: Flags, index: UInt32, step: UInt64?, storedLength: UInt64, rawLength: UInt64,
        payloadCRC: UInt32
    ) {
        self.kind = kind; self.flags = flags; self.index = index; self.step = step
        self.storedLength = storedLength; self.rawLength = rawLength; self.payloadCRC = payloadCRC
    }

    /// (stored, computed) header CRCs of 44 raw header bytes.
    static func crcs(_ b: [UInt8]) -> (stored: UInt32, computed: UInt32) {
        let stored = le32(b, 40)
        let computed = b.withUnsafeBytes { Zlib.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<40])) }
        return (stored, computed)
    }
}

/// The 16-byte preamble: magic, format version, CRC. Its layout never changes, so any lrsim can read the version.
///
///     offset size field
///      0      8   magic     89 4C 52 54 0D 0A 1A 0A  ("\x89LRT\r\n\x1A\n": binary, catches text-mode mangling)
///      8      2   major
///     10      2   minor
///     12      4   crc       CRC32 of bytes 0..<12
enum Preamble {
    static let size = 16
    static let magic: [UInt8] = [0x89, 0x4C, 0x52, 0x54, 0x0D, 0x0A, 0x1A, 0x0A]

    static func encoded(_ v: TraceFormatVersion) -> [UInt8] {
        var w = ByteWriter(capacity: size)
        w.raw(magic)
        w.u16(v.major)
        w.u16(v.minor)
        w.u32(Zlib.crc32(w.bytes))
        return w.bytes
    }
}
