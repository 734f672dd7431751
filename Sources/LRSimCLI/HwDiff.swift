import ArgumentParser
import HWModel

/// `lrsim hw diff A B`: the resolved fields that differ between two models.
struct HwDiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "List the resolved fields that differ between two hardware models.",
        discussion: """
            Compares fully resolved models (bases, overrides and defaults applied), one line per field: \
            'FIELD: A-VALUE -> B-VALUE'. Exits 0 whether or not they differ; use it to see what a variant changes, \
            e.g. \
            that a backprop configuration keeps the silicon of its forward-only twin.

            Example:
              lrsim hw diff hwmodels/edge.toml hwmodels/edge-bp.toml
              lrsim hw diff hwmodels/edge.toml hwmodels/edge.toml --set-b pe.rows=32
            """
    )

    @Argument(help: "The first hardware model (A).") var a: String
    @Argument(help: "The second hardware model (B).") var b: String

    @Option(
        name: .customLong("set-a"), help: ArgumentHelp("Override a field of A (repeatable).", valueName: "KEY=VALUE"))
    var overridesA: [String] = []
    @Option(
        name: .customLong("set-b"), help: ArgumentHelp("Override a field of B (repeatable).", valueName: "KEY=VALUE"))
    var overridesB: [String] = []

    func run() throws {
        let first = try HardwareModel.load(path: HardwareModel.locate(a), overrides: overridesA)
        let second = try HardwareModel.load(path: HardwareModel.locate(b), overrides: overridesB)
        let differences = first.differences(to: second)
        if differences.isEmpty { Console.out("no differences") }
        for d in differences { Console.out(d.description) }
    }
}
