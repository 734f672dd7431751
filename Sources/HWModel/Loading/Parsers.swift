import FixedPoint
import Foundation

/// Typed readers of `Node`s: each accepts the TOML type(s) the schema allows, plus `--set` text, and rejects everything
/// else with an `expected ..., got ...` message.
enum Parse {
    static func int(_ range: ClosedRange<Int>) -> (Node) -> Result<Int, Rejection> {
        { node in
            let expected = "expected an integer in \(range.lowerBound)...\(range.upperBound)"
            let value: Int
            switch node.value {
            case .int(let i): value = i
            case .text(let t):
                guard let i = Int(t.replacingOccurrences(of: "_", with: "")) else {
                    return .failure(Rejection("\(expected), got \(node.described)"))
                }
                value = i
            case .double(let d) where d.rounded() == d && abs(d) < 1e18:
                return .failure(Rejection("\(expected) (without a decimal point), got \(node.described)"))
            default: return .failure(Rejection("\(expected), got \(node.described)"))
            }
            guard range.contains(value) else { return .failure(Rejection("\(expected), got \(value)")) }
            return .success(value)
        }
    }

    /// A finite number in `range`; integers are accepted too.
    static func double(_ range: ClosedRange<Double>) -> (Node) -> Result<Double, Rejection> {
        { node in
            let expected =
                "expected a number >= \(Literal.format(range.lowerBound)) and <= \(Literal.format(range.upperBound))"
            let value: Double
            switch node.value {
            case .int(let i): value = Double(i)
            case .double(let d): value = d
            case .text(let t):
                guard let d = Double(t.replacingOccurrences(of: "_", with: "")) else {
                    return .failure(Rejection("\(expected), got \(node.described)"))
                }
                value = d
            default: return .failure(Rejection("\(expected), got \(node.described)"))
            }
            guard value.isFinite, range.contains(value) else {
                return .failure(Rejection("\(expected), got \(Literal.format(value))"))
            }
            return .success(value)
        }
    }

    static func string(nonEmpty: Bool = false) -> (Node) -> Result<String, Rejection> {
        { node in
            switch node.value {
            case .string(let s), .text(let s):
                if nonEmpty && s.isEmpty { return .failure(Rejection("expected a non-empty string, got \"\"")) }
                return .success(s)
            default: return .failure(Rejection("expected a string, got \(node.described)"))
            }
        }
    }

    static func bool(_ node: Node) -> Result<Bool, Rejection> {
        switch node.value {
        case .bool(let b): return .success(b)
        case .text("true"): return .success(true)
        case .text("false"): return .success(false)
        default: return .failure(Rejection("expected true or false, got \(node.described)"))
        }
    }

    /// One of an enumeration's spellings, with a near-miss hint.
    static func choice<E: RawRepresentable & CaseIterable>(_: E.Type) -> (Node) -> Result<E, Rejection>
    where E.RawValue == String {
        { node in
            let names = E.allCases.map(\.rawValue)
            let expected = "expected one of \(names.map { "\"\($0)\"" }.joined(separator: ", "))"
            switch node.value {
            case .string(let s), .text(let s):
                if let e = E(rawValue: s) { return .success(e) }
                return .failure(Rejection("\(expected), got \"\(s)\"" + Suggestion.hint(for: s, in: names)))
            default: return .failure(Rejection("\(expected), got \(node.described)"))
            }
        }
    }

    /// A byte count: an integer, or a string with a unit: `"64 KiB"`, `"2 MiB"`, `"1 GiB"`, `"512 B"`, `"64 kB"`.
    static func bytes(max: Int) -> (Node) -> Result<Int, Rejection> {
        { node in
            let expected = "expected a byte count in 0...\(max) (an integer, or a string such as \"64 KiB\")"
            let value: Int
            switch node.value {
            case .int(let i): value = i
            case .string(let s), .text(let s):
                guard let v = parseByteCount(s) else {
                    return .failure(Rejection("\(expected), got \(node.described)"))
                }
                value = v
            default: return .failure(Rejection("\(expected), got \(node.described)"))
            }
            guard (0...max).contains(value) else { return .failure(Rejection("\(expected), got \(value)")) }
            return .success(value)
        }
    }

    static let byteUnits: [String: Int] = [
        "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
        "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
    ]

    /// `"64 KiB"` -> 65536; nil when malformed or too large.
    static func parseByteCount(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let n = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        if unit.isEmpty { return n }
        guard let scale = byteUnits[unit] else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// A fixed-point format: `sI.F` / `uI.F` (or FixedPoint's `Qm.n`, `ac_fixed<W,I,S>`) with 1 <= W <= maxBits.
    static func format(maxBits: Int) -> (Node) -> Result<(signed: Bool, intBits: Int, fracBits: Int), Rejection> {
        { node in
            let expected =
                "expected a format \"sI.F\" or \"uI.F\" (I integer bits, sign included; F fraction bits; "
                + "1 <= I+F <= \(maxBits))"
            let text: String
            switch node.value {
            case .string(let s), .text(let s): text = s
            default: return .failure(Rejection("\(expected), got \(node.described)"))
            }
            guard let f = try? FixedFormat.parse(text) else {
                if let p = NumberFormatSpec.parseFormat(text),
                    let problem = formatProblem(
                        signed: p.signed, intBits: p.intBits, fracBits: p.fracBits, maxBits: maxBits)
                {
                    return .failure(Rejection("\(problem), got \"\(text)\""))
                }
                return .failure(Rejection("\(expected), got \"\(text)\""))
            }
            if let problem = formatProblem(
                signed: f.isSigned, intBits: f.intBits, fracBits: f.fracBits, maxBits: maxBits)
            {
                return .failure(Rejection("\(problem), got \"\(text)\""))
            }
            return .success((f.isSigned, f.intBits, f.fracBits))
        }
    }

    /// Why `sI.F` is out of range for a signal (nil when fine): the width, and FixedPoint's own limits.
    static func formatProblem(signed: Bool, intBits: Int, fracBits: Int, maxBits: Int) -> String? {
        let (w, overflow) = intBits.addingReportingOverflow(fracBits)
        let limit = signed ? maxBits : min(maxBits, FixedFormat.maxAccumulatorWidth - 1)
        if overflow || w < 1 || w > limit { return "expected a total width I+F in 1...\(limit)" }
        if (try? FixedFormat(signed: signed, intBits: intBits, fracBits: fracBits)) == nil {
            return
                "expected integer and fraction bits in -\(FixedFormat.maxBinaryPointOffset)...\(FixedFormat.maxBinaryPointOffset)"
        }
        return nil
    }
}
