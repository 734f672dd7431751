/// Cycle counts of the non-systolic units. All are documented timing models, not measurements.
public enum UnitTiming {
    /// A vector operation over `elements` on `lanes` lanes: `ceil(elements / lanes) + latency` (0 for no work).
    @inlinable public static func vector(elements: Int, lanes: Int, latency: Int) -> Int {
        elements <= 0 ? 0 : (elements &+ lanes &- 1) / max(lanes, 1) &+ latency
    }

    /// Cycles a noise generator needs for `count` numbers (or bits) at `rate` per cycle, plus its pipeline fill.
    @inlinable public static func noise(count: Int, rate: Int, latency: Int) -> Int {
        count <= 0 ? 0 : (count &+ rate &- 1) / max(rate, 1) &+ latency
    }

    /// Cycles a channel of `bytesPerCycle` is occupied by `bytes` (the latency is paid on top but overlaps other
    /// transfers).
    @inlinable public static func transfer(bytes: Int, bytesPerCycle: Double) -> Int {
        bytes <= 0 ? 0 : Int((Double(bytes) / bytesPerCycle).rounded(.up))
    }
}
