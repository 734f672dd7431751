import FixedPoint
import Foundation
import LRCore
import LRIO
import LRSim
import LRTrain

/// `lrsim replay --report`: one JSON object (snake_case keys, `JSONReport`).
public struct ReplayReport: Sendable, Codable, Equatable {
    public var kind = "replay"
    public var trace: String
    public var hardware: Hardware
    public var workload: Workload
    /// How each datapath stage is modelled (docs/replay.md).
    public var method: [String: String]
    public var steps: [Step]
    public var summary: Summary
    /// The timing fields of `sim` for the same work (the trace's batch, copies and estimator on this hardware), for as
    /// many iterations as steps were replayed.
    public var cycles: Int
    public var clockHz: Double
    public var iterations: Int
    public var seconds: Double
    public var cyclesPerIteration: Double
    public var throughput: SimReport.Throughput
    public var energyPj: SimReport.EnergyReport
    public var wallSeconds: Double

    public struct Hardware: Sendable, Codable, Equatable {
        public var name: String
        public var silicon: String
        public var overrides: [String]
        /// Every signal's format, rounding and overflow (`s4.4 RND_CONV SAT`), plus the derived weighted-loss register.
        public var formats: [String: String]
    }

    public struct Workload: Sendable, Codable, Equatable {
        public var model: String
        public var estimator: String
        public var batch: Int
        public var copies: [Int]
        public var sigma: [Double]
        public var antithetic: Bool
        public var baseline: String
        public var optimizer: String
        public var update: String
    }

    public struct Step: Sendable, Codable, Equatable {
        public var step: Int
        /// Mean clean loss: the trainer's (recorded) and the datapath's, and their relative difference.
        public var lossFloat: Double?
        public var lossDatapath: Double
        public var lossRelativeErrorVsFloat: Double?
        /// After the fixed-point update (SGD runs only): the batch's loss and its relative change from before.
        public var lossAfterUpdate: Double?
        public var lossRelativeChange: Double?
        /// Fraction of the recorded weights and biases outside the weights format's range (the datapath saturates or
        /// wraps them, so its forward pass is not the float network's).
        public var weightsOutsideFormat: Double?
        public var layers: [Layer]
        /// The sim timing of this step's work (one iteration).
        public var cycles: Double
        public var seconds: Double
        public var wallSeconds: Double
    }

    public struct Layer: Sendable, Codable, Equatable {
        public var layer: Int
        public var cosineVsFloat: Double?
        public var cosineVsBp: Double?
        /// Against the exact GMP evaluation of the same formula on the same quantized operands, in gradient units
        /// (the unscaled datapath sum); nil with --no-exact.
        public var maxAbsErrorVsExact: Double?
        public var meanAbsErrorVsExact: Double?
        public var bitExactVsExact: Bool?
        public var bitExactValues: Int?
        public var values: Int
        public var accumulatorBits: Int
        public var accumulatorBoundBits: Bound?
        /// Mean |datapath per-copy loss - trainer's per-copy loss| (both dequantized), when the trace has them.
        public var copyLossMeanAbsErrorVsFloat: Double?
    }

    public struct Bound: Sendable, Codable, Equatable {
        public var reduction: Int
        public var outer: Int
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var stepsReplayed: Int
        public var allBitExactVsExact: Bool?
        public var minCosineVsFloat: Double?
        public var meanCosineVsFloat: Double?
        public var minCosineVsBp: Double?
        public var maxAbsErrorVsExact: Double?
        /// Where the smallest cosine vs float occurs (step and layer).
        public var worstCosineVsFloatStep: Int?
        public var worstCosineVsFloatLayer: Int?
        /// One plain sentence: does the datapath's gradient follow the float trainer's, and what the formats say about
        /// why (nil when the trace holds no float gradient).
        public var verdict: String?
    }
}
