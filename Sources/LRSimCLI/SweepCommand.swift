import ArgumentParser
import LRStudies

/// `lrsim sweep`: a grid over hardware-model parameters, each point simulated, replayed and/or trained.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweep hardware-model parameters: timing, memory, energy, gradient fidelity and accuracy per point.",
        discussion: """
            Each --vary KEY=V1,V2,... is one axis of the grid (any `lrsim hw --set` key: formats.activations.bits, \
            formats.accumulators.bits, pe.rows, clock.hz, ...). Every point writes OUT/points/<id>/point.json and \
            point.csv; OUT/sweep.csv and OUT/sweep.json hold one row per point in grid order. Run it again to resume \
            (finished points are skipped); a failed point records its error and the others go on. --shard I/N runs the \
            points whose index is I mod N; `lrsim sweep merge` joins shard directories into the same table an \
            unsharded run writes. See docs/sweeps.md.

            Examples:
              lrsim sweep --hw hwmodels/edge.toml --vary pe.rows=8,16,32 --vary pe.cols=8,16,32 \\
                          --model mlp:784-256-10 --estimator alr --copies 32 --batch 32 --out sweep-pe
              lrsim sweep --vary formats.activations.bits=4,6,8,12,16 --vary formats.accumulators.bits=16,24,32 \\
                          --model mlp:784-256-10 --estimator alr --train --train-samples 6000 --epochs 1 --out \
            sweep-bits
              lrsim sweep --vary formats.accumulators.bits=16,24,32 --trace alr.lrt --out sweep-replay
              lrsim sweep ... --shard 2/4 --out shard2 ;  lrsim sweep merge shard0 shard1 shard2 shard3 --out merged
            """,
        subcommands: [SweepRun.self, SweepMergeCommand.self],
        defaultSubcommand: SweepRun.self)
}

/// `lrsim sweep merge DIR... --out DIR`.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the outputs of sweep shards into one directory and table.",
        discussion: """
            Every directory must hold the same sweep (same --hw, --vary and settings); together they must cover every \
            point. The merged sweep.csv equals the unsharded run's byte for byte.

            Example:
              lrsim sweep merge out/shard-0 out/shard-1 out/shard-2 out/shard-3 --out out/merged
            """)

    @Argument(help: "Sweep output directories (shards).") var directories: [String]
    @Option(help: "Directory for the merged points and table.") var out: String

    func run() throws {
        var outputs = OutputPaths()
        outputs.directory("out", out)
        try outputs.prepare()
        let table = try SweepMerge.merge(directories, into: out)
        let failed = table.points.filter { $0.status == .failed }.count
        Console.err(
            "merged \(table.points.count) points (\(failed) failed) from \(directories.count) directories into "
                + "\(out)/sweep.csv"
        )
    }
}
