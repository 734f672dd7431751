import FixedPoint
import Foundation
import LRCore
import LRSim
import LRTrain

/// `lrsim replay --report`: one JSON object (snake_case keys via `ReportJSON`).
struct ReplayReport: Encodable {
    var kind = "replay"
    var trace: String
    var hardware: Hardware
    var workload: Workload
    /// How each datapath stage is modelled (docs/replay.md).
    var method: [String: String]
    var steps: [Step]
    var summary: Summary
    /// The timing fields of `sim` for the same work (the trace's batch, copies and estimator on this hardware), for as
    /// many iterations as steps were replayed.
    var cycles: Int
    var clockHz: Double
    var iterations: Int
    var seconds: Double
    var cyclesPerIteration: Double
    var throughput: SimReport.Throughput
    var energyPj: SimReport.EnergyReport
    var wallSeconds: Double

    struct Hardware: Encodable {
        var name: String
        var silicon: String
        var overrides: [String]
        /// Every signal's format, rounding and overflow (`s4.4 RND_CONV SAT`), plus the derived weighted-loss register.
        var formats: [String: String]
    }

    struct Workload: Encodable {
        var model: String
        var estimator: String
        var batch: Int
        var copies: [Int]
        var sigma: [Double]
        var antithetic: Bool
        var baseline: String
        var optimizer: String
        var update: String
    }

    struct Step: Encodable {
        var step: Int
        /// Mean clean loss: the trainer's (recorded) and the datapath's, and their relative difference.
        var lossFloat: Double?
        var lossDatapath: Double
        var lossRelativeErrorVsFloat: Double?
        /// After the fixed-point update (SGD runs only): the batch's loss and its relative change from before.
        var lossAfterUpdate: Double?
        var lossRelativeChange: Double?
        var layers: [Layer]
        /// The sim timing of this step's work (one iteration).
        var cycles: Double
        var seconds: Double
        var wallSeconds: Double
    }

    struct Layer: Encodable {
        var layer: Int
        var cosineVsFloat: Double?
        var cosineVsBp: Double?
        /// Against the exact GMP evaluation of the same formula on the same quantized operands, in gradient units
        /// (the unscaled datapath sum); nil with --no-exact.
        var maxAbsErrorVsExact: Double?
        var meanAbsErrorVsExact: Double?
        var bitExactVsExact: Bool?
        var bitExactValues: Int?
        var values: Int
        var accumulatorBits: Int
        var accumulatorBoundBits: Bound?
        /// Mean |datapath per-copy loss - trainer's per-copy loss| (both dequantized), when the trace has them.
        var copyLossMeanAbsErrorVsFloat: Double?
    }

    struct Bound: Encodable {
        var reduction: Int
        var outer: Int
    }

    struct Summary: Encodable {
        var stepsReplayed: Int
        var allBitExactVsExact: Bool?
        var minCosineVsFloat: Double?
        var meanCosineVsFloat: Double?
        var minCosineVsBp: Double?
        var maxAbsErrorVsExact: Double?
    }
}
