/// The `lrsim sim --report` JSON object. Written by `JSONReport`, whose snake_case keys are the field names DESIGN.md
/// spells (`clock_hz`, `throughput.samples_per_second`, `energy_pj.total`).
public struct SimReport: Sendable, Codable, Equatable {
    public var kind = "sim"
    public var hardware: HardwareSummary
    public var workload: WorkloadSummary
    /// Cycle at which the last task of the last iteration completed.
    public var cycles: Int
    public var clockHz: Double
    public var iterations: Int
    public var seconds: Double
    public var cyclesPerIteration: Double
    /// Cycles between the ends of the first and the last iteration, per iteration (the pipelined rate).
    public var steadyStateCyclesPerIteration: Double
    public var throughput: Throughput
    /// Every unit (and the DRAM channel) with its cycles by state.
    public var stages: [StageReport]
    public var memory: MemoryReport
    public var dram: DRAMReport
    public var energyPj: EnergyReport
    /// Work executed by the engine and what the workload contains; `conserved` when equal.
    public var work: WorkReport
    public var wallSeconds: Double
    public var simulatedCyclesPerSecond: Double
    public var warnings: [String]

    public struct HardwareSummary: Sendable, Codable, Equatable {
        public var name: String
        public var silicon: String
        public var mapping: String
        public var pipeline: String
        public var staleness: Int
        public var timing: String
    }

    public struct WorkloadSummary: Sendable, Codable, Equatable {
        public var model: String
        public var estimator: String
        public var batch: Int
        public var copies: [Int]
        public var antithetic: Bool
        public var copiesPerPass: Int
        public var layers: [String]
        public var tasks: Int
    }

    public struct Throughput: Sendable, Codable, Equatable {
        public var samplesPerSecond: Double
        public var iterationsPerSecond: Double
    }

    public struct StageReport: Sendable, Codable, Equatable {
        public var name: String
        public var kind: String
        public var stage: String
        public var busy: Int
        public var starved: Int
        public var blocked: Int
        public var idle: Int
        public var utilization: Double
        public var tasks: Int
        public var macs: Int
    }

    public struct BufferReport: Sendable, Codable, Equatable {
        public var name: String
        public var stage: String
        public var role: String
        public var capacityBytes: Int
        /// Peak bytes on chip.
        public var peakBytes: Int
        /// Peak bytes the schedule wanted alive at once (on chip + spilled).
        public var peakDemandBytes: Int
        /// Bytes that did not fit and went to DRAM.
        public var spilledBytes: Int
    }

    public struct FIFOReport: Sendable, Codable, Equatable {
        public var name: String
        public var capacityWords: Int
        public var peakWords: Int
    }

    public struct MemoryReport: Sendable, Codable, Equatable {
        /// Sum over buffers of their peak on-chip bytes.
        public var peakBytes: Int
        /// Sum over buffers of their peak demand (what an unbounded SRAM would need).
        public var peakDemandBytes: Int
        public var spilledBytes: Int
        /// Peak on-chip bytes per buffer name.
        public var perBuffer: [String: Int]
        /// Peak demand summed by role: weights, inputs (LR's stored inputs and logits), noise (noise words or sign
        /// bits), accumulators, activations (backprop's stash).
        public var peakDemandByRole: [String: Int]
        public var buffers: [BufferReport]
        public var fifos: [FIFOReport]
    }

    public struct DRAMReport: Sendable, Codable, Equatable {
        public var readBytes: Int
        public var writeBytes: Int
        public var spillReadBytes: Int
        public var spillWriteBytes: Int
        public var busyCycles: Int
        public var utilization: Double
    }

    public struct EnergyReport: Sendable, Codable, Equatable {
        public var total: Double
        public var perIteration: Double
        public var pe: Double
        public var vector: Double
        public var sram: Double
        public var fifo: Double
        public var dram: Double
        public var noise: Double
        public var loss: Double
        public var bus: Double
        /// Energy per action name (`pe.mac`, `dram.read`, ...), leakage included.
        public var actions: [String: Double]
    }

    public struct WorkReport: Sendable, Codable, Equatable {
        public var executed: ActionCounts
        public var expected: ActionCounts
        public var conserved: Bool
        public var tasks: Int
    }
}
