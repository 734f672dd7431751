/// The line on which each key of a TOML document is defined, by dotted path (`stage.array.rows`, `energy[2].energy_pj`).
///
/// TOMLKit reports positions for syntax errors only, so after toml++ has accepted a document this scanner walks its text
/// once to learn where every key, table header and array element is. It assumes valid TOML (toml++ checked it).
struct KeyLineIndex: Sendable {
    private(set) var lines: [String: Int] = [:]

    /// The line of `path`, or of its nearest recorded ancestor (0 when none).
    func line(of path: String) -> Int {
        var p = Substring(path)
        while true {
            if let l = lines[String(p)] { return l }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return 0 }
            p = p[..<cut]
        }
    }

    init(text: String) {
        var scanner = Scanner(text: Array(text.unicodeScalars))
        scanner.scanDocument()
        lines = scanner.lines
    }

    private struct Scanner {
        let s: [Unicode.Scalar]
        var i = 0
        var line = 1
        var lines: [String: Int] = [:]
        /// Array-of-tables paths seen so far and their element counts.
        var arrayTables: [String: Int] = [:]

        init(text: [Unicode.Scalar]) { s = text }

        var atEnd: Bool { i >= s.count }
        var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }
        func peek(_ k: Int) -> Unicode.Scalar? { i + k < s.count ? s[i + k] : nil }

        /// Records `path` at `line`, and every dotted prefix not seen yet (tables defined implicitly by `[a.b.c]` or
        /// `a.b = 1` are first mentioned there).
        mutating func record(_ path: String, _ line: Int) {
            lines[path] = line
            var prefix = Substring(path)
            while let cut = prefix.lastIndex(of: ".") {
                prefix = prefix[..<cut]
                if lines[String(prefix)] == nil { lines[String(prefix)] = line }
            }
        }

        mutating func advance() {
            if s[i] == "\n" { line += 1 }
            i += 1
        }

        mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { advance() } }

        /// Skips whitespace, newlines and comments (inside arrays).
        mutating func skipBlank() {
            while let c = peek {
                if c == " " || c == "\t" || c == "\n" || c == "\r" {
                    advance()
                } else if c == "#" {
                    skipComment()
                } else {
                    return
                }
            }
        }

        mutating func skipComment() { while let c = peek, c != "\n" { _ = c; advance() } }
        mutating func skipLine() { while let c = peek, c != "\n" { _ = c; advance() }; if !atEnd { advance() } }

        mutating func scanDocument() {
            var current = ""
            while !atEnd {
                skipBlank()
                let start = i
                defer { if i == start, !atEnd { advance() } }  // never stall on text toml++ would not have accepted
                guard let c = peek else { break }
                if c == "[" {
                    let isArray = peek(1) == "["
                    advance(); if isArray { advance() }
                    let keyLine = line
                    let key = resolve(scanKey())
                    if isArray {
                        let n = arrayTables[key, default: 0]
                        arrayTables[key] = n + 1
                        if lines[key] == nil { record(key, keyLine) }
                        current = "\(key)[\(n)]"
                    } else {
                        current = key
                    }
                    record(current, keyLine)
                    skipLine()
                } else {
                    let keyLine = line
                    let key = scanKey()
                    let path = current.isEmpty ? key : "\(current).\(key)"
                    record(path, keyLine)
                    skipSpaces()
                    if peek == "=" { advance() }
                    skipSpaces()
                    scanValue(path)
                    skipSpaces()
                    if peek == "#" { skipComment() }
                }
            }
        }

        /// Maps a header path onto the latest element of any array of tables it passes through (`[a.b]` under `[[a]]`).
        func resolve(_ key: String) -> String {
            var out = ""
            for part in key.split(separator: ".", omittingEmptySubsequences: false) {
                out = out.isEmpty ? String(part) : "\(out).\(part)"
                if let n = arrayTables[out], n > 0, out != key { out += "[\(n - 1)]" }
            }
            return out
        }

        /// A dotted key (bare or quoted parts), stopping before `=` or `]`.
        mutating func scanKey() -> String {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let c = peek else { break }
                if c == "\"" || c == "'" {
                    parts.append(scanQuotedKey(c))
                } else {
                    var part = ""
                    while let d = peek, TOMLPreflight.isBareKey(d) {
                        part.unicodeScalars.append(d); advance()
                    }
                    parts.append(part)
                }
                skipSpaces()
                if peek == "." { advance() } else { break }
            }
            skipSpaces()
            if peek == "]" { advance(); if peek == "]" { advance() } }
            return parts.joined(separator: ".")
        }

        mutating func scanQuotedKey(_ quote: Unicode.Scalar) -> String {
            advance()
            var out = ""
            while let c = peek, c != quote {
                if quote == "\"", c == "\\" { advance() }
                if let d = peek { out.unicodeScalars.append(d); advance() }
            }
            if !atEnd { advance() }
            return out
        }

        mutating func scanValue(_ path: String) {
            guard let c = peek else { return }
            switch c {
            case "\"", "'": scanString(c)
            case "[":
                advance()
                var index = 0
                while true {
                    skipBlank()
                    guard let d = peek else { return }
                    if d == "]" { advance(); return }
                    if d == "," { advance(); index += 1; continue }
                    let element = "\(path)[\(index)]"
                    lines[element] = line
                    let start = i
                    scanValue(element)
                    if i == start, !atEnd { advance() }
                }
            case "{":
                advance()
                while true {
                    skipSpaces()
                    guard let d = peek else { return }
                    if d == "}" { advance(); return }
                    if d == "," { advance(); continue }
                    let keyLine = line
                    let key = "\(path).\(scanKey())"
                    record(key, keyLine)
                    skipSpaces()
                    if peek == "=" { advance() }
                    skipSpaces()
                    let start = i
                    scanValue(key)
                    if i == start, !atEnd { advance() }
                }
            default:
                while let d = peek, d != ",", d != "]", d != "}", d != "\n", d != "#" { advance() }
            }
        }

        mutating func scanString(_ quote: Unicode.Scalar) {
            let triple = peek(1) == quote && peek(2) == quote
            if triple {
                advance(); advance(); advance()
                while !atEnd {
                    if quote == "\"", peek == "\\" { advance(); if !atEnd { advance() }; continue }
                    if peek == quote, peek(1) == quote, peek(2) == quote {
                        advance(); advance(); advance()
                        while peek == quote { advance() }  // up to two quotes may end the content
                        return
                    }
                    advance()
                }
            } else {
                advance()
                while let c = peek, c != quote, c != "\n" {
                    if quote == "\"", c == "\\" { advance() }
                    if !atEnd { advance() }
                }
                if peek == quote { advance() }
            }
        }
    }
}
