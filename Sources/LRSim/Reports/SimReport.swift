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
    /// The steady-state period: cycles between the ends of the middle iterations (the first and last quarters, where
    /// the pipeline fills and drains, are left out), per iteration.
    public var steadyStateCyclesPerIteration: Double
    /// Cycles the pipeline takes to fill: when the first iteration would have ended had every iteration taken the
    /// steady-state period (the end of the first measured iteration minus its share of periods).
    public var fillCycles: Double
    /// Iterations the period was measured over (the middle half of the run; all of it below 8 iterations).
    public var periodIterations: Int
    /// Steady-state throughput: the clock over the period.
    public var throughput: Throughput
    /// Whole-run throughput: iterations (and samples) over every cycle of the run, fill and drain included.
    public var averageThroughput: Throughput
    /// MAC utilisation of the arrays: MACs executed over cycles x PEs, whole run and per array in `stages`.
    public var macUtilization: Double
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
        /// Chips, the largest replica count of a stage, and lanes (chips x replicas).
        public var chips: Int
        public var replicas: Int
        public var lanes: Int
        /// How replicated work is divided (`data` or `layer`), the collective algorithm, the most tiles per task.
        public var split: String
        public var collective: String
        public var tiles: Int
    }

    public struct WorkloadSummary: Sendable, Codable, Equatable {
        public var model: String
        public var estimator: String
        public var batch: Int
        public var copies: [Int]
        public var antithetic: Bool
        public var copiesPerPass: Int
        /// LR/ALR noise injection (`layerwise` or `all-layers`); backprop's schedule and micro-batches.
        public var injection: String
        public var schedule: String
        public var microbatches: Int
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
        /// Arrays: MACs over cycles x PEs (the `utilization` above counts any task, elementwise work included).
        public var macUtilization: Double
        public var tasks: Int
        public var macs: Int
        /// Starved, blocked and idle cycles by reason (`dependency`, `fifo_empty`, `dram`, `sram`, `fifo_full`,
        /// `noise`, `interconnect`, `control`; `none` is idle with nothing queued).
        public var stalls: [String: Int]
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
        /// DRAM devices (one per chip).
        public var devices: Int
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
        /// On-chip and chip-to-chip link traffic (bytes x the link's `energy_pj_per_byte`).
        public var interconnect: Double
        /// Energy per action name (`pe.mac`, `dram.read`, ...), leakage included.
        public var actions: [String: Double]
    }

    public struct WorkReport: Sendable, Codable, Equatable {
        public var executed: ActionCounts
        public var expected: ActionCounts
        public var conserved: Bool
        public var tasks: Int
        /// The most tasks held at once (emitted and not yet forgotten): what bounds the simulator's memory.
        public var peakLiveTasks: Int
    }
}
