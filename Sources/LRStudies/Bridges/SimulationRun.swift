import HWModel
import LRCore
import LRIO
import LRReport
import LRSim

/// `lrsim sim`: a workload on a hardware model, alone or side by side under several estimators (`compare`), and the
/// files it writes.
public struct SimulationRun {
    public var hardware: HardwareModel
    public var workload: SimWorkloadOptions
    /// Estimators to simulate side by side on the same hardware (empty: the workload's own estimator, once).
    public var compare: [EstimatorKind] = []
    /// false: wall-clock fields are 0, so reports of equal inputs are byte-identical.
    public var wallClock = true
    public var outputs = Outputs()

    /// Files to write; nil: not written. `vcd`, `timeline` and `csv` describe one run.
    public struct Outputs: Sendable, Equatable {
        public var vcd: String?
        public var timeline: String?
        public var csv: String?
        public var report: String?
        public init(vcd: String? = nil, timeline: String? = nil, csv: String? = nil, report: String? = nil) {
            self.vcd = vcd; self.timeline = timeline; self.csv = csv; self.report = report
        }
    }

    public enum Outcome {
        case single(SimulationResult)
        case comparison([SimReport])
    }

    public init(hardware: HardwareModel, workload: SimWorkloadOptions) {
        self.hardware = hardware
        self.workload = workload
    }

    /// Simulates, writes the outputs asked for, and returns what ran.
    public func run() throws -> Outcome {
        if !compare.isEmpty {
            guard outputs.vcd == nil, outputs.timeline == nil, outputs.csv == nil else {
                throw SettingError(
                    "compare", "a comparison writes only its report; the vcd, timeline and csv outputs describe one run"
                )
            }
            var reports: [SimReport] = []
            for e in compare {
                reports.append(finalize(try Simulator.run(try workload.workload(estimator: e), on: hardware).report))
            }
            if let path = outputs.report { try JSONReport.write(SimComparison(runs: reports), to: path) }
            return .comparison(reports)
        }
        let record = outputs.vcd != nil || outputs.timeline != nil
        var result = try Simulator.run(try workload.workload(), on: hardware, record: record)
        result.report = finalize(result.report)
        try SimOutputs.write(
            result, vcd: outputs.vcd, timeline: outputs.timeline, csv: outputs.csv,
            report: outputs.report)
        return .single(result)
    }

    func finalize(_ r: SimReport) -> SimReport {
        var r = r
        if !wallClock { r.wallSeconds = 0; r.simulatedCyclesPerSecond = 0 }
        return r
    }
}
