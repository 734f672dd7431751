/// Hands long `fx quantize` value lists past swift-argument-parser in one argument.
///
/// swift-argument-parser 1.8.2 takes quadratic time over repeated positional values: each value it appends copies the
/// set of input positions gathered so far (`ParsedValues.set` -> `InputOrigin.formUnion` held 50% of the profile).
/// Release build, values i/7: 1,000 values 0.33 s, 4,000 0.97 s, 16,000 12.2 s; lrsim's own work is linear. So
/// before parsing, `rewritten` moves the values of a long `fx quantize` command line into one hidden `--value-list`
/// argument (joined by U+001F), which `FxQuantize` splits again: the same values, in order, with the same messages.
/// Anything it does not fully understand (help, an unknown option, `--`, a value holding U+001F) is left to the
/// parser untouched, as are short lists.
public enum FxValueList {
    static let option = "--value-list"
    static let separator: Character = "\u{1F}"
    /// Below this many values the parser's cost is negligible (0.33 s for 1,000 in all).
    static let threshold = 64
    static let valueOptions = ["--format", "--mode", "--overflow", "--seed"]

    /// `arguments` (without the program name), with a long `fx quantize` value list moved into `--value-list`.
    public static func rewritten(_ arguments: [String]) -> [String] {
        guard arguments.count > threshold + 2, arguments[0] == "fx", arguments[1] == "quantize" else {
            return arguments
        }
        var kept = ["fx", "quantize"], values: [String] = []
        var i = 2
        while i < arguments.count {
            let t = arguments[i]
            if valueOptions.contains(t) {
                guard i + 1 < arguments.count else { return arguments }
                kept += [t, arguments[i + 1]]
                i += 2
                continue
            }
            if t == "--json" || valueOptions.contains(where: { t.hasPrefix($0 + "=") }) {
                kept.append(t)
            } else if t.hasPrefix("-"), let second = t.dropFirst().first, !(second.isNumber || second == ".") {
                return arguments  // --help, -h, --, an unknown option: the parser's to judge
            } else if t.contains(separator) {
                return arguments
            } else {
                values.append(t)
            }
            i += 1
        }
        guard values.count > threshold else { return arguments }
        return kept + [option, values.joined(separator: String(separator))]
    }

    /// The values `rewritten` joined.
    static func split(_ list: String) -> [String] {
        list.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
