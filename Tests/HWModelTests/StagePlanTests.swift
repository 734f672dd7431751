import XCTest

@testable import HWModel

/// Fitting a model to a network's parametric layers.
final class StagePlanTests: XCTestCase {
    func testAutoSpatialGivesOneTemplateStagePerLayer() throws {
        let m = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        let plan = try m.stagePlan(parametricLayers: 3)
        XCTAssertEqual(plan.map(\.name), ["stage0", "stage1", "stage2"])
        XCTAssertEqual(plan.map(\.layers), [[0], [1], [2]])
        for s in plan { XCTAssertEqual(s.spec.array, m.stageTemplate.array) }
    }

    func testTemporalGivesOneStageRunningEverything() throws {
        let m = try HardwareModel.load(path: Repo.hwmodel("edge-temporal.toml"))
        let plan = try m.stagePlan(parametricLayers: 4)
        XCTAssertEqual(plan.count, 1)
        XCTAssertEqual(plan[0].name, "array")
        XCTAssertEqual(plan[0].layers, [0, 1, 2, 3])
    }

    func testExplicitAssignmentMustCoverTheNetwork() throws {
        let text = """
            [mapping]
            assign = [{ stage = "front", layers = [0, 1] }, { stage = "back", layers = [2] }]
            [stages.front]
            array.rows = 32
            [stages.back]
            array.kind = "vector"
            """
        let m = try HardwareModel.parse(text: text, file: "split.toml")
        let plan = try m.stagePlan(parametricLayers: 3)
        XCTAssertEqual(plan.map(\.name), ["front", "back"])
        XCTAssertEqual(plan.map(\.spec.array.kind), [.systolic, .vector])
        XCTAssertEqual(plan[0].spec.array.rows, 32)
        XCTAssertThrowsError(try m.stagePlan(parametricLayers: 4)) { error in
            XCTAssertEqual(
                "\(error)",
                "split.toml:2: field 'mapping.assign': expected the stages to cover the network's 4 parametric layers (0...3), got 3 layers assigned"
            )
        }
        XCTAssertThrowsError(try m.stagePlan(parametricLayers: 0))
    }
}

/// The small timing helpers the simulator calls, by hand.
final class UnitTimingTests: XCTestCase {
    func testDRAMTransferCycles() {
        let lpddr = DRAMSpec(bytesPerCycle: 25.6, latencyCycles: 80)
        XCTAssertEqual(lpddr.transferCycles(bytes: 0), 0)
        XCTAssertEqual(lpddr.transferCycles(bytes: 1), 81)
        XCTAssertEqual(lpddr.transferCycles(bytes: 256), 90)  // 256 / 25.6 = 10 exactly
        XCTAssertEqual(lpddr.transferCycles(bytes: 257), 91)
        XCTAssertEqual(
            DRAMSpec(bytesPerCycle: 0.001, latencyCycles: 5).transferCycles(bytes: Int.max), Int.max,
            "saturates instead of trapping")
    }

    func testLossUnitCyclesPerCopy() {
        let loss = LossUnitSpec(latencyCycles: 16, elementsPerCycle: 4)
        XCTAssertEqual(loss.cyclesPerCopy(classes: 10), 3)
        XCTAssertEqual(loss.cyclesPerCopy(classes: 8), 2)
        XCTAssertEqual(loss.cyclesPerCopy(classes: 0), 0)
    }

    func testBufferAndStageSizes() throws {
        let edge = try HardwareModel.load(path: Repo.hwmodel("edge.toml"))
        let b = edge.stageTemplate.buffers
        XCTAssertEqual(b.fifoOut.capacityBytes, 512 * 16)
        XCTAssertEqual(b.weights.readBytesPerCycle, 16)
        XCTAssertEqual(edge.stageTemplate.sramBytes, (64 + 32 + 16 + 64 + 8) * 1024)
        XCTAssertEqual(edge.stageTemplate.processingElements, 256)
        XCTAssertEqual(SystolicConvention.scalesim.adjustment, -1)
        XCTAssertEqual(SystolicConvention.scalesimRTL.adjustment, 0)
    }
}
