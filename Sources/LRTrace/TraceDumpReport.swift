import Foundation

/// What `lrsim trace dump` shows: one step's scalars and tensors, each with statistics and its first values.
public struct TraceDumpReport: Codable, Sendable {
    public var file: String
    public var step: UInt64
    public var epoch: UInt64
    public var noiseKey: NoiseKeyFields
    public var scalars: [ScalarField]
    public var tensors: [TensorDump]

    public struct NoiseKeyFields: Codable, Sendable {
        public var seed: UInt64
        public var step: UInt64
    }

    public struct ScalarField: Codable, Sendable {
        public var name: String
        public var value: Double
    }

    public struct TensorDump: Codable, Sendable {
        public var name: String
        public var dtype: String
        public var shape: [Int]
        public var count: Int
        public var min: Double?
        public var max: Double?
        public var mean: Double?
        /// Euclidean norm over all elements.
        public var l2: Double?
        /// NaN and infinite elements (floats only).
        public var nonFinite: Int
        /// The first `limit` elements in row-major order, in the tensor's own type.
        public var values: Values
        public var truncated: Bool

        enum CodingKeys: String, CodingKey {
            case name, dtype, shape, count, min, max, mean, l2, values, truncated
            case nonFinite = "non_finite"
        }
    }

    /// Values keep their type so f32 prints as the shortest decimal that reads back to the same float.
    public enum Values: Codable, Sendable {
        case f32([Float]), f64([Double]), ints([Int])

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .f32(v): try c.encode(v)
            case let .f64(v): try c.encode(v)
            case let .ints(v): try c.encode(v)
            }
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let v = try? c.decode([Int].self) { self = .ints(v) } else { self = .f64(try c.decode([Double].self)) }
        }

        var strings: [String] {
            switch self {
            case let .f32(v): return v.map { "\($0)" }
            case let .f64(v): return v.map { "\($0)" }
            case let .ints(v): return v.map { "\($0)" }
            }
        }
    }

    /// Dumps `step`, keeping only tensors for which `select` is true; at most `limit` values per tensor (nil: all).
    public init(file: String, step: TraceStep, select: (String) -> Bool = { _ in true }, limit: Int?) {
        self.file = file
        self.step = step.info.step
        epoch = step.info.epoch
        noiseKey = NoiseKeyFields(seed: step.info.noiseSeed, step: step.info.noiseStep)
        scalars = step.info.scalars.map { ScalarField(name: $0.name, value: $0.value) }
        tensors = step.tensors.filter { select($0.name) }.map { Self.dump($0, limit: limit) }
    }

    static func dump(_ t: TraceTensor, limit: Int?) -> TensorDump {
        let all = t.doubles
        let n = Swift.min(all.count, limit ?? all.count)
        let values: Values
        switch t.dtype {
        case .f32: values = .f32(Array((t.float32 ?? []).prefix(n)))
        case .f64: values = .f64(Array(all.prefix(n)))
        case .i32, .u8, .u1: values = .ints(all.prefix(n).map { Int($0) })
        }
        let finite = all.filter(\.isFinite)
        let sum = finite.reduce(0, +)
        return TensorDump(
            name: t.name, dtype: t.dtype.description, shape: t.shape, count: all.count,
            min: finite.min(), max: finite.max(), mean: finite.isEmpty ? nil : sum / Double(finite.count),
            l2: finite.isEmpty ? nil : finite.reduce(0) { $0 + $1 * $1 }.squareRoot(),
            nonFinite: all.count - finite.count, values: values, truncated: n < all.count)
    }

    enum CodingKeys: String, CodingKey {
        case file, step, epoch, scalars, tensors
        case noiseKey = "noise_key"
    }

    public func text() -> String {
        var out = ["step \(step) (epoch \(epoch)), noise key seed \(noiseKey.seed) step \(noiseKey.step)"]
        for s in scalars { out.append("  \(s.name) = \(s.value)") }
        for t in tensors {
            var line = "\(t.name)  \(t.dtype) \(t.shape)  \(t.count) values"
            if let mn = t.min, let mx = t.max, let mean = t.mean, let l2 = t.l2 {
                line += "  min \(mn)  max \(mx)  mean \(mean)  l2 \(l2)"
            }
            if t.nonFinite > 0 { line += "  non-finite \(t.nonFinite)" }
            out.append(line)
            let v = t.values.strings
            var i = 0
            while i < v.count {
                out.append("  " + v[i..<Swift.min(i + 8, v.count)].joined(separator: " "))
                i += 8
            }
            if t.truncated { out.append("  ... (\(t.count - v.count) more)") }
        }
        return out.joined(separator: "\n")
    }
}
