import HWModel

/// Splits a burst index (byte address / bytes per burst) into channel, bank group, bank, row and column by the
/// `mapping`: each field takes log2(its count) bits, the last field of the mapping the lowest.
struct DRAMAddressDecoder: Sendable {
    /// log2(bytes per burst): the byte-within-burst bits below every field.
    let offsetBits: Int
    let channelShift: Int, channelMask: UInt
    let groupShift: Int, groupMask: UInt
    let bankShift: Int, bankMask: UInt
    let rowShift: Int, rowMask: UInt
    let columnShift: Int, columnMask: UInt
    /// Whether every field below the column is the channel (or takes no bits). Then the bursts of a sequential
    /// request that land in one channel walk a row column by column, and `StructuredDRAM` serves each such run in
    /// closed form instead of burst by burst.
    let runsStayInOneBank: Bool
    /// The channel interleave below the column: `channels` when the channel is below the column, otherwise 1.
    let columnStride: Int
    /// When the row is the most significant field and only bank and bank group lie between it and the column, a
    /// sequential stream in one channel visits every bank once per row: a cycle of `cycleRuns` (= banks per channel)
    /// row-long runs, which `StructuredDRAM` can jump over in steady state. 0 for other mappings.
    let cycleRuns: Int
    /// Shift of the bank/bank-group bits right above the column (`cyclePosition`); the row is above them.
    let cycleShift: Int
    /// Bank group and bank (index within the channel, `group * banks_per_group + bank`) of each cycle position.
    let slotGroup: [Int], slotBank: [Int]
    /// The cycle position of each bank (the inverse of `slotBank`).
    let bankSlot: [Int]
    /// Runs after which a steady stream repeats up to a rotation of the banks: 1 when each run moves to the next bank
    /// group (bank group the lowest of the bits above the column, or one group), otherwise a whole cycle.
    let jumpPeriod: Int

    init(_ spec: StructuredDRAMSpec) {
        offsetBits = spec.bytesPerBurst.trailingZeroBitCount
        var shift = 0
        var shifts: [DRAMAddressField: Int] = [:]
        var bits: [DRAMAddressField: Int] = [:]
        for field in spec.mapping.fields.reversed() {
            let width = spec.count(of: field).trailingZeroBitCount
            shifts[field] = shift; bits[field] = width
            shift += width
        }
        func place(_ f: DRAMAddressField) -> (Int, UInt) {
            let width = bits[f] ?? 0
            return (shifts[f] ?? 0, width >= UInt.bitWidth ? UInt.max : (UInt(1) << width) &- 1)
        }
        (channelShift, channelMask) = place(.channel)
        (groupShift, groupMask) = place(.bankGroup)
        (bankShift, bankMask) = place(.bank)
        (rowShift, rowMask) = place(.row)
        (columnShift, columnMask) = place(.column)
        let below = spec.mapping.fields.drop { $0 != .column }.dropFirst()
        runsStayInOneBank = below.allSatisfy { $0 == .channel || (bits[$0] ?? 0) == 0 }
        columnStride = below.contains(.channel) ? 1 << (bits[.channel] ?? 0) : 1
        let above = spec.mapping.fields.prefix { $0 != .column }.filter { (bits[$0] ?? 0) > 0 }
        let streams =
            runsStayInOneBank && (above.first ?? .row) == .row
            && above.dropFirst().allSatisfy { $0 == .bank || $0 == .bankGroup }
        cycleRuns = streams ? spec.banksPerChannel : 0
        cycleShift = (shifts[.column] ?? 0) + (bits[.column] ?? 0)
        var groups: [Int] = [], banks: [Int] = []
        for u in 0..<max(cycleRuns, 1) {
            let b = UInt(u) << cycleShift
            let g = Int(truncatingIfNeeded: (b >> groupShift) & groupMask)
            groups.append(g)
            banks.append(g * spec.banksPerGroup + Int(truncatingIfNeeded: (b >> bankShift) & bankMask))
        }
        slotGroup = groups; slotBank = banks
        var slots = [Int](repeating: 0, count: banks.count)
        for (slot, bank) in banks.enumerated() where bank < slots.count { slots[bank] = slot }
        bankSlot = slots
        let rotates = groups.indices.allSatisfy { groups[$0] == $0 % spec.bankGroups }
        jumpPeriod = cycleRuns == 0 ? 0 : (rotates ? 1 : cycleRuns)
    }

    @inline(__always) func channel(_ burst: UInt) -> Int {
        Int(truncatingIfNeeded: (burst >> channelShift) & channelMask)
    }
    @inline(__always) func group(_ burst: UInt) -> Int { Int(truncatingIfNeeded: (burst >> groupShift) & groupMask) }
    @inline(__always) func bank(_ burst: UInt) -> Int { Int(truncatingIfNeeded: (burst >> bankShift) & bankMask) }
    @inline(__always) func row(_ burst: UInt) -> Int { Int(truncatingIfNeeded: (burst >> rowShift) & rowMask) }
    @inline(__always) func column(_ burst: UInt) -> Int { Int(truncatingIfNeeded: (burst >> columnShift) & columnMask) }
    /// Which run of its cycle a burst's row-long run is (0 ..< cycleRuns).
    @inline(__always) func cyclePosition(_ burst: UInt) -> Int {
        Int(truncatingIfNeeded: (burst >> cycleShift) & UInt(bitPattern: max(cycleRuns, 1) &- 1))
    }
}
