import CZlib

/// zlib's CRC32 (the IEEE polynomial, as in gzip and PNG) and one-shot deflate/inflate.
enum Zlib {
    /// CRC32 of `bytes`, continuing from `crc` (start with 0).
    static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return crc }
        var remaining = bytes.count
        var c = UInt(crc)
        // zlib takes a 32-bit length: feed very large buffers in pieces.
        while remaining > 0 {
            let n = min(remaining, 1 << 30)
            c = CZlib.crc32(c, p, uInt(n))
            p += n
            remaining &-= n
        }
        return UInt32(truncatingIfNeeded: c)
    }

    static func crc32(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0, continuing: crc) }
    }

    /// Deflates `source` into `output` (reused between calls to keep the writer's memory flat). Returns the
    /// compressed size, or nil if zlib failed or the result would not be smaller than the input.
    static func compress(_ source: UnsafeRawBufferPointer, level: Int32, into output: inout [UInt8]) -> Int? {
        guard source.count > 0, source.count <= Int(UInt32.max / 2) else { return nil }
        let bound = Int(compressBound(uLong(source.count)))
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        var destLength = uLongf(bound)
        let status = output.withUnsafeMutableBytes { out in
            compress2(
                out.baseAddress!.assumingMemoryBound(to: Bytef.self), &destLength,
                source.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(source.count), level)
        }
        guard status == Z_OK, Int(destLength) < source.count else { return nil }
        return Int(destLength)
    }

    /// Inflates `source`, which must expand to exactly `expectedCount` bytes.
    static func decompress(_ source: [UInt8], expectedCount: Int) throws -> [UInt8] {
        guard expectedCount > 0 else {
            throw PayloadError("compressed payload declares an uncompressed length of 0")
        }
        var output = [UInt8](repeating: 0, count: expectedCount)
        var destLength = uLongf(expectedCount)
        let status = output.withUnsafeMutableBytes { out in
            source.withUnsafeBytes { src in
                uncompress(
                    out.baseAddress!.assumingMemoryBound(to: Bytef.self), &destLength,
                    src.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(src.count))
            }
        }
        switch status {
        case Z_OK:
            guard Int(destLength) == expectedCount else {
                throw PayloadError("zlib data expands to \(destLength) bytes, expected \(expectedCount)")
            }
            return output
        case Z_BUF_ERROR:
            throw PayloadError("zlib data expands to more than the declared \(expectedCount) bytes (or is cut short)")
        case Z_DATA_ERROR:
            throw PayloadError("zlib data is corrupt")
        default:
            throw PayloadError("zlib failed with status \(status)")
        }
    }

    /// Deflate never expands data more than 1032:1, so a larger declared ratio is damage, caught before allocating.
    static let maxExpansionRatio: UInt64 = 1032
}
