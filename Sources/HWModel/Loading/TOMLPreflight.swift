/// Catches, before toml++ sees the text, the malformed constructs known to trip internal assertions in the toml++
/// bundled with TOMLKit 0.6.0 instead of giving a parse error (an abort in debug builds, undefined behaviour with
/// NDEBUG): a table header whose first key character is neither a bare-key character nor a quote (`[=x]`, `[#]`, `[[[`,
/// a lone `[` at the end of a line), and a `}` where an array expects a value (`[1, }]`). Found by RobustnessTests'
/// random edits. Reports them in toml++'s own words, with line and column.
///
/// Also refuses NUL bytes anywhere: TOML forbids them (raw control characters are not allowed even in strings or
/// comments), and toml++ receives the text as a C string, so it would silently stop at the first NUL — a NUL-prefixed
/// file parsed as an empty (all-defaults) model and everything after a mid-file NUL was dropped.
enum TOMLPreflight {
    struct Problem: Error {
        var line: Int
        var column: Int
        var message: String
    }

    static func check(_ text: String) -> Problem? {
        if let nul = firstNUL(text) { return nul }
        let s = Array(text.unicodeScalars)
        var i = 0, line = 1, column = 1
        var open: [Unicode.Scalar] = []  // open arrays `[` / inline tables `{` inside a value
        var lineHasContent = false  // anything but whitespace seen on this line

        func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }
        func advance() {
            if s[i] == "\n" { line += 1; column = 1; lineHasContent = false } else { column += 1 }
            i += 1
        }
        func skipString(_ quote: Unicode.Scalar) {
            let triple = peek(1) == quote && peek(2) == quote
            advance(); if triple { advance(); advance() }
            while i < s.count {
                if quote == "\"", s[i] == "\\" { advance(); if i < s.count { advance() }; continue }
                if s[i] == quote && (!triple || (peek(1) == quote && peek(2) == quote)) {
                    advance(); if triple { advance(); advance() }
                    return
                }
                if !triple && s[i] == "\n" { return }
                advance()
            }
        }

        while i < s.count {
            let c = s[i]
            if c == " " || c == "\t" || c == "\r" || c == "\n" { advance(); continue }
            if c == "#" { while i < s.count, s[i] != "\n" { advance() }; continue }
            if c == "\"" || c == "'" { lineHasContent = true; skipString(c); continue }
            if c == "[" && open.isEmpty && !lineHasContent {
                advance(); if peek() == "[" { advance() }
                while let d = peek(), d == " " || d == "\t" { advance() }
                if let d = peek(), !(isBareKey(d) || d == "\"" || d == "'" || d == "]") {
                    let shown = d == "\n" ? "\\n" : d == "\r" ? "\\r" : String(d)
                    return Problem(
                        line: line, column: column,
                        message:
                            "Error while parsing table header: expected bare key starting character or string delimiter, saw '\(shown)'"
                    )
                }
                while i < s.count, s[i] != "\n" {  // the rest of the header line
                    if s[i] == "\"" || s[i] == "'" { skipString(s[i]) } else if s[i] == "#" { break } else { advance() }
                }
                continue
            }
            lineHasContent = true
            if c == "}" && open.last == "[" {
                return Problem(
                    line: line, column: column,
                    message:
                        "Error while parsing array: expected a value, comma or closing ']', saw '}'")
            }
            if c == "[" || c == "{" { open.append(c) } else if c == "]" || c == "}" { _ = open.popLast() }
            advance()
        }
        return nil
    }

    /// The first NUL byte of `text` as a problem at its line and column (columns count Unicode scalars, as above).
    static func firstNUL(_ text: String) -> Problem? {
        var line = 1, column = 1
        for c in text.unicodeScalars {
            if c == "\0" {
                return Problem(
                    line: line, column: column,
                    message:
                        "expected text without NUL bytes (TOML forbids control characters; the file may be binary or corrupted), saw a NUL byte"
                )
            }
            if c == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return nil
    }

    static func isBareKey(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
    }
}
