import FixedPoint
import XCTest

@testable import HWModel

/// The models in hwmodels/: they load, mean what their comments say, and compare on equal silicon.
final class ShippedModelsTests: XCTestCase {
    func testEveryShippedModelLoadsAndTheRequiredOnesExist() throws {
        let names = Repo.shippedModels.map { URL(fileURLWithPath: $0).lastPathComponent }
        for required in ["edge.toml", "edge-bp.toml", "edge-wide.toml", "datacenter.toml", "datacenter-bp.toml"] {
            XCTAssertTrue(names.contains(required), "missing hwmodels/\(required)")
        }
        for path in Repo.shippedModels {
            XCTAssertNoThrow(try HardwareModel.load(path: path), path)
        }
    }

    func testEdgeIsTheDefaultModel() throws {
        XCTAssertEqual(HardwareModel.defaultModelPath, "hwmodels/edge.toml")
        let edge = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        XCTAssertEqual(edge.name, "edge")
        XCTAssertEqual(edge.stageTemplate.array.rows, 16)
        XCTAssertEqual(edge.formats.activations.totalBits, 8)
        XCTAssertEqual(edge.formats.weights.totalBits, 8)
        XCTAssertEqual(edge.dram.bytesPerCycle, 25.6)
        XCTAssertEqual(edge.clock.hz, 500e6)
    }

    func testDatacenterIsLargeWithHBMBandwidth() throws {
        let dc = try HardwareModel.load(path: Repo.hwmodel("datacenter.toml"))
        XCTAssertEqual(dc.stageTemplate.array.rows, 128)
        XCTAssertEqual(dc.stageTemplate.array.cols, 128)
        XCTAssertEqual(dc.dram.bytesPerCycle * dc.clock.hz, 409.6e9, accuracy: 1)  // ~410 GB/s
        XCTAssertEqual(dc.pipeline.mode, .overlapped)
        XCTAssertEqual(dc.energy[.dramRead], 31.2)
    }

    /// Backprop variants configure the same silicon: identical compute, clock, memory system and total SRAM per stage.
    func testBackpropVariantsRunOnEqualSilicon() throws {
        for (lr, bp) in [
            ("edge.toml", "edge-bp.toml"), ("datacenter.toml", "datacenter-bp.toml"),
            ("multichip.toml", "multichip-bp.toml"),
        ] {
            let a = try HardwareModel.load(path: Repo.hwmodel(lr))
            let b = try HardwareModel.load(path: Repo.hwmodel(bp))
            XCTAssertEqual(a.silicon, b.silicon, bp)
            XCTAssertEqual(b.configuredFor, .backprop, bp)
            XCTAssertEqual(a.configuredFor, .forwardOnly, lr)
            XCTAssertEqual(a.clock, b.clock, bp)
            XCTAssertEqual(a.stageTemplate.array, b.stageTemplate.array, bp)
            XCTAssertEqual(a.stageTemplate.sramBytes, b.stageTemplate.sramBytes, bp)
            XCTAssertEqual(a.dram, b.dram, bp)
            XCTAssertEqual(a.formats, b.formats, bp)
            XCTAssertEqual(a.energy, b.energy, bp)
            XCTAssertEqual(a.interconnect, b.interconnect, bp)
            XCTAssertEqual(a.stageTemplate.replicas, b.stageTemplate.replicas, bp)
            XCTAssertEqual(b.stageTemplate.buffers.noise.capacityBytes, 0, bp)
            XCTAssertEqual(b.source.files.count, a.source.files.count + 1, "\(bp) is a variant of \(lr) via base")
        }
    }

    /// edge-wide's formats make the LR gradient exact. The datapath (LRTrain's DatapathFormats) reduces over copies,
    /// w = sum_k (L_k - L0) * eps_k, into a register of at most 64 bits at the exact product's fraction bits, then
    /// multiplies w by the stored input into `products` and sums into `accumulators`. So `products` must hold the exact
    /// product of any such 64-bit w with an input, and `accumulators` a long sum of those (here 2^40 terms).
    func testEdgeWideGradientDatapathIsExact() throws {
        let m = try HardwareModel.load(path: Repo.hwmodel("edge-wide.toml"))
        let loss = try m.formats.loss.fixedFormat(), input = try m.formats.inputs.fixedFormat()
        let products = try m.formats.products.fixedFormat(), acc = try m.formats.accumulators.fixedFormat()
        for perturbation in [try m.formats.noise.fixedFormat(), try m.formats.sign.fixedFormat()] {
            let score = try FixedFormat.exactProduct(loss, perturbation)
            let widestW = try FixedFormat(signed: true, intBits: 64 - score.fracBits, fracBits: score.fracBits)
            let outer = try FixedFormat.exactProduct(widestW, input)
            XCTAssertGreaterThanOrEqual(products.intBits, outer.intBits)
            XCTAssertGreaterThanOrEqual(products.fracBits, outer.fracBits)
            XCTAssertGreaterThanOrEqual(products.intBits, score.intBits, "the reduction's products are exact too")
            XCTAssertGreaterThanOrEqual(products.fracBits, score.fracBits)
            XCTAssertGreaterThanOrEqual(acc.intBits, outer.intBits + 40)
            XCTAssertGreaterThanOrEqual(acc.fracBits, outer.fracBits)
        }
        let forward = try FixedFormat.exactProduct(input, try m.formats.weights.fixedFormat())
        XCTAssertGreaterThanOrEqual(products.intBits, forward.intBits)
        XCTAssertGreaterThanOrEqual(products.fracBits, forward.fracBits)
        XCTAssertGreaterThanOrEqual(m.stageTemplate.buffers.accumulators.wordBits, acc.width)
        // Accumulator + product, aligned, must fit the 128-bit fast datapath.
        XCTAssertLessThanOrEqual(try FixedFormat.exactSum(acc, products).width, 128)
        // The plain edge design is NOT exact: its 16-bit products drop bits of loss x noise already.
        let edge = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        let edgeScore = try FixedFormat.exactProduct(
            try edge.formats.loss.fixedFormat(), try edge.formats.noise.fixedFormat())
        XCTAssertLessThan(try edge.formats.products.fixedFormat().fracBits, edgeScore.fracBits)
    }

    /// `show`'s TOML loads back to an equal model, for every shipped model.
    func testResolvedTOMLRoundTrips() throws {
        let scratch = try Scratch()
        for path in Repo.shippedModels {
            let model = try HardwareModel.load(path: path)
            let text = model.resolvedTOML()
            let again = try HardwareModel.load(path: try scratch.write("resolved.toml", text))
            XCTAssertEqual(again, model, path)
            // The second resolution gives every value explicitly, so only the marks of where values came from (default,
            // [stage], a DRAM preset, and the note explaining the preset mark) may differ.
            func values(_ toml: String) -> [String] {
                toml.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst(1).map { line in
                    var l = line.replacingOccurrences(of: "  # default", with: "").replacingOccurrences(
                        of: "  # from [stage]", with: "")
                    if let r = l.range(of: "  # from preset") { l = String(l[..<r.lowerBound]) }
                    return l
                }
            }
            XCTAssertEqual(values(again.resolvedTOML()), values(text), "resolving twice changes no value: \(path)")
            XCTAssertTrue(text.contains("# default") == !model.source.defaultedFields.isEmpty, path)
        }
    }

    func testFormatsConvertToFixedPointConfigs() throws {
        let m = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        let acc = try m.formats.accumulators.fixedConfig()
        XCTAssertEqual(acc, try FixedConfig(format: "s16.16", rounding: "TRN", overflow: "WRAP"))
        let w = try m.formats.weights.fixedConfig()
        XCTAssertEqual(w, try FixedConfig(format: "s2.6", rounding: "RND_CONV", overflow: "SAT"))
        for path in Repo.shippedModels {
            let model = try HardwareModel.load(path: path)
            for signal in Signal.allCases {
                let config = try model.formats[signal].fixedConfig()
                XCTAssertEqual(config.format.description, model.formats[signal].format, "\(path) \(signal)")
                XCTAssertEqual(config.format.width, model.formats[signal].totalBits)
            }
        }
        // The model stores FixedPoint's own modes: every ac_fixed spelling loads as the mode of that name.
        for mode in Quantization.allCases {
            let m = try HardwareModel.load(
                path: Repo.shippedModels[0], overrides: ["formats.weights.rounding=\(mode.rawValue)"])
            XCTAssertEqual(m.formats.weights.rounding, mode)
        }
        for mode in Overflow.allCases {
            let m = try HardwareModel.load(
                path: Repo.shippedModels[0], overrides: ["formats.loss.overflow=\(mode.rawValue)"])
            XCTAssertEqual(m.formats.loss.overflow, mode)
        }
    }
}

/// `differences(to:)`, which `lrsim hw diff` prints.
final class DifferenceTests: XCTestCase {
    func testEdgeBackpropVariantChangesOnlyItsConfiguration() throws {
        let edge = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        let bp = try HardwareModel.load(path: Repo.hwmodel("edge-bp.toml"))
        XCTAssertEqual(
            edge.differences(to: bp).map(\.field),
            [
                "name", "description", "configured_for", "stage.buffers.inputs.capacity_bytes",
                "stage.buffers.noise.capacity_bytes",
            ])
        let capacity = edge.differences(to: bp).first { $0.field == "stage.buffers.inputs.capacity_bytes" }
        XCTAssertEqual(capacity?.description, "stage.buffers.inputs.capacity_bytes: 32768 -> 49152")
        XCTAssertEqual(edge.differences(to: edge), [])
    }

    func testFieldsOfNamedStagesPresentOnOneSide() throws {
        let edge = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        let split = try edge.applying(overrides: [
            "mapping.assign=[{ stage = \"a\", layers = [0] }]", "stages.a.array.rows=4",
        ])
        let d = edge.differences(to: split)
        XCTAssertEqual(d.first?.field, "mapping.assign")
        XCTAssertTrue(d.contains(FieldDifference(field: "stages.a.array.rows", old: nil, new: "4")))
    }
}
