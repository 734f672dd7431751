import XCTest

@testable import HWModel

/// `--set KEY=VALUE` and `applying(overrides:)`: plain dotted keys, the convenience keys sweeps use, and their errors.
final class OverrideTests: XCTestCase {
    let edgePath = Repo.hwmodel("edge.toml")

    func testPlainKeysAreTypedByTheSchema() throws {
        let m = try HardwareModel.load(
            path: edgePath,
            overrides: [
                "clock.hz=8e8", "stage.array.dataflow=os", "dram.latency_cycles=120", "name=123",
                "stage.buffers.weights.capacity_bytes=128 KiB",
            ])
        XCTAssertEqual(m.clock.hz, 8e8)
        XCTAssertEqual(m.stageTemplate.array.dataflow, .os)
        XCTAssertEqual(m.dram.latencyCycles, 120)
        XCTAssertEqual(m.name, "123", "a string field takes the text as typed")
        XCTAssertEqual(m.stageTemplate.buffers.weights.capacityBytes, 128 * 1024)
        XCTAssertEqual(m.source.source(of: "clock.hz"), .explicit(.override("clock.hz=8e8")))
    }

    func testPeKeysSetEveryStage() throws {
        let scratch = try Scratch()
        let path = try scratch.write(
            "two.toml",
            """
            [mapping]
            assign = [{ stage = "a", layers = [0] }, { stage = "b", layers = [1, 2] }]
            [stages.a]
            array.rows = 8
            [stages.b]
            """)
        let m = try HardwareModel.load(path: path).applying(overrides: ["pe.rows=32", "all_stages.noise.kind=sobol"])
        XCTAssertEqual(m.stageTemplate.array.rows, 32)
        XCTAssertEqual(m.stages.map(\.array.rows), [32, 32], "pe.rows overrides a stage's own rows too")
        XCTAssertEqual(m.stages.map(\.noise.kind), [.sobol, .sobol])
        XCTAssertEqual(m.stages.map(\.name), ["a", "b"], "pipeline order is the order of mapping.assign")
        let plan = try m.stagePlan(parametricLayers: 3)
        XCTAssertEqual(plan.map(\.layers), [[0], [1, 2]])
    }

    func testArrayValuedOverridesAreParsedAsTOML() throws {
        let m = try HardwareModel.load(
            path: edgePath,
            overrides: [
                "mapping.assign=[{ stage = \"a\", layers = [0, 1] }]", "stages.a.array.rows=4",
                "all_stages.buffers.fifo_out.depth_words=256",
            ])
        XCTAssertEqual(m.mapping.assign, .explicit([StageLayers(stage: "a", layers: [0, 1])]))
        XCTAssertEqual(m.stages.first?.array.rows, 4)
        XCTAssertEqual(m.stages.first?.array.cols, 16, "inherited from the file's [stage]")
        XCTAssertEqual(m.stages.first?.buffers.fifoOut.depthWords, 256)
        XCTAssertEqual(m.stageTemplate.buffers.fifoOut.depthWords, 256)
    }

    func testFormatBitsKeepsIntegerBits() throws {
        let edge = try HardwareModel.load(path: edgePath)
        XCTAssertEqual(edge.formats.activations.format, "s4.4")
        for bits in [4, 6, 8, 12] {
            let m = try edge.applying(overrides: ["formats.activations.bits": "\(bits)"])
            XCTAssertEqual(m.formats.activations.format, "s4.\(bits - 4)")
            XCTAssertEqual(m.formats.activations.totalBits, bits)
            XCTAssertEqual(m.formats.weights, edge.formats.weights, "other signals are untouched")
        }
        let f = try edge.applying(overrides: [
            "formats.noise.frac_bits=9", "formats.loss.int_bits=7", "formats.inputs.signed=false",
        ])
        XCTAssertEqual(f.formats.noise.format, "s3.9")
        XCTAssertEqual(f.formats.loss.format, "s7.11")
        XCTAssertEqual(f.formats.inputs.format, "u4.4")
        // A default format (not written in the file) is the starting point when the file has none.
        let bare = try HardwareModel.parse(text: "", overrides: ["formats.weights.bits=10"])
        XCTAssertEqual(bare.formats.weights.format, "s2.8")
    }

    func testFormatsAllAndEnergyKeys() throws {
        let m = try HardwareModel.load(
            path: edgePath,
            overrides: [
                "formats.all.rounding=STOCHASTIC", "energy.dram.read=20",
                "energy.pe.mac=0.5",
            ])
        for s in Signal.allCases { XCTAssertEqual(m.formats[s].rounding, .stochastic, s.rawValue) }
        XCTAssertEqual(m.energy[.dramRead], 20)
        XCTAssertEqual(m.energy[.peMAC], 0.5)
        XCTAssertEqual(m.energy[.dramWrite], 32, "other entries keep the file's values")
    }

    func testFormatsStoredLeavesTheMACInternalSignals() throws {
        let base = try HardwareModel.load(path: edgePath)
        let m = try HardwareModel.load(
            path: edgePath,
            overrides: [
                "formats.stored.rounding=STOCHASTIC",
                "formats.stored.overflow=WRAP",
            ])
        for s in Signal.allCases {
            if s == .products || s == .accumulators {
                XCTAssertEqual(m.formats[s].rounding, base.formats[s].rounding, s.rawValue)
                XCTAssertEqual(m.formats[s].overflow, base.formats[s].overflow, s.rawValue)
            } else {
                XCTAssertEqual(m.formats[s].rounding, .stochastic, s.rawValue)
                XCTAssertEqual(m.formats[s].overflow, .wrap, s.rawValue)
            }
        }
        XCTAssertEqual(Signal.stored.count, Signal.allCases.count - 2)
    }

    func testApplyingAccumulatesAndKeepsTheFileChain() throws {
        let bp = try HardwareModel.load(path: Repo.hwmodel("edge-bp.toml"))
        let a = try bp.applying(overrides: ["pe.rows=8"]).applying(overrides: ["pe.cols=4"])
        XCTAssertEqual(a.stageTemplate.array.rows, 8)
        XCTAssertEqual(a.stageTemplate.array.cols, 4)
        XCTAssertEqual(a.source.overrides, ["pe.rows=8", "pe.cols=4"])
        XCTAssertEqual(a.configuredFor, .backprop, "the variant's own settings survive")
        XCTAssertEqual(a.stageTemplate.buffers.inputs.capacityBytes, 48 * 1024)
        // Applying nothing reproduces the model.
        XCTAssertEqual(try bp.applying(overrides: [String]()), bp)
    }

    func testDictionaryOverridesApplyInKeyOrder() throws {
        let edge = try HardwareModel.load(path: edgePath)
        let m = try edge.applying(overrides: ["pe.rows": "32", "formats.activations.bits": "6"])
        XCTAssertEqual(m.source.overrides, ["formats.activations.bits=6", "pe.rows=32"])
    }

    func testOverrideErrorsNameTheArgument() {
        let cases: [(String, String)] = [
            ("pe.rowz=3", "--set 'pe.rowz=3': field 'stage.array.rowz': unknown key; did you mean 'stage.array.rows'?"),
            (
                "clock.hz=fast",
                "--set 'clock.hz=fast': field 'clock.hz': expected a number >= 1000.0 and <= 100000000000.0, got 'fast'"
            ),
            (
                "stage.array.rows=0",
                "--set 'stage.array.rows=0': field 'stage.array.rows': expected an integer in 1...65536, got 0"
            ),
            (
                "pipeline.mode=overlapped",
                "--set 'pipeline.mode=overlapped': field 'pipeline.staleness': expected at least 1 with mode = \"overlapped\" (the next forward starts before the update lands), got 0"
            ),
            ("rows", "--set 'rows': expected KEY=VALUE (for example pe.rows=32), got no '='"),
            (
                "clock.hz.x=1",
                "--set 'clock.hz.x=1': field 'clock.hz.x': expected 'hz' to be a table to set a key inside it, got float 500000000.0"
            ),
            (
                "formats.activation.bits=8",
                "--set 'formats.activation.bits=8': field 'formats.activation.bits': unknown key; expected formats.SIGNAL.bits with SIGNAL one of weights, activations, inputs, noise, sign, loss, products, accumulators, gradients, updates; did you mean 'formats.activations.bits'?"
            ),
            (
                "formats.activations.bits=3",
                "--set 'formats.activations.bits=3': field 'formats.activations.bits': expected at least the 4 integer bits of s4.4 (bits keeps the integer bits), got 3"
            ),
            (
                "formats.activations.bits=70",
                "--set 'formats.activations.bits=70': field 'formats.activations.bits': expected a total width I+F in 1...64, got s4.66"
            ),
            (
                "energy.pe.macc=1",
                "--set 'energy.pe.macc=1': field 'energy.pe.macc': expected a known component.action (see docs/hwmodel.md), got 'pe.macc'; did you mean 'pe.mac'?"
            ),
            (
                "base=other.toml",
                "--set 'base=other.toml': field 'base': expected a field of the model (base can only be set in a file), got 'base'"
            ),
        ]
        for (argument, expected) in cases {
            XCTAssertThrowsError(try HardwareModel.load(path: edgePath, overrides: [argument]), argument) { error in
                XCTAssertEqual((error as? HWModelError)?.description, expected, argument)
            }
        }
    }
}
