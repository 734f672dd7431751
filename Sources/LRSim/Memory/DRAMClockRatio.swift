/// Exact conversion between the accelerator clock and the DRAM clock.
///
/// The DRAM is its own clock domain: its timing is kept in DRAM cycles and only arrivals and completions cross, each
/// rounded up to the next edge of the other clock. Converting every timing parameter to accelerator cycles instead
/// would round each one up: LPDDR4-3200's tCCD of 8 DRAM cycles is 2.5 cycles of a 500 MHz accelerator, and 3 would
/// cut its streaming bandwidth by a sixth.
struct DRAMClockRatio: Sendable {
    /// DRAM cycles per accelerator cycle = `dram / accelerator` (whole Hz, reduced by their gcd).
    let dram: Int
    let accelerator: Int

    /// The largest cycle each direction converts in one 64-bit multiply and divide.
    private let toDRAMLimit: Int, toAcceleratorLimit: Int

    init(dramHz: Double, acceleratorHz: Double) {
        let d = max(1, Int(dramHz.rounded())), a = max(1, Int(acceleratorHz.rounded()))
        var x = d, y = a
        while y != 0 { (x, y) = (y, x % y) }
        dram = d / x; accelerator = a / x
        toDRAMLimit = (Int.max - accelerator) / dram
        toAcceleratorLimit = (Int.max - dram) / accelerator
    }

    /// The first DRAM cycle at or after accelerator cycle `cycle` (>= 0).
    func toDRAM(_ cycle: Int) -> Int {
        if cycle >= 0 && cycle <= toDRAMLimit { return (cycle &* dram &+ accelerator &- 1) / accelerator }
        return Self.ceilScale(cycle, by: dram, over: accelerator)
    }

    /// The first accelerator cycle at or after DRAM cycle `cycle` (>= 0).
    func toAccelerator(_ cycle: Int) -> Int {
        if cycle >= 0 && cycle <= toAcceleratorLimit { return (cycle &* accelerator &+ dram &- 1) / dram }
        return Self.ceilScale(cycle, by: accelerator, over: dram)
    }

    /// The accelerator cycle during which DRAM cycle `cycle` (>= 0) begins.
    func acceleratorCycle(containing cycle: Int) -> Int {
        let up = toAccelerator(cycle)
        return up > 0 && toDRAM(up) > cycle ? up &- 1 : up
    }

    /// ceil(x * num / den) for x >= 0 without overflow; saturates at Int.max when the result does not fit.
    static func ceilScale(_ x: Int, by num: Int, over den: Int) -> Int {
        guard x > 0 else { return 0 }
        if num == den { return x }
        let d = UInt(den)
        let (hi, lo) = UInt(x).multipliedFullWidth(by: UInt(num))
        guard hi < d else { return Int.max }
        let (q, r) = d.dividingFullWidth((hi, lo))
        let up = r > 0 ? q &+ 1 : q
        return up > UInt(Int.max) || up < q ? Int.max : Int(up)
    }
}
