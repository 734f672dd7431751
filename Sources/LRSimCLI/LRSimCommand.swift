import ArgumentParser

/// The root `lrsim` command: one subcommand per user task, each in its own file.
public struct LRSimCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lrsim",
        abstract:
            "Train networks forward-only with the likelihood-ratio method and simulate the accelerators that run them.",
        discussion: """
            Typical session:
              lrsim train --data fashion-mnist --model mlp:784-256-10 --estimator alr --copies 32 --sigma 0.1 \\
                          --epochs 3 --batch 128 --lr 1e-3 --seed 0 --trace run.lrt --report train.json
              lrsim sim --hw hwmodels/edge.toml --trace run.lrt --report sim.json
              lrsim replay --hw hwmodels/edge.toml --trace run.lrt
            """,
        version: LRSimVersion.string,
        subcommands: LRSimCommand.allSubcommands
    )

    public init() {}
}

public enum LRSimVersion {
    public static let string = "0.1.0"
}
