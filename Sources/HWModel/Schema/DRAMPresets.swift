/// `dram.preset`: memories whose organization and timing a structured `[dram]` starts from. Every value can be
/// overridden in the file. Timing is in DRAM clock cycles (nCK) of the preset's `clock_hz`.
public enum DRAMPreset: String, Sendable, Hashable, Codable, CaseIterable {
    /// LPDDR4-3200, one x32 package as two 16-bit channels (JESD209-4: a channel is 16 DQ wide), 8 banks, 2 KiB rows,
    /// BL16 (32 B per burst): 12.8 GB/s, what `hwmodels/edge.toml` names.
    case lpddr4_3200 = "lpddr4-3200"
    /// HBM2 at 2 Gb/s per pin, one 8 Gb-die stack in legacy mode: 8 channels of 128 bits, 4 bank groups of 4 banks,
    /// 1 KiB rows, BL4 (64 B per burst): 256 GB/s.
    case hbm2_2000 = "hbm2-2000"
    /// HBM2e at 3.2 Gb/s per pin: the HBM2 organization at tCK = 0.625 ns: 409.6 GB/s, what `hwmodels/datacenter.toml`
    /// names.
    case hbm2e_3200 = "hbm2e-3200"

    /// The preset's full parameter set.
    public var spec: StructuredDRAMSpec {
        switch self {
        case .lpddr4_3200: return Self.lpddr4
        case .hbm2_2000: return Self.hbm2
        case .hbm2e_3200: return Self.hbm2e
        }
    }

    /// Timing from Ramulator's LPDDR4 model (CMU-SAFARI/ramulator, src/LPDDR4.h, speed entry `LPDDR4_3200` and
    /// organization `LPDDR4_8Gb_x16`: 8 banks, 32768 rows, 1024 columns per 16-bit channel), which takes JESD209-4's
    /// core timing (table 89: tRCD 18 ns, tRPpb 18 ns, tRAS 42 ns, tWR 18 ns, tWTR 10 ns, tRTP 7.5 ns, tRRD 10 ns,
    /// tFAW 40 ns, tRFCab 180 ns for 8 Gb, tREFI 3.904 us, at tCK = 0.625 ns) and counts LPDDR4's 4-cycle commands
    /// as one cycle: cl 29 + 3 and cwl 15 + 3 (JESD209-4's RL/WL for 3200 are 28/14 nCK), rp 29 - 2, rtp 12 + 2,
    /// wr 29 - 1. Read-to-write is Ramulator's `nCL + nBL + nDQSCK + 1 - nCWL` = 32 + 8 + 3 + 1 - 18 = 26. No bank
    /// groups: the _s and _l values are equal. Address mapping: bursts interleave over the two channels, then fill a
    /// row, then move to the next bank.
    static let lpddr4 = StructuredDRAMSpec(
        preset: .lpddr4_3200, clockHz: 1.6e9, channels: 2, bankGroups: 1, banksPerGroup: 8, rows: 32768,
        columns: 1024, busBits: 16, burstLength: 16,
        mapping: DRAMAddressMapping([.row, .bank, .column, .channel]),
        timing: DRAMTiming(
            cl: 32, cwl: 18, rcd: 29, rp: 27, ras: 68, rtp: 14, wr: 28, wtrS: 16, wtrL: 16, rtw: 26,
            ccdS: 8, ccdL: 8, rrdS: 16, rrdL: 16, faw: 64, rfc: 288, refi: 6247))

    /// DRAMsim3's HBM2 configuration (umd-memsys/DRAMsim3, configs/HBM2_8Gb_x128.ini: tCK 1 ns, CL 14, CWL 4,
    /// tRCDRD = tRCDWR 14, tRP 14, tRAS 34, tRTP_L 6, tWR 16, tWTR_S/L 6/8, tCCD_S/L 1/2, tRRD_S/L 4/6, tFAW 30,
    /// tRFC 260, tREFI 3900; 8 channels x 128 bits, 4 x 4 banks, 32768 rows of 64 columns, BL4). Read-to-write is
    /// DRAMsim3's `RL + burst - WL + tRPRE + tRTRS` = 14 + 2 - 4 + 1 + 1 = 14. Address mapping: bursts interleave over
    /// the eight channels (DRAMsim3's own `rorabgbachco` puts a whole row in one channel), fill a row, then move to
    /// the next bank group.
    static let hbm2 = StructuredDRAMSpec(
        preset: .hbm2_2000, clockHz: 1e9, channels: 8, bankGroups: 4, banksPerGroup: 4, rows: 32768, columns: 64,
        busBits: 128, burstLength: 4,
        mapping: DRAMAddressMapping([.row, .bank, .bankGroup, .column, .channel]),
        timing: DRAMTiming(
            cl: 14, cwl: 4, rcd: 14, rp: 14, ras: 34, rtp: 6, wr: 16, wtrS: 6, wtrL: 8, rtw: 14,
            ccdS: 1, ccdL: 2, rrdS: 4, rrdL: 6, faw: 30, rfc: 260, refi: 3900))

    /// HBM2e at 3.2 Gb/s: no public simulator ships a speed bin for it, so this is HBM2's organization with HBM2's
    /// timing kept in nanoseconds and re-counted at tCK = 0.625 ns (ceil(ns / 0.625): cl 23, cwl 7, rcd 23, rp 23,
    /// ras 55, rtp 10, wr 26, wtr 10/13, rrd 7/10, faw 48, rfc 416, refi 6240). The array core is the same generation,
    /// so its analog timings do not shrink with the interface clock; tCCD counts clocks and stays 1/2. Read-to-write
    /// by DRAMsim3's formula: 23 + 2 - 7 + 1 + 1 = 20.
    static let hbm2e = StructuredDRAMSpec(
        preset: .hbm2e_3200, clockHz: 1.6e9, channels: 8, bankGroups: 4, banksPerGroup: 4, rows: 32768, columns: 64,
        busBits: 128, burstLength: 4,
        mapping: DRAMAddressMapping([.row, .bank, .bankGroup, .column, .channel]),
        timing: DRAMTiming(
            cl: 23, cwl: 7, rcd: 23, rp: 23, ras: 55, rtp: 10, wr: 26, wtrS: 10, wtrL: 13, rtw: 20,
            ccdS: 1, ccdL: 2, rrdS: 7, rrdL: 10, faw: 48, rfc: 416, refi: 6240))
}
