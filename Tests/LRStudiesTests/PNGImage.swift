import CZlib
import Foundation

/// Just enough PNG decoding to check rendered charts: 8-bit RGB or RGBA, non-interlaced (what rsvg-convert writes).
struct PNGImage {
    let width: Int
    let height: Int
    /// RGBA, row-major.
    let pixels: [UInt8]

    struct Failure: Error, CustomStringConvertible { var description: String }

    init(data: Data) throws {
        let b = [UInt8](data)
        guard b.count > 8, b[0..<8] == [137, 80, 78, 71, 13, 10, 26, 10] else {
            throw Failure(description: "not a PNG")
        }
        var pos = 8
        var w = 0, h = 0, colorType = 0
        var idat: [UInt8] = []
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        while pos + 8 <= b.count {
            let len = be32(pos)
            let type = String(decoding: b[pos + 4..<pos + 8], as: UTF8.self)
            guard pos + 12 + len <= b.count else { throw Failure(description: "truncated chunk \(type)") }
            let body = Array(b[pos + 8..<pos + 8 + len])
            if type == "IHDR" {
                w = be32(pos + 8); h = be32(pos + 12)
                guard body[8] == 8, body[12] == 0 else { throw Failure(description: "only 8-bit non-interlaced PNGs") }
                colorType = Int(body[9])
            } else if type == "IDAT" {
                idat += body
            } else if type == "IEND" {
                break
            }
            pos += 12 + len
        }
        let channels = colorType == 6 ? 4 : colorType == 2 ? 3 : 0
        guard channels > 0, w > 0, h > 0 else { throw Failure(description: "unsupported colour type \(colorType)") }
        let stride = w * channels
        var raw = [UInt8](repeating: 0, count: (stride + 1) * h)
        var rawLen = uLongf(raw.count)
        let rc = raw.withUnsafeMutableBufferPointer { r in
            idat.withUnsafeBufferPointer { uncompress(r.baseAddress, &rawLen, $0.baseAddress, uLong($0.count)) }
        }
        guard rc == Z_OK, Int(rawLen) == raw.count else { throw Failure(description: "bad zlib data (\(rc))") }
        var out = [UInt8](repeating: 0, count: stride * h)
        for y in 0..<h {
            let filter = raw[y * (stride + 1)]
            for x in 0..<stride {
                let v = raw[y * (stride + 1) + 1 + x]
                let a = x >= channels ? Int(out[y * stride + x - channels]) : 0
                let up = y > 0 ? Int(out[(y - 1) * stride + x]) : 0
                let c = x >= channels && y > 0 ? Int(out[(y - 1) * stride + x - channels]) : 0
                let pred: Int
                switch filter {
                case 0: pred = 0
                case 1: pred = a
                case 2: pred = up
                case 3: pred = (a + up) / 2
                case 4:
                    let p = a + up - c, pa = abs(p - a), pb = abs(p - up), pc = abs(p - c)
                    pred = pa <= pb && pa <= pc ? a : pb <= pc ? up : c
                default: throw Failure(description: "bad filter \(filter)")
                }
                out[y * stride + x] = UInt8(truncatingIfNeeded: Int(v) + pred)
            }
        }
        width = w; height = h
        if channels == 4 {
            pixels = out
        } else {
            var rgba = [UInt8](); rgba.reserveCapacity(w * h * 4)
            for i in 0..<(w * h) { rgba += [out[3 * i], out[3 * i + 1], out[3 * i + 2], 255] }
            pixels = rgba
        }
    }

    func pixel(_ x: Int, _ y: Int) -> (r: Int, g: Int, b: Int) {
        let i = (y * width + x) * 4
        return (Int(pixels[i]), Int(pixels[i + 1]), Int(pixels[i + 2]))
    }
}
