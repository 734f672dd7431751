extension FixedFormat {
    /// Parses the spellings users type:
    /// - `s3.12`, `u0.8`: signed / unsigned with I integer bits (counting the sign bit) and F fraction bits, W = I + F.
    ///   Either count may be negative (`s-2.10`, `u12.-4`).
    /// - `Q3.12`, `Q15`, `UQ1.15`: the TI/ARM Q notation, where m integer bits EXCLUDE the sign bit:
    ///   `Qm.n` = `s(m+1).n` (Q3.12 is 16 bits wide), `Qn` = `Q0.n`, `UQm.n` = `um.n`.
    /// - `ac_fixed<W,I,true>` / `ac_fixed<W,I,false>`: the HLS spelling.
    /// Whitespace around the text is ignored; letters are case-insensitive.
    public static func parse(_ text: String) throws -> FixedFormat {
        let t = text.trimmingWhitespace()
        let lower = t.lowercased()
        let expected = "expected sI.F, uI.F, Qm.n, UQm.n or ac_fixed<W,I,S> (for example s3.12, u0.8, Q3.12)"
        func fail() -> FixedPointError {
            FixedPointError(.invalidFormat, "invalid fixed-point format '\(text)': \(expected)")
        }
        if lower.hasPrefix("ac_fixed<") && lower.hasSuffix(">") {
            let inner = lower.dropFirst("ac_fixed<".count).dropLast()
            let parts = inner.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            guard parts.count == 3, let w = Int(parts[0]), let i = Int(parts[1]) else { throw fail() }
            let signed: Bool
            switch parts[2] {
            case "true", "1": signed = true
            case "false", "0": signed = false
            default: throw fail()
            }
            return try FixedFormat(width: w, intBits: i, signed: signed)
        }
        if lower.hasPrefix("uq") || lower.hasPrefix("q") {
            let unsigned = lower.hasPrefix("uq")
            let body = lower.dropFirst(unsigned ? 2 : 1)
            let m: Int, n: Int
            if let dot = body.firstIndex(of: ".") {
                guard let mm = Int(body[..<dot]), let nn = Int(body[body.index(after: dot)...]) else { throw fail() }
                m = mm; n = nn
            } else {
                guard let nn = Int(body) else { throw fail() }
                m = 0; n = nn
            }
            let limit = FixedFormat.maxBinaryPointOffset
            guard (-limit...limit).contains(m) else { throw fail() }
            return try FixedFormat(signed: !unsigned, intBits: unsigned ? m : m + 1, fracBits: n)
        }
        guard let first = lower.first, first == "s" || first == "u" else { throw fail() }
        let body = lower.dropFirst()
        guard let dot = body.firstIndex(of: "."), let i = Int(body[..<dot]),
            let f = Int(body[body.index(after: dot)...])
        else { throw fail() }
        return try FixedFormat(signed: first == "s", intBits: i, fracBits: f)
    }
}

extension FixedFormat: Codable {
    /// Encoded as its canonical spelling (`"s3.12"`), so TOML and JSON files stay readable.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        self = try FixedFormat.parse(c.decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s = s.dropFirst() }
        while let c = s.last, c.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
