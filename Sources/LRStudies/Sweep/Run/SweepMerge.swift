import Foundation

/// `lrsim sweep merge`: joins the point results of several sweep directories (shards) of one sweep into one
/// directory and writes its table — the same bytes the unsharded run writes.
public enum SweepMerge {
    /// Merges `inputs` into `output`. Every input must hold the same spec; every grid point must be present in one
    /// of them (a missing point is an error naming it and the first shard that should have run it).
    @discardableResult
    public static func merge(_ inputs: [String], into output: String) throws -> SweepTable {
        guard !inputs.isEmpty else { throw SweepError("sweep merge: give at least one sweep directory") }
        var spec: SweepSpec?
        for dir in inputs {
            guard let s = try SweepStore(directory: dir).readSpec() else {
                throw SweepError("\(dir)/sweep-spec.json: missing (not a sweep output directory)")
            }
            if let first = spec, first != s {
                throw SweepError(
                    "\(dir)/sweep-spec.json: a different sweep than \(inputs[0]) (another hardware model, other axes or settings)"
                )
            }
            spec = s
        }
        guard let spec else { throw SweepError("sweep merge: no spec") }
        let grid = try SweepGrid(axes: spec.axes)
        let out = SweepStore(directory: output)
        if let existing = try out.readSpec(), existing != spec {
            throw SweepError("\(out.specPath): the output directory holds a different sweep")
        }
        try out.writeSpec(spec)
        var results: [PointResult] = []
        for point in grid.points {
            // Prefer a successful result when several directories hold the point. A point.json that contradicts the
            // grid is refused: merge cannot evaluate the point again (resume can, and does).
            var found: [(directory: String, result: PointResult)] = []
            for dir in inputs {
                if let r = try SweepStore(directory: dir).storedResult(point, spec: spec) { found.append((dir, r)) }
            }
            guard let (src, r) = found.first(where: { $0.result.status == .ok }) ?? found.first else {
                throw SweepError(
                    "sweep merge: point \(point.index) (\(point.id)) is in none of the directories; run its shard")
            }
            if (src as NSString).standardizingPath != (output as NSString).standardizingPath {
                try copyPoint(
                    from: SweepStore(directory: src).pointDirectory(point.id), to: out.pointDirectory(point.id))
            }
            results.append(r)
        }
        let table = SweepTable(spec: spec, results: results)
        try table.write(to: output)
        return table
    }

    /// Copies a point's folder (replacing an older copy), point.json last so a half copy is never taken as done.
    static func copyPoint(from src: String, to dst: String) throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: dst)
        do {
            try fm.createDirectory(atPath: dst, withIntermediateDirectories: true)
            let all = try fm.contentsOfDirectory(atPath: src).sorted()
            let names = all.filter { $0 != "point.json" } + all.filter { $0 == "point.json" }
            for name in names {
                try fm.copyItem(
                    atPath: (src as NSString).appendingPathComponent(name),
                    toPath: (dst as NSString).appendingPathComponent(name))
            }
        } catch {
            throw SweepError("\(dst): cannot copy the point from \(src) (\(SweepStore.describe(error)))")
        }
    }
}
