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
            XCTAssertEqual("\(error)", "split.toml:2: field 'mapping.assign': expected the stages to cover the network's 4 parametric layers (0...3), got 3 layers assigned")
        }
        XCTAssertThrowsError(try m.stagePlan(parametricLayers: 0))
    }
}
