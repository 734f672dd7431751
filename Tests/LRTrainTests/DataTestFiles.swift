import CZlib
import Foundation
import LRTestSupport

/// Writers for small IDX / CIFAR files (valid and deliberately damaged) used by the data-loading tests.
enum DataTestFiles {
    static func idxImages(
        count: Int, rows: Int, cols: Int, magic: UInt32 = 0x0000_0803,
        pixel: (Int, Int) -> UInt8
    ) -> [UInt8] {
        var bytes = bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(rows)) + bigEndian(UInt32(cols))
        for i in 0..<count { for p in 0..<(rows * cols) { bytes.append(pixel(i, p)) } }
        return bytes
    }

    static func idxLabels(_ labels: [UInt8], magic: UInt32 = 0x0000_0801) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(labels.count)) + labels
    }

    static func cifar(labels: [UInt8], pixel: (Int, Int) -> UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        for (i, l) in labels.enumerated() {
            bytes.append(l)
            for p in 0..<3072 { bytes.append(pixel(i, p)) }
        }
        return bytes
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// gzip-compresses with zlib (deflate, gzip wrapper).
    static func gzip(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(
            deflateInit2_(
                &stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))) + 64)
        var input = data
        let produced: Int = input.withUnsafeMutableBufferPointer { inp in
            out.withUnsafeMutableBufferPointer { outp in
                stream.next_in = inp.baseAddress
                stream.avail_in = UInt32(inp.count)
                stream.next_out = outp.baseAddress
                stream.avail_out = UInt32(outp.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outp.count - Int(stream.avail_out)
            }
        }
        return Array(out.prefix(produced))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
