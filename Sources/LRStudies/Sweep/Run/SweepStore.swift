import Foundation
import LRIO
import LRReport

/// The on-disk layout of a sweep directory:
///
///     OUT/sweep-spec.json          what was swept (merge and resume check it)
///     OUT/points/<id>/point.json   one point's result (written atomically, last)
///     OUT/points/<id>/point.csv    the same as a one-row table
///     OUT/points/<id>/...          the evaluators' detailed outputs (sim.json, replay.json, hw.toml, train.json)
///     OUT/sweep.csv, sweep.json    the merged table
public struct SweepStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var specPath: String { path("sweep-spec.json") }
    public func pointDirectory(_ id: String) -> String { path("points/\(id)") }
    public func pointPath(_ id: String) -> String { path("points/\(id)/point.json") }

    func path(_ relative: String) -> String { (directory as NSString).appendingPathComponent(relative) }

    public func createDirectory(_ dir: String) throws {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw SweepError("\(dir): cannot create the directory (\(Self.describe(error)))")
        }
    }

    /// Reads the spec, or nil when the directory has none yet.
    public func readSpec() throws -> SweepSpec? {
        guard let data = try Self.read(specPath, missing: nil) else { return nil }
        do { return try Self.decoder.decode(SweepSpec.self, from: data) } catch {
            throw SweepError("\(specPath): not a sweep spec (\(Self.describe(error)))")
        }
    }

    public func writeSpec(_ spec: SweepSpec) throws {
        try createDirectory(directory)
        try JSONReport.write(spec, to: specPath)
    }

    /// A point's stored result, or nil when it has not finished (no point.json). Throws, naming the file, when the file
    /// is not a result of `point` in the sweep `spec` (it does not decode, or contradicts the grid:
    /// `PointResult.problem`).
    public func storedResult(_ point: SweepPoint, spec: SweepSpec) throws -> PointResult? {
        let path = pointPath(point.id)
        guard let data = try Self.read(path, missing: nil) else { return nil }
        let r: PointResult
        do { r = try Self.decoder.decode(PointResult.self, from: data) } catch {
            throw SweepError("\(path): not a point result (\(Self.describe(error)))")
        }
        if let problem = r.problem(for: point, kinds: spec.kinds) { throw SweepError("\(path): \(problem)") }
        return r
    }

    /// `storedResult`, with an invalid file taken as not finished.
    public func readResult(_ point: SweepPoint, spec: SweepSpec) -> PointResult? {
        (try? storedResult(point, spec: spec)) ?? nil
    }

    /// Writes `point.csv`, then `point.json` (the file resume looks for), each atomically.
    public func writeResult(_ result: PointResult, spec: SweepSpec) throws {
        let dir = pointDirectory(result.id)
        try createDirectory(dir)
        try SweepTable(spec: spec, results: [result]).csv.write(
            to: (dir as NSString).appendingPathComponent("point.csv"))
        try JSONReport.write(result, to: pointPath(result.id))
    }

    /// The valid results of `points` that exist in this directory, in canonical order.
    public func results(for points: [SweepPoint], spec: SweepSpec) -> [PointResult] {
        points.compactMap { readResult($0, spec: spec) }
    }

    /// The bytes of a sweep file, `missing` when it does not exist; refuses anything but a regular file (a FIFO would
    /// block the read) and files larger than any sweep writes.
    static func read(_ path: String, missing: Data?) throws -> Data? {
        do { return try InputFile.read(path, limit: maximumFileBytes) } catch {
            if error.isMissing { return missing }
            throw SweepError(error.description)
        }
    }

    /// Far above any sweep file lrsim writes; a larger one is not a sweep's.
    static let maximumFileBytes: UInt64 = 1 << 30

    /// Reads what `JSONReport` wrote.
    public static var decoder: JSONDecoder { JSONReport.decoder }

    /// One line for any error: its own description when it has one.
    public static func describe(_ error: Error) -> String {
        String(describing: error).split(separator: "\n").first.map(String.init) ?? "error"
    }
}
