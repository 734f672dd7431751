import Foundation
import LRReport

/// `summary.json` of a demo: one row per estimator, plus the replay and sweep in a line each.
public struct DemoSummary: Sendable, Codable, Equatable {
    public var kind = "demo-summary"
    public var command: String
    public var hardware: String
    public var epochs: Int
    public var trainSamples: Int
    public var testSamples: Int
    public var rows: [Row]
    public var replayMinCosineVsFloat: Double?
    public var replayBitExact: Bool?
    public var sweepPoints: Int
    public var sweepFailed: Int

    public struct Row: Sendable, Codable, Equatable {
        public var estimator: String
        public var hardware: String
        public var testAccuracy: Double
        public var trainSeconds: Double
        public var iterationsPerSecond: Double
        public var peakMemoryKiB: Double
        public var energyMicrojoulesPerIteration: Double

        public var fields: [String] {
            [
                estimator, hardware, String(format: "%.4f", testAccuracy), String(format: "%.0f", iterationsPerSecond),
                String(format: "%.1f", peakMemoryKiB), String(format: "%.3f", energyMicrojoulesPerIteration),
                String(format: "%.1f", trainSeconds),
            ]
        }

        // Renamed in camelCase: the writer's snake_case strategy spells them peak_memory_kib, energy_uj_per_iteration.
        enum CodingKeys: String, CodingKey {
            case estimator, hardware, testAccuracy, trainSeconds, iterationsPerSecond
            case peakMemoryKiB = "peakMemoryKib", energyMicrojoulesPerIteration = "energyUjPerIteration"
        }
    }

    public static let header = [
        "estimator", "hardware", "test accuracy", "sim iterations/s", "peak memory KiB",
        "energy uJ/iteration", "host training s",
    ]

    public var text: String {
        var table = TextTable(header: Self.header)
        for r in rows { table.append(r.fields) }
        var lines = [
            "ALR vs LR vs backprop, \(trainSamples) training samples x \(epochs) epoch(s), accuracy on "
                + "\(testSamples) test samples:",
            table.text,
        ]
        if let c = replayMinCosineVsFloat {
            lines.append(
                String(format: "replay on the edge datapath: min gradient cosine vs float %.6f", c)
                    + (replayBitExact.map { $0 ? ", bit-exact vs GMP" : ", not bit-exact vs GMP (finite accumulators)" }
                        ?? ""))
        }
        lines.append("precision sweep: \(sweepPoints) points, \(sweepFailed) failed")
        return lines.joined(separator: "\n")
    }
}
