/// A format together with how values are rounded and saturated into it: everything a hardware quantizer needs.
///
/// TOML/JSON form: `{ format = "s3.12", rounding = "RND_CONV", overflow = "SAT" }`; `rounding` defaults to TRN and
/// `overflow` to WRAP (what plain two's complement hardware does when nobody adds logic).
public struct FixedConfig: Hashable, Sendable, Codable, CustomStringConvertible {
    public var format: FixedFormat
    public var rounding: Quantization
    public var overflow: Overflow

    public init(_ format: FixedFormat, rounding: Quantization = .truncate, overflow: Overflow = .wrap) {
        self.format = format
        self.rounding = rounding
        self.overflow = overflow
    }

    /// The lowest raw value this config's overflow keeps (`FixedFormat.lowestKept(under:)`).
    @inlinable public var lowestKept: Int128 { format.lowestKept(under: overflow) }

    /// Parses the three spellings (`"s3.12"`, `"RND_CONV"`, `"SAT"`).
    public init(format: String, rounding: String = "TRN", overflow: String = "WRAP") throws {
        self.init(
            try FixedFormat.parse(format), rounding: try Quantization.parse(rounding),
            overflow: try Overflow.parse(overflow))
    }

    enum CodingKeys: String, CodingKey { case format, rounding, overflow }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let f = try c.decode(String.self, forKey: .format)
        let r = try c.decodeIfPresent(String.self, forKey: .rounding) ?? "TRN"
        let o = try c.decodeIfPresent(String.self, forKey: .overflow) ?? "WRAP"
        try self.init(format: f, rounding: r, overflow: o)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(format.description, forKey: .format)
        try c.encode(rounding.rawValue, forKey: .rounding)
        try c.encode(overflow.rawValue, forKey: .overflow)
    }

    /// `s3.12 RND_CONV SAT`.
    public var description: String { "\(format) \(rounding.rawValue) \(overflow.rawValue)" }
}
