import ArgumentParser

extension LRSimCommand {
    /// Every subcommand, in the order `lrsim --help` lists them. Each lives in its own file.
    static var allSubcommands: [ParsableCommand.Type] {
        [
            Train.self, TrainArch.self, Eval.self, Gradcheck.self, Version.self, Hw.self, Sim.self, Gemm.self,
            TraceCommand.self, FxCommand.self, Replay.self, SweepCommand.self, ReportCommand.self, Demo.self,
        ]
    }
}

/// `lrsim version`: the producer version that traces and reports record.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the lrsim version.")
    func run() throws { Console.out(LRSimVersion.string) }
}
