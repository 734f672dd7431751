import FixedPoint
import Foundation
import HWModel
import LRTrain
import XCTest

@testable import LRStudies

/// The replay summary's verdict and the demo's findings: what they say follows from the numbers.
final class ReplaySummaryTests: XCTestCase {
    func step(_ n: Int, _ cosines: [Double], lossFloat: Double = 0.5, lossDatapath: Double = 0.5, outside: Double = 0)
        -> ReplayReport.Step
    {
        ReplayReport.Step(
            step: n, lossFloat: lossFloat, lossDatapath: lossDatapath, lossRelativeErrorVsFloat: nil,
            lossAfterUpdate: nil, lossRelativeChange: nil, weightsOutsideFormat: outside,
            layers: cosines.enumerated().map { i, c in
                ReplayReport.Layer(
                    layer: 2 * i, cosineVsFloat: c, cosineVsBp: nil, maxAbsErrorVsExact: nil,
                    meanAbsErrorVsExact: nil, bitExactVsExact: nil, bitExactValues: nil, values: 10,
                    accumulatorBits: 32, accumulatorBoundBits: nil, copyLossMeanAbsErrorVsFloat: nil)
            }, cycles: 1, seconds: 1, wallSeconds: 0)
    }

    func formats() throws -> DatapathFormats {
        try DatapathFormats(try HardwareModel.load(path: DatapathFixtures.path("hwmodels/edge.toml")))
    }

    func testVerdicts() throws {
        let f = try formats()
        // Agrees at the first step, not later: divergence from the float trajectory, with the worst step's evidence.
        let diverging = [
            step(0, [0.98, 0.97]), step(200, [0.9, 0.6]),
            step(400, [0.3, 0.08], lossFloat: 0.5, lossDatapath: 1.1, outside: 0.25),
        ]
        let s = ReplayRun.summary(diverging, exact: false, formats: f, sigma: 0.1)
        XCTAssertEqual(s.worstCosineVsFloatStep, 400)
        XCTAssertEqual(s.worstCosineVsFloatLayer, 2)
        XCTAssertEqual(s.minCosineVsFloat, 0.08)
        XCTAssertEqual(try XCTUnwrap(s.meanCosineVsFloat), (0.98 + 0.97 + 0.9 + 0.6 + 0.3 + 0.08) / 6, accuracy: 1e-12)
        let v = try XCTUnwrap(s.verdict)
        XCTAssertTrue(
            v.hasPrefix(
                "the datapath DIVERGES from the float trajectory as training proceeds: its gradient agrees at step 0 (cosine 0.9750) but not later (worst 0.0800 at step 400 (layer 2), mean 0.6383)"
            ), v)
        XCTAssertTrue(v.contains("at step 400 the datapath's clean loss is 1.1 against the float run's 0.5"), v)
        XCTAssertTrue(v.contains("25% of the recorded weights lie outside s2.6"), v)
        XCTAssertTrue(v.contains("sigma 0.1 = 1.6 LSB of the s4.4 activations"), v)
        // Every step agrees: the datapath follows; a uniformly unrelated gradient diverges from the start.
        XCTAssertTrue(
            ReplayRun.summary(
                [step(0, [0.999, 0.995]), step(1, [0.998, 0.999])], exact: false, formats: f, sigma: 0.1
            )
            .verdict?.hasPrefix("the datapath's gradient follows the float trainer's: mean cosine vs float 0.9978")
                == true)
        XCTAssertTrue(
            ReplayRun.summary([step(0, [0.01, 0.02]), step(1, [0.0, 0.03])], exact: false, formats: f, sigma: 0.1)
                .verdict?.hasPrefix("the datapath DIVERGES from the float trainer: its gradient is nearly unrelated")
                == true)
        XCTAssertTrue(
            ReplayRun.summary([step(0, [0.95, 0.93])], exact: false, formats: f, sigma: 0.1)
                .verdict?.hasPrefix("the datapath's gradient is close to the float trainer's but measurably off")
                == true)
        // No float gradient in the trace: no verdict.
        XCTAssertNil(ReplayRun.summary([step(0, [])], exact: false, formats: f, sigma: 0.1).verdict)
    }

    /// s2.6 holds [-2, 2 - 1/64]: 2.5 and -3 lie outside, -2 and 1.98 inside.
    func testWeightsOutsideFormat() throws {
        let hw = try HardwareModel.load(path: DatapathFixtures.path("hwmodels/edge.toml"))
        XCTAssertEqual(ReplayRun.outsideFraction([0, 1.98, -2, 2.5, -3], hw), 0.4)
        XCTAssertEqual(ReplayRun.outsideFraction([1.984375, 1.99], hw), 0.5)
        XCTAssertNil(ReplayRun.outsideFraction([], hw))
    }

    func testDemoFindingsReadTheNumbers() {
        let summary = DemoSummary(
            command: "lrsim demo", hardware: "edge", epochs: 1, trainSamples: 60000, testSamples: 10000, rows: [],
            replay: .init(
                hardware: "edge", steps: 11, meanCosineVsFloat: 0.6492, worstCosineVsFloat: 0.084, worstStep: 1200,
                worstLayer: 2, bitExact: false,
                verdict: "the datapath DIVERGES from the float trajectory as training proceeds"),
            sweep: .init(
                points: 6, failed: 0, trainSamples: 12000, testSamples: 10000, epochs: 1, floatAccuracy: 0.7653,
                accuracies: [
                    .init(settings: "a=4", testAccuracy: 0.6757), .init(settings: "a=8", testAccuracy: 0.7594),
                    .init(settings: "a=6", testAccuracy: 0.7452),
                ]))
        XCTAssertEqual(
            summary.sweep?.within(2).map(\.settings), ["a=8"],
            "0.7594 is 0.59 points below 0.7653; 0.7452 is 2.01 below")
        XCTAssertEqual(
            summary.findings,
            [
                "replay of 11 traced ALR steps on the edge datapath: gradient cosine vs float mean 0.6492, worst 0.0840 at step 1200 (layer 2); not bit-exact vs GMP (finite accumulators).",
                "  The datapath DIVERGES from the float trajectory as training proceeds.",
                "precision sweep: 6 points (0 failed), each trained 1 epoch(s) on 12000 samples and tested on 10000; float ALR on the same samples: 0.7653.",
                "  within 2 points of float: a=8 (0.7594).",
            ])
    }
}
