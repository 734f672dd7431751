import ArgumentParser
import LRTrace

/// `lrsim trace`: inspect and check trace files (.lrt).
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Inspect and verify trace files (.lrt) written by 'lrsim train --trace'.",
        discussion: """
            A trace records sampled training steps (weights, input batch, labels, noise key, per-copy losses, the \
            trainer's gradient and optionally backprop's) so that 'lrsim sim' and 'lrsim replay' can run the same \
            steps. \
            The format is specified in docs/trace-format.md.

            Examples:
              lrsim trace info run.lrt
              lrsim trace verify run.lrt
              lrsim trace dump run.lrt --step 100 --layer 0 --limit 8
              lrsim trace dump run.lrt --step 100 --tensor labels --json
            """,
        subcommands: [TraceInfo.self, TraceVerify.self, TraceDump.self]
    )
}
