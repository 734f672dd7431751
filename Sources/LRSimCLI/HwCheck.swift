import ArgumentParser
import HWModel

/// `lrsim hw check FILE...`: validate hardware models.
struct HwCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate hardware-model files.",
        discussion: """
            Prints 'FILE: ok' for each valid file, or every problem found as 'FILE:LINE: field 'a.b': expected ..., \
            got ...' \
            on stderr. Exits nonzero if any file has a problem.

            Example:
              lrsim hw check hwmodels/*.toml
              lrsim hw check hwmodels/edge.toml --set pipeline.mode=overlapped
            """
    )

    @Argument(help: "Hardware-model files (TOML).")
    var files: [String]

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a field: KEY=VALUE (repeatable; see docs/hwmodel.md).",
            valueName: "KEY=VALUE"))
    var overrides: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one hardware-model file") }
    }

    func run() throws {
        var failed = 0
        for file in files {
            do {
                _ = try HardwareModel.load(path: HardwareModel.locate(file), overrides: overrides)
                Console.out("\(file): ok")
            } catch {
                failed += 1
                // Every problem of the file, one line each (the funnel would print only the first).
                for problem in error.diagnostics { Console.err("error: " + problem.description) }
            }
        }
        if failed > 0 { throw ExitCode.failure }
    }
}
