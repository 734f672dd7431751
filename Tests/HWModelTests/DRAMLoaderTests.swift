import XCTest

@testable import HWModel

/// `[dram]` with `model = "structured"`: presets, overrides, `show` round trips, and a one-line
/// `FILE:LINE: field '...'` error for every bad field.
final class DRAMLoaderTests: XCTestCase {
    func testPresetFillsEveryFieldAndTheFileOverridesAny() throws {
        let text = """
            [dram]
            model = "structured"
            preset = "hbm2e-3200"
            channels = 16
            mapping = "row:bank_group:bank:column:channel"
            [dram.timing]
            cl = 30
            """
        let m = try HardwareModel.parse(text: text, file: "hbm.toml")
        var expected = DRAMPreset.hbm2e_3200.spec
        expected.channels = 16
        expected.mapping = DRAMAddressMapping([.row, .bankGroup, .bank, .column, .channel])
        expected.timing.cl = 30
        XCTAssertEqual(m.dram.structured, expected)
        XCTAssertEqual(m.dram.model, .structured)
        XCTAssertEqual(m.source.source(of: "dram.channels"), .explicit(.file(path: "hbm.toml", line: 4)))
        XCTAssertEqual(m.source.source(of: "dram.timing.cl"), .explicit(.file(path: "hbm.toml", line: 7)))
        XCTAssertEqual(m.source.source(of: "dram.timing.rcd"), .preset("hbm2e-3200"))
        XCTAssertEqual(m.source.source(of: "dram.bytes_per_cycle"), .builtin)
        let toml = m.resolvedTOML()
        XCTAssertTrue(toml.contains("\n[dram.timing]\ncl = 30\ncwl = 7  # from preset \"hbm2e-3200\"\n"), toml)
        // What `show` prints loads back to the same model.
        let scratch = try Scratch()
        XCTAssertEqual(try HardwareModel.load(path: try scratch.write("shown.toml", toml)), m)
    }

    func testEveryPresetLoadsAndRoundTripsThroughAModelBuiltInCode() throws {
        let scratch = try Scratch()
        for preset in DRAMPreset.allCases {
            let m = try HardwareModel.parse(text: "[dram]\nmodel = \"structured\"\npreset = \"\(preset.rawValue)\"\n")
            XCTAssertEqual(m.dram.structured, preset.spec)
            var coded = HardwareModel(name: "coded")
            var s = preset.spec
            s.rows = 1024; s.timing.faw = 99
            coded.dram = DRAMSpec(bytesPerCycle: 3, latencyCycles: 4, structured: s)
            let again = try HardwareModel.load(path: try scratch.write("c.toml", coded.resolvedTOML()))
            XCTAssertEqual(again, coded, preset.rawValue)
            XCTAssertEqual(try coded.applying(overrides: ["dram.timing.faw=50"]).dram.structured?.timing.faw, 50)
        }
    }

    func testSpecsBuiltInCodeAreCheckedByTheSameRules() {
        for preset in DRAMPreset.allCases { XCTAssertNil(preset.spec.problem, preset.rawValue) }
        var s = DRAMPreset.hbm2_2000.spec
        s.banksPerGroup = 3
        XCTAssertEqual(s.problem, "banks_per_group must be a power of two in 1...256, got 3")
        s = DRAMPreset.hbm2_2000.spec
        s.mapping = DRAMAddressMapping([.row, .bank, .column, .channel])
        XCTAssertEqual(s.problem, "mapping needs bank_group")
        s = DRAMPreset.lpddr4_3200.spec
        s.timing.refi = 0
        XCTAssertNotNil(s.problem)
        s = DRAMPreset.lpddr4_3200.spec
        s.mapping = DRAMAddressMapping([.row, .bank, .column])
        XCTAssertEqual(s.problem, "mapping \"row:bank:column\" is malformed")
    }

    func testShippedModelsAreStructuredAndOverridesAdjustThem() throws {
        let edge = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        XCTAssertEqual(edge.dram.model, .structured, "edge names its LPDDR4-3200")
        XCTAssertEqual(edge.dram.structured?.preset, .lpddr4_3200)
        let m = try edge.applying(overrides: ["dram.timing.rp=30"])
        XCTAssertEqual(m.dram.structured?.timing.rp, 30)
        XCTAssertEqual(m.dram.bytesPerCycle, 25.6, "the simple channel's fields stay")
        XCTAssertEqual(m.source.source(of: "dram.timing.rp"), .explicit(.override("dram.timing.rp=30")))
        XCTAssertEqual(edge.differences(to: m).map(\.field), ["dram.timing.rp"])
        let simple = try edge.applying(overrides: ["dram.model=simple"])
        XCTAssertNil(simple.dram.structured, "the simple channel is one override away")
        let dc = try HardwareModel.load(path: Repo.hwmodel("datacenter.toml"))
        XCTAssertEqual(dc.dram.structured?.preset, .hbm2e_3200)
    }

    func testDefaultModelIsSimpleAndShowsIt() throws {
        let m = try HardwareModel.parse(text: "")
        XCTAssertNil(m.dram.structured)
        XCTAssertTrue(m.resolvedTOML().contains("[dram]\nmodel = \"simple\"  # default\n"))
    }

    /// (text of `m.toml`, the one-line error).
    static let badFields: [(String, String)] = [
        (
            "[dram]\nmodel = \"fancy\"",
            "m.toml:2: field 'dram.model': expected one of \"simple\", \"structured\", got \"fancy\""
        ),
        (
            "[dram]\nchannels = 4",
            "m.toml:2: field 'dram.channels': expected model = \"structured\" to use this field (the simple channel reads "
                + "only bytes_per_cycle and latency_cycles), got model = \"simple\""
        ),
        (
            "[dram]\nbytes_per_cycle = 8\n[dram.timing]\ncl = 3",
            "m.toml:3: field 'dram.timing': expected model = \"structured\" to use this field (the simple channel reads "
                + "only bytes_per_cycle and latency_cycles), got model = \"simple\""
        ),
        (
            "[dram]\nmodel = \"structured\"",
            "m.toml:2: field 'dram.preset': expected a preset (\"lpddr4-3200\", \"hbm2-2000\", \"hbm2e-3200\") with "
                + "model = \"structured\": every field starts from one, got none"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"hbm2\"",
            "m.toml:3: field 'dram.preset': expected one of \"lpddr4-3200\", \"hbm2-2000\", \"hbm2e-3200\", got \"hbm2\"; did you mean 'hbm2-2000'?"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nchannels = 3",
            "m.toml:4: field 'dram.channels': expected a power of two in 1...1024 (the address mapping takes whole bits), got 3"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nbank_groups = 0",
            "m.toml:4: field 'dram.bank_groups': expected an integer in 1...64, got 0"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nbus_bits = 12",
            "m.toml:4: field 'dram.bus_bits': expected a power of two in 8...4096 (the address mapping takes whole bits), got 12"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nburst_length = 1",
            "m.toml:4: field 'dram.burst_length': expected an integer in 2...64, got 1"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nclock_hz = 1e5",
            "m.toml:4: field 'dram.clock_hz': expected a number >= 1000000.0 and <= 100000000000.0, got 100000.0"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\ncolumns = 8",
            "m.toml:4: field 'dram.columns': expected a multiple of burst_length (16): a row holds whole bursts, got 8"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nmapping = \"row:bank:column\"",
            "m.toml:4: field 'dram.mapping': expected address fields from most to least significant separated by ':' "
                + "(row, bank_group, bank, column, channel; each once, bank_group optional), for example "
                + "\"row:bank:column:channel\", got \"row:bank:column\" (no 'channel')"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nmapping = \"row:rank:bank:column:channel\"",
            "m.toml:4: field 'dram.mapping': expected address fields from most to least significant separated by ':' "
                + "(row, bank_group, bank, column, channel; each once, bank_group optional), for example "
                + "\"row:bank:column:channel\", got \"row:rank:bank:column:channel\" (unknown field 'rank')"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"hbm2-2000\"\nmapping = \"row:bank:column:channel\"",
            "m.toml:4: field 'dram.mapping': expected a 'bank_group' field with bank_groups = 4, got \"row:bank:column:channel\""
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\n[dram.timing]\nras = 20",
            "m.toml:5: field 'dram.timing.ras': expected at least timing.rcd (29): a row stays open until it can be "
                + "read, got 20"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\n[dram.timing]\nrcd = 100",
            "m.toml:5: field 'dram.timing.ras': expected at least timing.rcd (100): a row stays open until it can be "
                + "read, got 68"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"hbm2-2000\"\n[dram.timing]\nccd_l = 0",
            "m.toml:5: field 'dram.timing.ccd_l': expected an integer in 1...1000000, got 0"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\n[dram.timing]\nwtr_l = 4",
            "m.toml:5: field 'dram.timing.wtr_l': expected at least timing.wtr_s (16): the same bank group is never "
                + "faster than another, got 4"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\n[dram.timing]\nrefi = 288",
            "m.toml:5: field 'dram.timing.refi': expected more than timing.rfc (288): a refresh ends before the next is "
                + "due, got 288"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\n[dram.timing]\ncl = 2.5",
            "m.toml:5: field 'dram.timing.cl': expected an integer in 0...1000000, got float 2.5"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\n[dram.timing]\ntcl = 3",
            "m.toml:5: field 'dram.timing.tcl': unknown key; did you mean 'dram.timing.cl'?"
        ),
        (
            "[dram]\nmodel = \"structured\"\npreset = \"lpddr4-3200\"\nlatency = 3",
            "m.toml:4: field 'dram.latency': unknown key; did you mean 'dram.latency_cycles'?"
        ),
    ]

    func testEveryBadFieldIsOneLineAtItsLine() {
        for (text, expected) in Self.badFields {
            XCTAssertThrowsError(try HardwareModel.parse(text: text, file: "m.toml"), text) { error in
                XCTAssertEqual((error as? HWModelError)?.description, expected, text)
            }
        }
    }

    func testOverrideProblemsNameTheArgument() throws {
        let edge = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        XCTAssertThrowsError(
            try edge.applying(overrides: [
                "dram.model=structured", "dram.preset=lpddr4-3200",
                "dram.timing.rp=x",
            ])
        ) { error in
            XCTAssertEqual(
                "\(error)",
                "--set 'dram.timing.rp=x': field 'dram.timing.rp': expected an integer in 0...1000000, got 'x'")
        }
        XCTAssertThrowsError(
            try edge.applying(overrides: [
                "dram.model=structured", "dram.preset=lpddr4-3200",
                "dram.timing.rfc=7000",
            ])
        ) { error in
            XCTAssertEqual(
                "\(error)",
                "--set 'dram.timing.rfc=7000': field 'dram.timing.refi': expected more than "
                    + "timing.rfc (7000): a refresh ends before the next is due, got 6247")
        }
    }
}
