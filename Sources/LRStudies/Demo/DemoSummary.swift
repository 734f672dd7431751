import Foundation
import LRReport

/// `summary.json` of a demo: one row per estimator, then the replay and the precision sweep in a few plain lines.
public struct DemoSummary: Sendable, Codable, Equatable {
    public var kind = "demo-summary"
    public var command: String
    public var hardware: String
    public var epochs: Int
    public var trainSamples: Int
    public var testSamples: Int
    public var rows: [Row]
    public var replay: Replay?
    public var sweep: Sweep?

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

    /// The replay of the ALR trace on the forward-only hardware model.
    public struct Replay: Sendable, Codable, Equatable {
        public var hardware: String
        public var steps: Int
        public var meanCosineVsFloat: Double?
        public var worstCosineVsFloat: Double?
        public var worstStep: Int?
        public var worstLayer: Int?
        public var bitExact: Bool?
        /// `ReplayReport.Summary.verdict`: whether the datapath follows the float gradient, in words.
        public var verdict: String?
    }

    /// The precision sweep: its size, how each point was trained, and the float run on the same samples.
    public struct Sweep: Sendable, Codable, Equatable {
        public var points: Int
        public var failed: Int
        public var trainSamples: Int
        public var testSamples: Int
        public var epochs: Int
        /// The same ALR training in float on the same samples (the reference the points are read against).
        public var floatAccuracy: Double
        /// Per point: its settings and its accuracy.
        public var accuracies: [Point]

        public struct Point: Sendable, Codable, Equatable {
            public var settings: String
            public var testAccuracy: Double
        }

        /// Points within `points` percentage points of the float accuracy (or above it).
        public func within(_ points: Double) -> [Point] {
            accuracies.filter { $0.testAccuracy >= floatAccuracy - points / 100 }
        }
    }

    public static let header = [
        "estimator", "hardware", "test accuracy", "sim iterations/s", "peak memory KiB",
        "energy uJ/iteration", "host training s",
    ]

    /// The replay and sweep lines, as the terminal and the report's summary show them.
    public var findings: [String] {
        var lines: [String] = []
        if let r = replay, let mean = r.meanCosineVsFloat, let worst = r.worstCosineVsFloat {
            var line = String(
                format:
                    "replay of %d traced ALR steps on the %@ datapath: gradient cosine vs float mean %.4f, worst %.4f",
                r.steps, r.hardware, mean, worst)
            if let s = r.worstStep, let l = r.worstLayer { line += " at step \(s) (layer \(l))" }
            line += r.bitExact.map { $0 ? "; bit-exact vs GMP" : "; not bit-exact vs GMP (finite accumulators)" } ?? ""
            lines.append(line + ".")
            if let v = r.verdict { lines.append("  " + v.prefix(1).uppercased() + v.dropFirst() + ".") }
        }
        if let s = sweep {
            lines.append(
                String(
                    format:
                        "precision sweep: %d points (%d failed), each trained %d epoch(s) on %d samples and tested on %d; float ALR on the same samples: %.4f.",
                    s.points, s.failed, s.epochs, s.trainSamples, s.testSamples, s.floatAccuracy))
            let close = s.within(2)
            lines.append(
                "  within 2 points of float: "
                    + (close.isEmpty
                        ? "none"
                        : close.map {
                            String(format: "%@ (%.4f)", $0.settings, $0.testAccuracy)
                        }.joined(separator: ", ")) + ".")
        }
        return lines
    }

    public var text: String {
        var table = TextTable(header: Self.header)
        for r in rows { table.append(r.fields) }
        return
            ([
                "ALR vs LR vs backprop, \(trainSamples) training samples x \(epochs) epoch(s), accuracy on \(testSamples) test samples:",
                table.text,
            ] + findings).joined(separator: "\n")
    }
}
