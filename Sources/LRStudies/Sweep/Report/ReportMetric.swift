import LRReport

/// A sweep metric as the report charts it: its label with the unit, the factor from the table's unit to the chart's,
/// and which direction is better.
public struct ReportMetric: Sendable {
    public var key: String
    /// Chart title stem ("Accuracy") and axis label with unit ("test accuracy").
    public var title: String
    public var label: String
    /// Chart value = table value x `scale` (bytes -> KiB).
    public var scale: Double
    public var better: ParetoFront.Better
    /// The page section it belongs to.
    public var section: Section

    public enum Section: String, Sendable, CaseIterable {
        case fidelity = "Accuracy and gradient fidelity"
        case cost = "Throughput, energy and memory"
    }

    /// Every metric the report charts against the axes, in page order.
    public static let catalog: [ReportMetric] = [
        .init(
            key: "train.test_accuracy", title: "Accuracy", label: "test accuracy (fixed-point training)", scale: 1,
            better: .higher, section: .fidelity),
        .init(
            key: "replay.mean_cosine_vs_float", title: "Gradient fidelity", label: "gradient cosine vs float (mean)",
            scale: 1,
            better: .higher, section: .fidelity),
        .init(
            key: "replay.min_cosine_vs_float", title: "Worst-step fidelity",
            label: "gradient cosine vs float (worst step)",
            scale: 1, better: .higher, section: .fidelity),
        .init(
            key: "replay.min_cosine_vs_bp", title: "Agreement with backprop",
            label: "gradient cosine vs backprop (worst step)",
            scale: 1, better: .higher, section: .fidelity),
        .init(
            key: "train.gradient_cosine_vs_bp", title: "Agreement with backprop",
            label: "gradient cosine vs backprop (training)",
            scale: 1, better: .higher, section: .fidelity),
        .init(
            key: "sim.iterations_per_second", title: "Throughput", label: "simulated iterations per second", scale: 1,
            better: .higher, section: .cost),
        .init(
            key: "sim.energy_uj_per_iteration", title: "Energy", label: "energy per iteration (uJ)", scale: 1,
            better: .lower, section: .cost),
        .init(
            key: "sim.memory_peak_bytes", title: "On-chip memory", label: "peak on-chip memory in use (KiB)",
            scale: 1.0 / 1024,
            better: .lower, section: .cost),
        .init(
            key: "sim.dram_bytes_per_iteration", title: "DRAM traffic", label: "DRAM traffic per iteration (MB)",
            scale: 1e-6,
            better: .lower, section: .cost),
    ]

    public static func named(_ key: String) -> ReportMetric? { catalog.first { $0.key == key } }
}

/// One chart of the page with its caption and, for a Pareto chart, the table of its front.
public struct ReportChart: Sendable {
    public var name: String
    public var svg: String
    public var caption: String
    public var section: String
    public var table: (header: [String], rows: [[String]])?
}
