/// Element types a tensor chunk can hold. The raw value is the code stored in the file.
public enum TraceDType: UInt8, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case f32 = 1
    case f64 = 2
    case i32 = 3
    case u8 = 4
    /// Packed bits, least significant bit first; the unused high bits of the last byte are zero.
    case u1 = 5

    public var description: String {
        switch self {
        case .f32: return "f32"
        case .f64: return "f64"
        case .i32: return "i32"
        case .u8: return "u8"
        case .u1: return "u1"
        }
    }

    public init?(name: String) {
        guard let t = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = t
    }

    /// Bytes needed for `count` elements, or nil on overflow.
    public func byteCount(elements count: Int) -> Int? {
        switch self {
        case .f32, .i32: return count.multipliedReportingOverflow(by: 4).overflow ? nil : count &* 4
        case .f64: return count.multipliedReportingOverflow(by: 8).overflow ? nil : count &* 8
        case .u8: return count
        case .u1: return count / 8 &+ (count % 8 == 0 ? 0 : 1)
        }
    }
}

/// A named, shaped array of one step: its bytes exactly as stored (little-endian), with typed accessors.
public struct TraceTensor: Equatable, Sendable {
    // Immutable: the initializers check that shape and bytes agree.
    public let name: String
    public let dtype: TraceDType
    public let shape: [Int]
    /// Little-endian element bytes; `dtype.byteCount(elements: elementCount)` long.
    public let bytes: [UInt8]

    /// The number of elements (product of the shape; 1 for a scalar of rank 0).
    public var elementCount: Int { TraceLimits.elementCount(shape) ?? 0 }

    /// Checks that the shape and byte count agree; used by every initializer.
    public init(name: String, dtype: TraceDType, shape: [Int], bytes: [UInt8]) throws {
        guard let count = TraceLimits.elementCount(shape), let need = dtype.byteCount(elements: count) else {
            throw TraceError(
                file: "<memory>", location: .file, category: .usage,
                problem:
                    "tensor '\(name)': shape \(shape) is invalid (negative, rank > \(TraceLimits.maxRank) or too many elements)"
            )
        }
        guard need == bytes.count else {
            throw TraceError(
                file: "<memory>", location: .file, category: .usage,
                problem: "tensor '\(name)': shape \(shape) of \(dtype) needs \(need) bytes, got \(bytes.count)")
        }
        if dtype == .u1, count % 8 != 0, let last = bytes.last, last >> UInt8(count % 8) != 0 {
            throw TraceError(
                file: "<memory>", location: .file, category: .usage,
                problem: "tensor '\(name)': unused bits of the last u1 byte must be zero")
        }
        self.name = name; self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    public init(name: String, shape: [Int], float32 values: [Float]) throws {
        try self.init(name: name, dtype: .f32, shape: shape, bytes: Self.littleEndianBytes(values.map(\.bitPattern)))
    }

    public init(name: String, shape: [Int], float64 values: [Double]) throws {
        try self.init(name: name, dtype: .f64, shape: shape, bytes: Self.littleEndianBytes(values.map(\.bitPattern)))
    }

    public init(name: String, shape: [Int], int32 values: [Int32]) throws {
        try self.init(name: name, dtype: .i32, shape: shape, bytes: Self.littleEndianBytes(values))
    }

    public init(name: String, shape: [Int], uint8 values: [UInt8]) throws {
        try self.init(name: name, dtype: .u8, shape: shape, bytes: values)
    }

    /// Packs booleans as bits, least significant first.
    public init(name: String, shape: [Int], bits values: [Bool]) throws {
        var packed = [UInt8](repeating: 0, count: (values.count &+ 7) / 8)
        for (i, b) in values.enumerated() where b { packed[i >> 3] |= 1 << UInt8(i & 7) }
        guard TraceLimits.elementCount(shape) == values.count else {
            throw TraceError(
                file: "<memory>", location: .file, category: .usage,
                problem: "tensor '\(name)': shape \(shape) does not hold \(values.count) bits")
        }
        try self.init(name: name, dtype: .u1, shape: shape, bytes: packed)
    }

    /// The values as Float, if the dtype is f32.
    public var float32: [Float]? {
        guard dtype == .f32 else { return nil }
        return Self.fromLittleEndian(bytes, as: UInt32.self).map(Float.init(bitPattern:))
    }

    public var float64: [Double]? {
        guard dtype == .f64 else { return nil }
        return Self.fromLittleEndian(bytes, as: UInt64.self).map(Double.init(bitPattern:))
    }

    public var int32: [Int32]? { dtype == .i32 ? Self.fromLittleEndian(bytes, as: Int32.self) : nil }

    public var uint8: [UInt8]? { dtype == .u8 ? bytes : nil }

    public var bits: [Bool]? {
        guard dtype == .u1 else { return nil }
        return (0..<elementCount).map { bytes[$0 >> 3] >> UInt8($0 & 7) & 1 == 1 }
    }

    /// Every element widened to Double (bits as 0/1), for printing and statistics.
    public var doubles: [Double] {
        switch dtype {
        case .f32: return (float32 ?? []).map(Double.init)
        case .f64: return float64 ?? []
        case .i32: return (int32 ?? []).map(Double.init)
        case .u8: return bytes.map(Double.init)
        case .u1: return (bits ?? []).map { $0 ? 1 : 0 }
        }
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count &* MemoryLayout<T>.size)
        out.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: v.littleEndian, toByteOffset: i &* MemoryLayout<T>.size, as: T.self)
            }
        }
        return out
    }

    static func fromLittleEndian<T: FixedWidthInteger>(_ bytes: [UInt8], as: T.Type) -> [T] {
        let n = bytes.count / MemoryLayout<T>.size
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: $0 &* MemoryLayout<T>.size, as: T.self)) }
        }
    }
}

/// Hard limits a reader enforces before allocating anything.
public enum TraceLimits {
    public static let maxRank = 8
    public static let maxNameBytes = 1024
    /// 2^40 elements: far beyond any real tensor, far below overflow.
    public static let maxElements = 1 << 40

    /// The product of `shape`, or nil if a dimension is negative, the rank exceeds `maxRank` or the product overflows
    /// or exceeds `maxElements`.
    public static func elementCount(_ shape: [Int]) -> Int? {
        guard shape.count <= maxRank else { return nil }
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maxElements else { return nil }
            n = p
        }
        return n
    }
}
