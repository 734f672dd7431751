import Foundation

/// A linear (or log10) map from data to pixels, with "nice" tick values (1, 2, 5 x 10^k steps) covering the data.
public struct PlotScale: Sendable {
    public let lower: Double
    public let upper: Double
    public let pixelLower: Double
    public let pixelUpper: Double
    public let logarithmic: Bool
    public let ticks: [Double]

    /// `values` are the data; the domain is widened to nice tick bounds. Log scales need positive values.
    public init(
        values: [Double], pixels: (Double, Double), logarithmic: Bool = false, includeZero: Bool = false,
        targetTicks: Int = 6
    ) {
        var finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        if includeZero && !logarithmic { finite.append(0) }
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        self.logarithmic = logarithmic
        self.pixelLower = pixels.0
        self.pixelUpper = pixels.1
        if logarithmic {
            if lo <= 0 { lo = 1 }
            if hi <= lo { hi = lo * 10 }
            let a = floor(log10(lo)), b = ceil(log10(hi))
            let top = b > a ? b : a + 1
            if top - a <= 2 {
                // Two decades or less: 1, 2, 5 x 10^k ticks, bounds at the nearest of them around the data.
                let steps = stride(from: a, through: top, by: 1).flatMap { e in [1.0, 2, 5].map { $0 * pow(10, e) } }
                let below = steps.last { $0 <= lo * (1 + 1e-12) } ?? pow(10, a)
                let above = steps.first { $0 >= hi * (1 - 1e-12) } ?? pow(10, top)
                let (l, u) = (below, above > below ? above : below * 10)
                lower = l; upper = u
                ticks = steps.filter { $0 >= l * (1 - 1e-12) && $0 <= u * (1 + 1e-12) }
            } else {
                lower = pow(10, a); upper = pow(10, top)
                ticks = stride(from: a, through: top, by: 1).map { pow(10, $0) }
            }
        } else {
            if hi == lo { let pad = lo == 0 ? 1 : abs(lo) * 0.1; lo -= pad; hi += pad }
            let step = Self.niceStep((hi - lo) / Double(max(1, targetTicks - 1)))
            let a = floor(lo / step) * step, b = ceil(hi / step) * step
            lower = a; upper = b
            var t: [Double] = []
            var v = a
            while v <= b + step * 1e-9 { t.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
            ticks = t
        }
    }

    /// A linear scale whose ticks are exactly `ticks` (a swept axis: one tick per value), padded by `padding` of the
    /// span on each side so markers at the ends stay off the frame.
    /// A logarithmic one pads in decades (its ticks must be positive).
    public init(ticks: [Double], pixels: (Double, Double), padding: Double = 0.06, logarithmic: Bool = false) {
        pixelLower = pixels.0; pixelUpper = pixels.1
        self.logarithmic = logarithmic
        if logarithmic {
            let t = ticks.filter { $0.isFinite && $0 > 0 }.sorted()
            let a = log10(t.first ?? 1), b = log10(t.last ?? 10)
            let pad = b > a ? (b - a) * padding : 0.5
            lower = pow(10, a - pad); upper = pow(10, b + pad)
            self.ticks = t
            return
        }
        let t = ticks.filter(\.isFinite).sorted()
        var lo = t.first ?? 0, hi = t.last ?? 1
        let pad = hi > lo ? (hi - lo) * padding : max(1, abs(lo) * 0.1)
        lo -= pad; hi += pad
        lower = lo; upper = hi
        self.ticks = t
    }

    /// Whether the axis starts away from zero while every value lies on one side of it (0 excluded from the range), so
    /// a reader must be told the axis is cut.
    public func excludesZero(values: [Double]) -> Bool {
        guard !logarithmic else { return false }
        let v = values.filter(\.isFinite)
        guard !v.isEmpty else { return false }
        return (lower > 0 && v.allSatisfy { $0 >= 0 }) || (upper < 0 && v.allSatisfy { $0 <= 0 })
    }

    /// Pixel position of `x`.
    public func callAsFunction(_ x: Double) -> Double {
        let f: Double
        if logarithmic {
            f = (log10(max(x, 1e-300)) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            f = (x - lower) / (upper - lower)
        }
        return pixelLower + f * (pixelUpper - pixelLower)
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 5, 10] where m * p >= raw * (1 - 1e-12) { return m * p }
        return 10 * p
    }

    /// Tick label: engineering suffixes for large numbers, short decimals otherwise.
    public static func label(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1e9 { return trim(v / 1e9) + "G" }
        if a >= 1e6 { return trim(v / 1e6) + "M" }
        if a >= 1e4 { return trim(v / 1e3) + "k" }
        if a < 1e-3 { return String(format: "%.0e", v) }
        return trim(v)
    }

    static func trim(_ v: Double) -> String {
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
