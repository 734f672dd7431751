import ArgumentParser
import HWModel

/// `lrsim hw`: check, show and compare hardware-model files.
struct Hw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hw",
        abstract: "Check, show and compare hardware models (hwmodels/*.toml).",
        discussion: """
            A hardware model describes the accelerator: clock, mapping, per-stage arrays and SRAMs, noise generator, \
            loss \
            unit, broadcast bus, DRAM, pipeline, number formats and an energy table. Every field is documented in \
            docs/hwmodel.md; the default model is \(HardwareModel.defaultModelPath).

            Examples:
              lrsim hw check hwmodels/*.toml
              lrsim hw show hwmodels/edge-bp.toml
              lrsim hw show hwmodels/edge.toml --set pe.rows=32 --json
              lrsim hw diff hwmodels/edge.toml hwmodels/edge-bp.toml
            """,
        subcommands: [HwCheck.self, HwShow.self, HwDiff.self]
    )
}
