import Foundation
import LRReport

/// The table `lrsim sweep` prints when it finishes: the varied values and the headline metrics per point.
public enum SweepSummaryText {
    static let columns: [(metric: String, header: String, format: String)] = [
        ("train.test_accuracy", "accuracy", "%.4f"),
        ("train.gradient_cosine_vs_bp", "cos(bp)", "%.4f"),
        ("replay.mean_cosine_vs_float", "cos(float)", "%.6f"),
        ("replay.min_cosine_vs_bp", "cos(bp)min", "%.4f"),
        ("sim.iterations_per_second", "it/s", "%.0f"),
        ("sim.samples_per_second", "samples/s", "%.0f"),
        ("sim.memory_peak_bytes", "peak KiB", "%.1f"),
        ("sim.energy_uj_per_iteration", "uJ/it", "%.3f"),
    ]

    public static func table(_ t: SweepTable) -> String {
        let names = Set(t.metricNames)
        let cols = columns.filter { names.contains($0.metric) }
        var table = TextTable(header: ["#"] + t.spec.axes.map(\.key) + cols.map(\.header) + ["status"])
        table.alignment = Array(repeating: .right, count: table.header.count - 1) + [.left]
        for p in t.points {
            var r = [String(p.index)] + t.spec.axes.map { p.values[$0.key] ?? "" }
            for c in cols {
                guard let v = p.metrics[c.metric] else { r.append("-"); continue }
                r.append(String(format: c.format, c.metric == "sim.memory_peak_bytes" ? v / 1024 : v))
            }
            r.append(p.status == .ok ? "ok" : "failed: " + String((p.error ?? "").prefix(60)))
            table.append(r)
        }
        return table.text
    }
}
