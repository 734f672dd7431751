import ArgumentParser
import LRIO
import LRTrace

/// `lrsim trace info FILE`: header, steps and sizes.
struct TraceInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a trace's header, recorded steps and sizes.",
        discussion: """
            Reads the preamble, header, index and trailer, then the first step to list its tensors (name, dtype, \
            shape, \
            bytes raw and as stored). The file's producer may be another lrsim version: it is shown, not refused. \
            Use 'lrsim trace verify' to check every chunk.

            Example:
              lrsim trace info run.lrt --json > info.json
            """
    )

    @Argument(help: "The trace file.")
    var file: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let info = try TraceInfoReport(reader: TraceReader(path: file))
        Console.out(json ? try JSONReport.text(info) : info.text(currentProducer: "lrsim \(LRSimVersion.string)"))
    }
}
