/// Little-endian encoding of the fixed-width fields of chunk headers and payloads.
///
/// Every multi-byte number in a trace is little-endian; strings are UTF-8 with a 16-bit length prefix.
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func u16(_ v: UInt16) { appendLittleEndian(v) }

    mutating func u32(_ v: UInt32) { appendLittleEndian(v) }

    mutating func u64(_ v: UInt64) { appendLittleEndian(v) }

    mutating func f64(_ v: Double) { appendLittleEndian(v.bitPattern) }

    mutating func raw<S: Sequence>(_ s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }

    /// A UTF-8 string with a u16 byte-length prefix. Callers validate the length first (`TraceLimits.maxNameBytes`).
    mutating func string16(_ s: String) {
        let utf8 = Array(s.utf8)
        u16(UInt16(truncatingIfNeeded: utf8.count))
        bytes.append(contentsOf: utf8)
    }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Bounds-checked little-endian reading. Every read names the field so that a short payload says what was missing.
struct ByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes; self.offset = offset
    }

    var remaining: Int { bytes.count &- offset }

    mutating func u8(_ field: String) throws -> UInt8 {
        try need(1, field)
        defer { offset &+= 1 }
        return bytes[offset]
    }

    mutating func u16(_ field: String) throws -> UInt16 { try littleEndian(field) }

    mutating func u32(_ field: String) throws -> UInt32 { try littleEndian(field) }

    mutating func u64(_ field: String) throws -> UInt64 { try littleEndian(field) }

    mutating func f64(_ field: String) throws -> Double { Double(bitPattern: try littleEndian(field)) }

    mutating func bytes(_ count: Int, _ field: String) throws -> ArraySlice<UInt8> {
        try need(count, field)
        defer { offset &+= count }
        return bytes[offset..<(offset &+ count)]
    }

    /// A UTF-8 string with a u16 length prefix; rejects empty, over-long and invalid UTF-8 names.
    mutating func string16(_ field: String, maxBytes: Int) throws -> String {
        let n = Int(try u16("\(field) length"))
        guard n >= 1, n <= maxBytes else {
            throw PayloadError("\(field) length \(n) is outside 1...\(maxBytes) bytes")
        }
        let raw = try bytes(n, field)
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw PayloadError("\(field) is not valid UTF-8")
        }
        return s
    }

    /// Fails unless every byte was consumed: trailing bytes mean the writer and reader disagree on the layout.
    func expectEnd(_ what: String) throws {
        if remaining != 0 {
            throw PayloadError("\(remaining) unexpected bytes after the last field of the \(what)")
        }
    }

    private func need(_ count: Int, _ field: String) throws {
        guard count >= 0, count <= remaining else {
            throw PayloadError("payload ends inside \(field): needs \(count) bytes, \(remaining) left")
        }
    }

    private mutating func littleEndian<T: FixedWidthInteger>(_ field: String) throws -> T {
        let size = MemoryLayout<T>.size
        try need(size, field)
        let at = offset
        offset &+= size
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: T.self)) }
    }
}
