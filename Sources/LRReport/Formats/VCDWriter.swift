import LRIO

/// A Value Change Dump (IEEE 1364 §18) for GTKWave and friends: one `$scope module` per group of signals, integer
/// signals as two's-complement bit vectors.
public struct VCDDocument: Sendable {
    public struct Signal: Sendable {
        public var scope: String
        public var name: String
        /// Bits (1 ... 64). Width-1 signals are scalars.
        public var width: Int
        public init(scope: String, name: String, width: Int) {
            self.scope = scope; self.name = name; self.width = width
        }
    }
    /// Value of a signal from `time` on.
    public struct Change: Sendable {
        public var time: Int
        public var signal: Int
        public var value: Int64
        public init(time: Int, signal: Int, value: Int64) { self.time = time; self.signal = signal; self.value = value }
    }

    /// For example `1 ps`.
    public var timescale: String
    public var comment: String
    public var top: String
    public var signals: [Signal] = []
    public var changes: [Change] = []

    public init(timescale: String, comment: String, top: String = "top") {
        self.timescale = timescale; self.comment = comment; self.top = top
    }

    @discardableResult
    public mutating func addSignal(scope: String, name: String, width: Int) -> Int {
        signals.append(Signal(scope: scope, name: name, width: max(1, min(64, width))))
        return signals.count - 1
    }

    public mutating func change(_ signal: Int, at time: Int, to value: Int64) {
        changes.append(Change(time: time, signal: signal, value: value))
    }

    /// The identifier code of signal `i`: printable ASCII `!` ... `~` in base 94.
    static func code(_ i: Int) -> String {
        var n = i, s = ""
        repeat {
            s.append(Character(UnicodeScalar(UInt8(33 + n % 94))))
            n /= 94
        } while n > 0
        return s
    }

    static func sanitize(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }

    func valueText(_ v: Int64, width: Int, code: String) -> String {
        if width == 1 { return "\(v & 1)\(code)" }
        let bits = UInt64(bitPattern: v) & (width == 64 ? ~0 : (1 << UInt64(width)) - 1)
        var digits = String(bits, radix: 2)
        if digits.count > width { digits = String(digits.suffix(width)) }
        return "b\(digits) \(code)"
    }

    /// The file text. Changes are sorted by time (stable: later changes of one signal at one time win), and only
    /// changes of value are emitted.
    public var text: String {
        var out = "$date lrsim $end\n$version lrsim \(comment) $end\n$timescale \(timescale) $end\n"
        out += "$scope module \(Self.sanitize(top)) $end\n"
        var scopes: [String] = []
        var byScope: [String: [Int]] = [:]
        for (i, s) in signals.enumerated() {
            if byScope[s.scope] == nil { scopes.append(s.scope) }
            byScope[s.scope, default: []].append(i)
        }
        for scope in scopes {
            out += "$scope module \(Self.sanitize(scope)) $end\n"
            for i in byScope[scope] ?? [] {
                let s = signals[i]
                out +=
                    "$var \(s.width == 1 ? "wire" : "integer") \(s.width) \(Self.code(i)) \(Self.sanitize(s.name)) "
                    + "$end\n"
            }
            out += "$upscope $end\n"
        }
        out += "$upscope $end\n$enddefinitions $end\n"
        let order = changes.indices.sorted { (changes[$0].time, $0) < (changes[$1].time, $1) }
        var current = Array<Int64?>(repeating: nil, count: signals.count)
        // Final value of each signal at each time step, in first-change order.
        var i = 0
        var first = true
        while i < order.count {
            let t = changes[order[i]].time
            var latest: [Int: Int64] = [:]
            var seen: [Int] = []
            while i < order.count && changes[order[i]].time == t {
                let c = changes[order[i]]
                if latest[c.signal] == nil { seen.append(c.signal) }
                latest[c.signal] = c.value
                i += 1
            }
            var lines: [String] = []
            for s in seen {
                guard let v = latest[s], current[s] != v else { continue }
                current[s] = v
                lines.append(valueText(v, width: signals[s].width, code: Self.code(s)))
            }
            if first {
                out += "#\(t)\n$dumpvars\n"
                // Every signal gets an initial value.
                for s in signals.indices where current[s] == nil {
                    current[s] = 0
                    lines.append(valueText(0, width: signals[s].width, code: Self.code(s)))
                }
                out += lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n") + "$end\n"
                first = false
            } else if !lines.isEmpty {
                out += "#\(t)\n" + lines.joined(separator: "\n") + "\n"
            }
        }
        return out
    }

    public func write(to path: String) throws { try AtomicFile.write(text, to: path) }
}
