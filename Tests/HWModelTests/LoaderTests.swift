import XCTest

@testable import HWModel

/// Loading: defaults, base files, the [stage] template, resolved output and error collection.
final class LoaderTests: XCTestCase {
    func testEmptyFileIsTheBuiltInDefaultModel() throws {
        let m = try HardwareModel.parse(text: "", file: "dir/empty.toml")
        XCTAssertEqual(m.name, "empty", "the name defaults to the file name")
        XCTAssertEqual(m.silicon, "empty")
        XCTAssertEqual(m, HardwareModel(name: "empty"))
        XCTAssertEqual(m.source.defaultedFields.count, m.source.entries.count, "every field is a default")
        XCTAssertTrue(m.source.defaultedFields.contains("stage.array.rows"))
        XCTAssertTrue(m.source.defaultedFields.contains("energy.pe.mac"))
    }

    func testShowMarksDefaultsAndTemplateValues() throws {
        let text = """
            [mapping]
            assign = [{ stage = "a", layers = [0] }]
            [stage.array]
            rows = 32
            [stages.a.array]
            cols = 8
            """
        let m = try HardwareModel.parse(text: text, file: "t.toml")
        XCTAssertEqual(m.stages.first?.array.rows, 32, "a named stage inherits the template")
        XCTAssertEqual(m.stages.first?.array.cols, 8)
        XCTAssertEqual(m.stages.first?.array.lanes, 16)
        let toml = m.resolvedTOML()
        XCTAssertTrue(
            toml.contains("[stages.a.array]\nkind = \"systolic\"  # default\nrows = 32  # from [stage]\ncols = 8\n"),
            toml)
        XCTAssertTrue(
            toml.contains("[stage.array]\nkind = \"systolic\"  # default\nrows = 32\ncols = 16  # default\n"), toml)
        XCTAssertEqual(m.source.source(of: "stages.a.array.rows"), .template)
        XCTAssertEqual(m.source.source(of: "stages.a.array.cols"), .explicit(.file(path: "t.toml", line: 6)))
    }

    func testBaseFilesMergeTablesAndAccumulateEnergy() throws {
        let scratch = try Scratch()
        _ = try scratch.write(
            "base.toml",
            """
            name = "base"
            energy = [{ component = "pe", action = "mac", energy_pj = 1.0 },
                      { component = "dram", action = "read", energy_pj = 50.0 }]
            [clock]
            hz = 2e8
            [stage.array]
            rows = 4
            cols = 4
            """)
        try FileManager.default.createDirectory(
            at: scratch.dir.appendingPathComponent("v"), withIntermediateDirectories: true)
        let variant = try scratch.write(
            "v/variant.toml",
            """
            base = "../base.toml"
            energy = [{ component = "dram", action = "read", energy_pj = 10.0 }]
            [stage.array]
            rows = 8
            """)
        let m = try HardwareModel.load(path: variant)
        XCTAssertEqual(m.name, "base", "not overridden: inherited from the base")
        XCTAssertEqual(m.clock.hz, 2e8)
        XCTAssertEqual(m.stageTemplate.array.rows, 8)
        XCTAssertEqual(m.stageTemplate.array.cols, 4, "tables merge key by key")
        XCTAssertEqual(m.energy[.peMAC], 1.0)
        XCTAssertEqual(m.energy[.dramRead], 10.0, "the variant's entry overrides the base's")
        XCTAssertEqual(m.energy[.dramWrite], EnergyTable.defaults[.dramWrite])
        XCTAssertEqual(
            m.source.files.map { URL(fileURLWithPath: $0).lastPathComponent }, ["variant.toml", "base.toml"])
        XCTAssertEqual(
            m.source.source(of: "clock.hz"),
            .explicit(.file(path: scratch.dir.appendingPathComponent("v/../base.toml").path, line: 5)))
    }

    func testSelfBaseIsACycle() throws {
        let scratch = try Scratch()
        let path = try scratch.write("self.toml", "base = \"self.toml\"\n")
        XCTAssertThrowsError(try HardwareModel.load(path: path)) { error in
            XCTAssertEqual(
                "\(error)",
                "\(path):1: field 'base': expected a chain of base files without cycles, got self.toml -> self.toml")
        }
    }

    func testAllProblemsAreCollectedInFileOrder() {
        let text = """
            [stage.array]
            rows = 0
            cols = -1
            dataflow = "diagonal"
            [clok]
            """
        XCTAssertThrowsError(try HardwareModel.parse(text: text, file: "m.toml")) { error in
            let e = error as? HWModelError
            XCTAssertEqual(
                e?.diagnostics.map(\.description),
                [
                    "m.toml:2: field 'stage.array.rows': expected an integer in 1...65536, got 0",
                    "m.toml:3: field 'stage.array.cols': expected an integer in 1...65536, got -1",
                    "m.toml:4: field 'stage.array.dataflow': expected one of \"ws\", \"os\", \"is\", got \"diagonal\"",
                    "m.toml:5: field 'clok': unknown key; did you mean 'clock'?",
                ])
            XCTAssertEqual(
                e?.description,
                "m.toml:2: field 'stage.array.rows': expected an integer in 1...65536, got 0 (and 3 more problems)")
        }
    }

    func testModelBuiltInCodeShowsAndAcceptsOverrides() throws {
        var m = HardwareModel(name: "coded", clock: ClockSpec(hz: 3e8))
        m.stageTemplate.array.rows = 12
        m.formats.weights = NumberFormatSpec(
            signed: true, intBits: 3, fracBits: 5, rounding: .truncate, overflow: .wrap)
        m.energy[.dramRead] = 7
        m.mapping = MappingSpec(kind: .spatial, assign: .explicit([StageLayers(stage: "only", layers: [0])]))
        m.stages = [StageSpec(name: "only", array: ArraySpec(kind: .vector, lanes: 64))]
        let toml = m.resolvedTOML()
        let scratch = try Scratch()
        XCTAssertEqual(try HardwareModel.load(path: try scratch.write("coded.toml", toml)), m, toml)
        XCTAssertTrue(toml.contains("hz = 300000000.0\n"), toml)
        XCTAssertTrue(toml.contains("dataflow = \"ws\"  # default"), toml)
        let changed = try m.applying(overrides: ["clock.hz=4e8"])
        XCTAssertEqual(changed.clock.hz, 4e8)
        XCTAssertEqual(changed.stageTemplate.array.rows, 12, "a coded model keeps its fields under overrides")
        XCTAssertEqual(changed.stages.first?.array.lanes, 64)
        XCTAssertEqual(changed.energy[.dramRead], 7)
        XCTAssertEqual(changed.formats.weights.format, "s3.5")
    }

    func testJSONIsStableAndListsDefaults() throws {
        let m = try HardwareModel.load(path: Repo.hwmodel("edge-bp.toml"))
        let a = m.resolvedJSON(), b = try HardwareModel.load(path: Repo.hwmodel("edge-bp.toml")).resolvedJSON()
        XCTAssertEqual(a, b)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(a.utf8)) as? [String: Any])
        let model = try XCTUnwrap(object["model"] as? [String: Any])
        let stage = try XCTUnwrap(model["stage"] as? [String: Any])
        let buffers = try XCTUnwrap(stage["buffers"] as? [String: Any])
        let inputs = try XCTUnwrap(buffers["inputs"] as? [String: Any])
        XCTAssertEqual(inputs["capacity_bytes"] as? Int, 48 * 1024)
        XCTAssertEqual((model["energy"] as? [String: Any])?["pe.mac"] as? Double, 0.23)
        let defaults = try XCTUnwrap(object["defaults"] as? [String])
        XCTAssertTrue(defaults.contains("stage.buffers.inputs.read_ports"))
        XCTAssertFalse(defaults.contains("stage.buffers.inputs.capacity_bytes"))
        XCTAssertEqual((object["files"] as? [String])?.count, 2)
    }

    func testByteCountSpellings() {
        XCTAssertEqual(Parse.parseByteCount("64 KiB"), 65536)
        XCTAssertEqual(Parse.parseByteCount("64KiB"), 65536)
        XCTAssertEqual(Parse.parseByteCount("3 MiB"), 3 << 20)
        XCTAssertEqual(Parse.parseByteCount("2 kB"), 2000)
        XCTAssertEqual(Parse.parseByteCount("1_024"), 1024)
        XCTAssertEqual(Parse.parseByteCount("512 B"), 512)
        XCTAssertNil(Parse.parseByteCount("KiB"))
        XCTAssertNil(Parse.parseByteCount("1 PiB"))
        XCTAssertNil(Parse.parseByteCount("99999999999999 TiB"), "overflow is rejected, not trapped")
    }
}
