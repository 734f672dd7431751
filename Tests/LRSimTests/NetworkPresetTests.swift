import HWModel
import LRCore
import XCTest

@testable import LRSim

/// The papers' networks as simulator workloads: their layer plans against hand-counted shapes and MACs.
final class NetworkPresetTests: XCTestCase {
    func testResNet18PlanMatchesTheArchitecture() throws {
        let plan = try ComputeLayer.plan(try NetworkSpec.parse("resnet18"))
        // Stem, 16 convolutions in 8 basic blocks, 3 projection shortcuts, the classifier.
        XCTAssertEqual(plan.count, 21)
        // Forward MACs per 32x32 image, layer by layer: stem 32*32*64*3*9; stage 1: 4 x 32*32*64*64*9; stages 2-4: a
        // strided 3x3 (C -> 2C), three 3x3 (2C -> 2C) and a 1x1 projection at the halved size; dense 512*10.
        var expected = 32 * 32 * 64 * 3 * 9 + 4 * 32 * 32 * 64 * 64 * 9
        for (size, cin, cout) in [(16, 64, 128), (8, 128, 256), (4, 256, 512)] {
            expected += size * size * cout * cin * 9 + 3 * size * size * cout * cout * 9 + size * size * cout * cin
        }
        expected += 512 * 10
        XCTAssertEqual(expected, 555_422_720)  // the usual "0.56 GMAC" of ResNet-18 on CIFAR
        XCTAssertEqual(plan.reduce(0) { $0 + $1.forwardGemm(rows: 1).macs }, expected)
        // Parameters: 11.17 M (convolutions with biases here, batch norm not counted).
        let parameters = plan.reduce(0) { $0 + $1.parameterCount }
        XCTAssertEqual(parameters, (try NetworkSpec.parse("resnet18")).parameterCount)
        XCTAssertEqual(Double(parameters), 11.17e6, accuracy: 0.02e6)
    }

    func testShortcutsCarryTheirTensorToTheAdd() throws {
        // resnet9's first residual block: conv 64->128 (+pool) feeds two 128-channel convolutions at 16x16 whose result
        // is added to the block input: the block input (128 x 16 x 16) rides with the first convolution's output.
        let plan = try ComputeLayer.plan(try NetworkSpec.parse("resnet9"))
        XCTAssertEqual(plan.count, 9)
        XCTAssertEqual(plan[1].carryElements, 0)
        XCTAssertEqual(plan[2].carryElements, 128 * 16 * 16)
        XCTAssertEqual(plan[2].flowElements, 2 * 128 * 16 * 16)
        // The second convolution of the block: batch norm (4 ops per element), the shortcut add, then the activation.
        XCTAssertEqual(plan[3].postOpElements, (4 + 1 + 1) * 128 * 16 * 16)
    }

    func testEveryPresetRunsUnderEveryEstimatorAndSchedule() throws {
        var hw = HardwareModel(name: "test")
        hw.pipeline = PipelineSpec(mode: .layerPipelined)
        for name in NetworkSpec.presetNames {
            let network = try NetworkSpec.parse(name)
            for method in [EstimatorKind.lr, .alr, .bp] {
                var s = WorkloadSpec(network: network, method: method, batch: 2, copies: method == .bp ? [] : [2])
                if method == .bp { s.schedule = .oneFOneB; s.microbatches = 2 }
                if method == .alr { s.injection = .allLayers }
                let r = try Simulator.run(s, on: hw)
                XCTAssertTrue(r.report.work.conserved, "\(name) \(method)")
                XCTAssertGreaterThan(r.report.cycles, 0)
            }
        }
    }

    func testTheTrainerRefusesSimulatorOnlyNetworks() throws {
        XCTAssertFalse(try NetworkSpec.parse("vgg8").isTrainable)
        XCTAssertTrue(try NetworkSpec.parse("cnn:small").isTrainable)
    }
}
