import Foundation
import LRIO
import LRReport

/// The merged table of a sweep: one row per point in canonical grid order, as CSV and JSON. Built only from the
/// points' results and the spec, so the table of merged shards equals the table of one unsharded run byte for byte.
public struct SweepTable: Sendable, Codable, Equatable {
    public var kind = "sweep"
    public var spec: SweepSpec
    public var points: [Row]

    public struct Row: Sendable, Codable, Equatable {
        public var index: Int
        public var id: String
        public var status: PointResult.Status
        /// The value of every varied key at this point.
        public var values: [String: String]
        public var metrics: [String: Double]
        public var error: String?
    }

    public init(spec: SweepSpec, results: [PointResult]) {
        self.spec = spec
        self.points = results.sorted { $0.index < $1.index }.map { r in
            var values: [String: String] = [:]
            for o in r.overrides {
                if let eq = o.firstIndex(of: "=") { values[String(o[..<eq])] = String(o[o.index(after: eq)...]) }
            }
            return Row(index: r.index, id: r.id, status: r.status, values: values, metrics: r.metrics, error: r.error)
        }
    }

    /// Every metric name any point reports, sorted.
    public var metricNames: [String] { Array(Set(points.flatMap(\.metrics.keys))).sorted() }

    /// Columns: index, id, status, the varied keys (axis order), the metrics (sorted), error.
    public var csv: CSVTable {
        let metrics = metricNames
        var table = CSVTable(header: ["index", "id", "status"] + spec.axes.map(\.key) + metrics + ["error"])
        for r in points {
            table.append(
                [String(r.index), r.id, r.status.rawValue] + spec.axes.map { r.values[$0.key] ?? "" }
                    + metrics.map { r.metrics[$0].map(Self.number) ?? "" } + [r.error ?? ""])
        }
        return table
    }

    /// Shortest text that reads back as the same Double (Swift's description), the same on every machine.
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// Writes `sweep.csv` and `sweep.json` into `directory` (atomically).
    public func write(to directory: String) throws {
        try csv.write(to: (directory as NSString).appendingPathComponent("sweep.csv"))
        try JSONReport.write(self, to: (directory as NSString).appendingPathComponent("sweep.json"))
    }

    /// Reads `DIR/sweep.json`.
    public static func read(from directory: String) throws -> SweepTable {
        let path = (directory as NSString).appendingPathComponent("sweep.json")
        guard let data = try SweepStore.read(path, missing: nil) else {
            throw SweepError("\(path): cannot read (run `lrsim sweep ... --out \(directory)` first)")
        }
        do { return try SweepStore.decoder.decode(SweepTable.self, from: data) } catch {
            throw SweepError("\(path): not a sweep table (\(SweepStore.describe(error)))")
        }
    }
}
