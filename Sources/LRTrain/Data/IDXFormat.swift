/// The IDX format of MNIST and Fashion-MNIST: a 4-byte magic `00 00 08 NDIMS` (08 = unsigned byte), NDIMS big-endian
/// 32-bit dimensions, then the bytes, row-major. Images use magic 0x00000803 (count, rows, cols), labels 0x00000801
/// (count).
enum IDXFormat {
    static let imagesMagic: UInt32 = 0x0000_0803
    static let labelsMagic: UInt32 = 0x0000_0801

    /// Reads and checks the magic and dimensions. Returns the dimensions.
    static func readHeader(_ stream: ByteStream, expectedMagic: UInt32) throws -> [Int] {
        var magicBytes = (UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        let got = try withUnsafeMutableBytes(of: &magicBytes) { try stream.read(into: $0) }
        guard got == 4 else {
            throw DatasetError(
                .truncated, file: stream.path,
                "truncated: expected a 4-byte IDX magic number, but the data has only \(got) bytes")
        }
        let magic =
            UInt32(magicBytes.0) << 24 | UInt32(magicBytes.1) << 16 | UInt32(magicBytes.2) << 8 | UInt32(magicBytes.3)
        guard magic == expectedMagic else {
            throw DatasetError(
                .badMagic, file: stream.path,
                "expected IDX magic \(hex(expectedMagic)), got \(hex(magic))\(hint(magic, expected: expectedMagic))")
        }
        let rank = Int(magicBytes.3)
        var dims = [Int]()
        for d in 0..<rank {
            var word: UInt32 = 0
            try withUnsafeMutableBytes(of: &word) {
                try stream.readExactly(
                    into: $0,
                    what: "\(rank) big-endian 32-bit dimensions in the IDX header (dimension \(d + 1) missing)")
            }
            let value = Int(UInt32(bigEndian: word))
            guard value > 0 else {
                throw DatasetError(
                    .badHeader, file: stream.path, "expected positive IDX dimensions, got dimension \(d + 1) = 0")
            }
            dims.append(value)
        }
        return dims
    }

    /// Product of `dims` in bytes, refusing sizes that overflow or could not be in a file of `stream.fileSize` bytes
    /// (deflate compresses at most 1032:1, so a gzip file cannot expand beyond that).
    static func payloadSize(_ dims: [Int], stream: ByteStream, headerBytes: Int) throws -> Int {
        var total = 1
        for d in dims {
            let (p, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw DatasetError(
                    .tooLarge, file: stream.path,
                    "IDX dimensions \(dims.map(String.init).joined(separator: "x")) overflow a 64-bit size")
            }
            total = p
        }
        let limit =
            stream.isGzip
            ? stream.fileSize.multipliedReportingOverflow(by: 1032).partialValue : stream.fileSize - headerBytes
        if !stream.isGzip && total != limit {
            let kind: DatasetError.Kind = total > limit ? .truncated : .trailingData
            throw DatasetError(
                kind, file: stream.path,
                "header dimensions \(dims.map(String.init).joined(separator: "x")) need \(total) data bytes after the \(headerBytes)-byte header, but the file has \(limit)\(total > limit ? " (truncated?)" : " (wrong dimensions?)")"
            )
        }
        if stream.isGzip && total > limit {
            throw DatasetError(
                .truncated, file: stream.path,
                "header dimensions \(dims.map(String.init).joined(separator: "x")) need \(total) bytes, more than a \(stream.fileSize)-byte gzip file can hold (truncated?)"
            )
        }
        return total
    }

    /// After the promised data: any further byte means the header's dimensions are wrong.
    static func checkEnd(_ stream: ByteStream, described: String) throws {
        if try stream.hasMoreData() {
            throw DatasetError(
                .trailingData, file: stream.path, "unexpected data after \(described) (wrong dimensions in the header?)"
            )
        }
    }

    static func hex(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }

    private static func hint(_ magic: UInt32, expected: UInt32) -> String {
        if magic == labelsMagic { return " (is this a label file?)" }
        if magic == imagesMagic { return " (is this an image file?)" }
        if magic >> 16 == 0x1F8B { return " (compressed twice?)" }
        if magic >> 16 == 0 && (magic >> 8) & 0xFF != 0x08 {
            return " (element type 0x\(String((magic >> 8) & 0xFF, radix: 16)) is not unsigned byte)"
        }
        return " (not an IDX file)"
    }
}
