import ArgumentParser
import HWModel

/// `lrsim hw show FILE`: the fully resolved model.
struct HwShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a hardware model fully resolved (base files, overrides and defaults applied).",
        discussion: """
            The TOML output loads back to the same model; values that took their built-in default end in '# default', \
            values a [stages.NAME] table inherits from [stage] in '# from [stage]'. --json prints the model, the list \
            of \
            defaulted fields, the files read and the overrides.

            Example:
              lrsim hw show hwmodels/edge-bp.toml
              lrsim hw show hwmodels/edge.toml --set formats.all.rounding=TRN --json
            """
    )

    @Argument(help: "Hardware-model file (TOML).")
    var file: String

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a field: KEY=VALUE (repeatable; see docs/hwmodel.md).",
            valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Flag(help: "Print JSON instead of TOML.")
    var json = false

    func run() throws {
        let model = try HardwareModel.load(path: HardwareModel.locate(file), overrides: overrides)
        Console.out(json ? model.resolvedJSON() : model.resolvedTOML(), terminator: "")
    }
}
