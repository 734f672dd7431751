import LRCore
import XCTest

@testable import LRTrain

/// The GFLOP/s figures of training reports count the work the trainer executes.
final class WorkloadCountTests: XCTestCase {
    func testBackpropCountsForwardWeightGradientsAndAllButTheFirstInputGradient() throws {
        let spec = try NetworkSpec.parse("mlp:784-256-10")
        let bp = EstimatorSettings(kind: .bp, copies: [32], sigma: [0.1])
        // forward 784*256 + 256*10; weight gradients the same; input gradient of the second dense layer only.
        XCTAssertEqual(WorkloadCount.flopsPerSample(spec, bp), 2 * (2 * (784 * 256 + 256 * 10) + 256 * 10))
    }

    func testLogitNoiseCountsCleanForwardCopiesOfTheTailAndOneGradientGEMMPerLayer() throws {
        let spec = try NetworkSpec.parse("mlp:784-256-10")
        let lr = try EstimatorSettings(kind: .lr, copies: [32], sigma: [0.1]).resolved(spec: spec)
        // Layer 0: 32 copies of the 256->10 layer; layer 1: 32 copies of nothing downstream.
        let macs = (784 * 256 + 256 * 10) + 32 * (256 * 10) + 784 * 256 + 256 * 10
        XCTAssertEqual(WorkloadCount.flopsPerSample(spec, lr), 2 * Double(macs))
    }
}
