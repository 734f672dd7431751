import LRReport

/// A sweep set against a baseline sweep (`lrsim report DIR --baseline BASE`): every point of the candidate (say LR and
/// ALR over K, injection and machine size) next to the best point of the baseline (say backprop over its schedules)
/// on the same shared settings, as ratios.
///
/// Points match on the axes both sweeps vary (`workload.model`, `interconnect.chips`, ...): a candidate point is
/// compared with the baseline points that give every shared axis the same value. Among those, the best one for each
/// metric is the reference (the fastest for iterations/s, the most frugal for energy and memory), so axes only the
/// baseline varies (backprop's schedule and micro-batches) are settled in the baseline's favour and named per row.
/// Ratios are candidate / baseline: iterations/s above 1, energy and memory below 1 favour the candidate.
public struct BaselineComparison: Sendable {
    public var candidate: SweepTable
    public var baseline: SweepTable
    /// Where the baseline came from, for the page.
    public var baselineName: String
    /// Axes both sweeps vary, in the candidate's order.
    public var shared: [String]

    /// A ratio the comparison reports.
    public struct Ratio: Sendable {
        public var key: String
        public var metric: String
        public var title: String
        public var better: ParetoFront.Better
    }

    public static let ratios: [Ratio] = [
        .init(
            key: "iterations_per_second_ratio", metric: "sim.iterations_per_second", title: "iterations/s",
            better: .higher),
        .init(
            key: "energy_per_iteration_ratio", metric: "sim.energy_uj_per_iteration", title: "energy per iteration",
            better: .lower),
        .init(key: "peak_memory_ratio", metric: "sim.memory_peak_bytes", title: "peak on-chip memory", better: .lower),
    ]

    /// One candidate point with, per ratio, the ratio and the baseline point it was taken against.
    public struct Row: Sendable {
        public var point: SweepTable.Row
        public var ratios: [String: Double]
        public var references: [String: SweepTable.Row]
    }

    public init(candidate: SweepTable, baseline: SweepTable, baselineName: String) throws(SweepError) {
        let baseKeys = Set(baseline.spec.axes.map(\.key))
        shared = candidate.spec.axes.map(\.key).filter { baseKeys.contains($0) }
        self.candidate = candidate; self.baseline = baseline; self.baselineName = baselineName
        guard baseline.points.contains(where: { $0.status == .ok && $0.metrics["sim.iterations_per_second"] != nil })
        else {
            throw SweepError("\(baselineName): the baseline sweep has no simulated point (kind sim) to compare with")
        }
        for r in rows() where r.references.isEmpty && r.point.status == .ok {
            let values = shared.map { "\($0)=\(r.point.values[$0] ?? "")" }.joined(separator: " ")
            throw SweepError(
                "\(baselineName): no point of the baseline has \(values) (candidate point \(r.point.index))")
        }
    }

    /// The axes only the candidate varies (what the charts put on x and in the legend).
    public var candidateOnly: [String] { candidate.spec.axes.map(\.key).filter { !shared.contains($0) } }
    /// The axes only the baseline varies (settled per row by the best baseline point).
    public var baselineOnly: [String] { baseline.spec.axes.map(\.key).filter { !shared.contains($0) } }

    /// Every ok candidate point with its ratios.
    public func rows() -> [Row] {
        candidate.points.filter { $0.status == .ok }.map { p in
            let matches = baseline.points.filter { b in
                b.status == .ok && shared.allSatisfy { b.values[$0] == p.values[$0] }
            }
            var row = Row(point: p, ratios: [:], references: [:])
            for r in Self.ratios {
                guard let mine = p.metrics[r.metric] else { continue }
                let scored = matches.compactMap { b in b.metrics[r.metric].map { (b, $0) } }.filter { $0.1 > 0 }
                let best = r.better == .higher ? scored.max { $0.1 < $1.1 } : scored.min { $0.1 < $1.1 }
                guard let (b, value) = best else { continue }
                row.ratios[r.key] = mine / value
                row.references[r.key] = b
            }
            return row
        }
    }

    /// The table of every row: the candidate's settings, each ratio and the baseline point it used.
    public var csv: CSVTable {
        let axes = candidate.spec.axes.map(\.key)
        var header = ["index"] + axes
        for r in Self.ratios {
            header.append(r.key)
            header += baselineOnly.map { "\(r.key).baseline.\($0)" }
        }
        var t = CSVTable(header: header)
        for row in rows() {
            var fields = [String(row.point.index)] + axes.map { row.point.values[$0] ?? "" }
            for r in Self.ratios {
                fields.append(row.ratios[r.key].map { "\($0)" } ?? "")
                fields += baselineOnly.map { row.references[r.key]?.values[$0] ?? "" }
            }
            t.append(fields)
        }
        return t
    }
}
