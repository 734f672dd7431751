/// One point of the grid: the hardware model with one combination of overrides.
public struct SweepPoint: Sendable, Codable, Equatable {
    /// Position in the canonical grid order (the first axis varies slowest).
    public var index: Int
    /// `KEY=VALUE` overrides in axis order (the order they are applied in).
    public var overrides: [String]
    /// Stable name derived from the sorted overrides: same overrides, same id, in any run, shard or machine.
    public var id: String

    public init(index: Int, overrides: [String]) {
        self.index = index
        self.overrides = overrides
        self.id = Self.id(for: overrides)
    }

    /// The value this point gives `key`, if it varies it.
    public func value(of key: String) -> String? {
        for o in overrides {
            if let eq = o.firstIndex(of: "="), o[..<eq] == key { return String(o[o.index(after: eq)...]) }
        }
        return nil
    }

    /// A readable slug of the sorted overrides (at most 80 characters) plus 8 hex digits of their FNV-1a hash,
    /// e.g. `formats-activations-bits-4_pe-rows-16-1f0c3a9e`.
    public static func id(for overrides: [String]) -> String {
        let canonical = overrides.sorted().joined(separator: "\n")
        var slug = ""
        for o in overrides.sorted() {
            if !slug.isEmpty { slug += "_" }
            for u in o.unicodeScalars {
                let c = Character(u)
                slug.append(c.isASCII && (c.isLetter || c.isNumber) ? c : "-")
            }
        }
        if slug.count > 80 { slug = String(slug.prefix(80)) }
        if slug.isEmpty { slug = "base" }
        let hash = fnv1a(canonical)
        let hex = String(UInt32(truncatingIfNeeded: hash ^ (hash >> 32)), radix: 16)
        return slug + "-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return h
    }
}
