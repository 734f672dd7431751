/// Near-miss suggestions for unknown keys and values ("did you mean 'rows'?").
enum Suggestion {
    /// Edit distance between two strings counting insertions, deletions, substitutions and transpositions of adjacent
    /// characters (optimal string alignment), by Unicode scalar, case-insensitive: `nmae` is one edit from `name`.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().unicodeScalars), y = Array(b.lowercased().unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        let width = y.count + 1
        var d = [Int](repeating: 0, count: (x.count + 1) * width)
        for i in 0...x.count { d[i * width] = i }
        for j in 0...y.count { d[j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var best = min(d[(i - 1) * width + j - 1] + cost, d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    best = min(best, d[(i - 2) * width + j - 2] + 1)
                }
                d[i * width + j] = best
            }
        }
        return d[x.count * width + y.count]
    }

    /// The candidate nearest to `word`, if it is near enough to be a plausible typo (at most a third of the longer
    /// word's length, and at most 3 edits), or a candidate that extends or is extended by `word` (3 letters or more).
    static func nearest(to word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(word, candidate)
            if let b = best, d >= b.1 { continue }
            best = (candidate, d)
        }
        if let (candidate, d) = best, d <= min(3, max(1, max(word.count, candidate.count) / 3)) { return candidate }
        // Otherwise the closest candidate that extends or is extended by the word: `latency` -> `latency_cycles`, even
        // when `channels` is as few edits away.
        let lw = word.lowercased()
        return candidates.filter { c in
            let lc = c.lowercased()
            return min(lw.count, lc.count) >= 3 && (lw.hasPrefix(lc) || lc.hasPrefix(lw))
        }.min { distance(word, $0) < distance(word, $1) }
    }

    /// `"; did you mean 'x'?"` or the empty string.
    static func hint(for word: String, in candidates: [String]) -> String {
        nearest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }
}
