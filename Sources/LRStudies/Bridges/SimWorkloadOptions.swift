import LRCore
import LRSim
import LRTrace
import LRTrain

/// What `lrsim sim` (and every sim point of a sweep) is asked to simulate, as the user gave it: a trace, or a model
/// with its estimator, batch and copies. `workload()` resolves it into the simulator's `WorkloadSpec`.
///
/// With a trace, the header supplies the model, estimator, batch, copies, antithetic pairs and step count, and any of
/// those given here replace the trace's (`--batch 16` simulates the traced run at batch 16). A model cannot be given
/// with a trace: the trace's header names it, so `--model` would be ignored. New simulator options become fields here.
public struct SimWorkloadOptions: Sendable, Equatable, Codable {
    public var trace: String?
    public var model: String?
    public var estimator: EstimatorKind?
    public var batch: Int?
    public var copies: CopyCounts?
    /// nil: the trace's choice, else antithetic pairs.
    public var antithetic: Bool?
    public var copiesPerPass: Int = 1
    /// nil: the trace's step count, else 1.
    public var iterations: Int?
    /// LR/ALR noise injection; nil: the trace's (noise-key layout 4 records all-layer runs), else layer-wise.
    public var injection: Injection?
    /// Backprop's schedule and its micro-batches (nil: 1 for serial, else the stage count).
    public var schedule: BackpropSchedule = .serial
    public var microbatches: Int?

    public init(
        trace: String? = nil, model: String? = nil, estimator: EstimatorKind? = nil, batch: Int? = nil,
        copies: CopyCounts? = nil, antithetic: Bool? = nil, copiesPerPass: Int = 1, iterations: Int? = nil
    ) {
        self.trace = trace; self.model = model; self.estimator = estimator; self.batch = batch; self.copies = copies
        self.antithetic = antithetic; self.copiesPerPass = copiesPerPass; self.iterations = iterations
    }

    /// The workload, simulated with `estimator` when given (`--compare`), else the options' or the trace's estimator.
    public func workload(estimator override: EstimatorKind? = nil) throws -> WorkloadSpec {
        var w: WorkloadSpec
        if let trace {
            if let model {
                throw SettingError(
                    "model",
                    "give a model or a trace, not both: the header of \(trace) names its model (got \(model))"
                )
            }
            let reader = try TraceReader(path: trace)
            try TraceHeaderCheck.validate(reader.header, file: trace)
            w = try WorkloadSpec(trace: reader)
            if let e = override ?? estimator { w.method = e }
            if let batch { w.batch = batch }
            if let copies { w.copies = copies }
            if let antithetic { w.antithetic = antithetic }
            if let iterations { w.iterations = iterations }
        } else {
            guard let model else { throw SettingError("model", "give a model (like mlp:784-256-10) or a trace") }
            let spec = try ModelSpec.parse(model)
            guard let method = override ?? estimator else {
                throw SettingError("estimator", "give the estimator to simulate: one of \(EstimatorKind.spellings)")
            }
            var b: Int
            if case .graph(let g) = spec {
                // A gnn trains on the full graph: its batch is the node count.
                if let batch, batch != g.nodes {
                    throw SettingError(
                        "batch",
                        "\(g.spelling) trains on the full graph; leave the batch out or give the \(g.nodes) nodes, "
                            + "got \(batch)"
                    )
                }
                b = g.nodes
            } else {
                guard let batch else { throw SettingError("batch", "give the samples per mini-batch") }
                b = batch
            }
            if method.isForwardOnly && copies == nil {
                throw SettingError("copies", "give K, the noisy copies per perturbed layer, for \(method.rawValue)")
            }
            w = WorkloadSpec(
                model: spec, method: method, batch: b, copies: copies ?? [],
                iterations: iterations ?? 1, antithetic: antithetic ?? true)
        }
        w.copiesPerPass = copiesPerPass
        if let injection { w.injection = injection }
        w.schedule = schedule
        if schedule == .serial {
            if let m = microbatches, m != 1 {
                throw SettingError(
                    "microbatches", "only the gpipe and 1f1b schedules pipeline micro-batches, got \(m) with serial")
            }
            w.microbatches = 1
        } else {
            w.microbatches = microbatches ?? min(w.batch, 4)
        }
        return w
    }
}
