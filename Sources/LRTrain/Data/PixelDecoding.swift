/// Turning 8-bit file bytes into the Float samples of a `Dataset`, while hashing them, in one streaming pass.
enum PixelDecoding {
    /// `Float(b) / 255` for every byte value: a table lookup is exact (the same rounding as the division) and cheap.
    static let scale: [Float] = (0..<256).map { Float($0) / 255 }

    /// Bytes per read: large enough to amortise zlib calls, small enough to stay in L2.
    static let chunkSize = 1 << 18

    /// Reads `out.count` pixel bytes from `stream` into `out` as Floats in [0, 1], feeding `hasher`.
    static func decode(
        from stream: ByteStream, into out: UnsafeMutableBufferPointer<Float>, hasher: inout FNV1a64,
        what: @autoclosure () -> String
    ) throws {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { chunk.deallocate() }
        var done = 0
        try scale.withUnsafeBufferPointer { table in
            while done < out.count {
                let n = min(chunkSize, out.count &- done)
                let part = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<n])
                let got = try stream.read(into: part)
                if got < n {
                    throw DatasetError(
                        .truncated, file: stream.path,
                        "truncated: expected \(what()) (\(out.count) bytes), but the \(stream.isGzip ? "decompressed data ends" : "file ends") after \(done &+ got) bytes"
                    )
                }
                convert(UnsafeRawBufferPointer(part), into: out.baseAddress! + done, table: table)
                hasher.combine(bytes: UnsafeRawBufferPointer(part))
                done &+= n
            }
        }
    }

    @inline(__always)
    static func convert(
        _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutablePointer<Float>,
        table: UnsafeBufferPointer<Float>
    ) {
        let t = table.baseAddress!
        for i in 0..<bytes.count { out[i] = t[Int(bytes[i])] }
    }
}
