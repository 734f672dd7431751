import ArgumentParser
import LRIO
import LRTrace

/// `lrsim trace dump FILE --step S`: one step's scalars and tensors.
struct TraceDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print one recorded step: scalars, and each tensor's statistics and first values.",
        discussion: """
            Seeks to the step through the index (no scan of the file) and checks the CRC of every chunk it reads. \
            Tensor names follow the trainer's convention (docs/trace-format.md): input, labels, clean_losses, \
            layer{l}.weight, layer{l}.bias, layer{l}.grad.*, layer{l}.bp.*, layer{l}.losses.

            Examples:
              lrsim trace dump run.lrt                          (the first recorded step, all tensors)
              lrsim trace dump run.lrt --step 100 --layer 0 --limit 8
              lrsim trace dump run.lrt --step 100 --tensor layer0.grad.weight --all --json
            """
    )

    @Argument(help: "The trace file.")
    var file: String

    @Option(help: "The training step to print (default: the first recorded step).")
    var step: UInt64?

    @Option(help: "Only the tensors of layer L (names starting with 'layer{L}.').")
    var layer: Int?

    @Option(help: "Only this tensor (repeatable).")
    var tensor: [String] = []

    @Option(help: "Values printed per tensor.")
    var limit = 16

    @Flag(help: "Print every value (overrides --limit).")
    var all = false

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        if layer != nil && !tensor.isEmpty { throw ValidationError("give either --layer or --tensor, not both") }
        if let layer, layer < 0 { throw ValidationError("--layer must be >= 0, got \(layer)") }
        if limit < 0 { throw ValidationError("--limit must be >= 0, got \(limit)") }
    }

    func run() throws {
        let report = try { () throws -> TraceDumpReport in
            let reader = try TraceReader(path: file)
            guard let chosen = step ?? reader.steps.first?.step else {
                throw TraceError(
                    file: file, location: .file, category: .notFound, problem: "the trace has no recorded steps")
            }
            let names = try reader.tensorNames(step: chosen)
            let select: (String) -> Bool
            if let layer {
                let prefix = "layer\(layer)."
                guard names.contains(where: { $0.hasPrefix(prefix) }) else {
                    throw TraceError(
                        file: file, location: .file, category: .notFound,
                        problem:
                            "step \(chosen) has no tensors of layer \(layer); it has: \(names.joined(separator: ", "))")
                }
                select = { $0.hasPrefix(prefix) }
            } else if !tensor.isEmpty {
                if let missing = tensor.first(where: { !names.contains($0) }) {
                    throw TraceError(
                        file: file, location: .file, category: .notFound,
                        problem:
                            "step \(chosen) has no tensor named '\(missing)'; it has: \(names.joined(separator: ", "))")
                }
                let wanted = Set(tensor)
                select = { wanted.contains($0) }
            } else {
                select = { _ in true }
            }
            let s = try reader.readStep(step: chosen, where: select)
            return TraceDumpReport(file: file, step: s, select: select, limit: all ? nil : limit)
        }()
        Console.out(json ? try JSONReport.text(report) : report.text())
    }
}
