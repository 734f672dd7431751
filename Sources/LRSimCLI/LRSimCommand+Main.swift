import ArgumentParser
import Foundation
import LRCore

/// The one error funnel: every command runs through `main()`, and every failure, whatever its module, leaves as one
/// line `error: <what, where, what was expected>` on stderr and a nonzero exit status (64 for a usage mistake, 1 for
/// anything else). Commands throw; they never print errors themselves.
extension LRSimCommand {
    public static func main() {
        main(Array(CommandLine.arguments.dropFirst()))
    }

    public static func main(_ arguments: [String]) -> Never {
        // A closed pipe is an ordinary write error (reported below), not a signal that kills the process.
        signal(SIGPIPE, SIG_IGN)
        do {
            try checkEnvironment()
            try checkHelpTopic(arguments)
            var command = try parseAsRoot(arguments)
            try command.run()
            try Console.finish()
            Foundation.exit(0)
        } catch {
            exit(withFunnelled: error)
        }
    }

    /// Prints `error: ...` for `error` (help and `--version` print their text instead) and exits.
    static func exit(withFunnelled error: Error) -> Never {
        // A setting out of range is a usage mistake, wherever it was found (EX_USAGE, like ArgumentParser's own).
        let code = error is SettingError ? ExitCode.validationFailure : exitCode(for: error)
        if code == .success {
            // --help, --version, `lrsim help`: ArgumentParser prints them.
            Self.exit(withError: error)
        }
        if !(error is ExitCode) {
            // An `ExitCode` comes from a command that has already said what went wrong (trace verify, hw check).
            Console.err("error: " + oneLine(error))
        }
        _ = try? Console.finish()
        Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
    }

    /// The message of any error as one line. A `SettingError` names its setting as the option that sets it.
    static func oneLine(_ error: Error) -> String {
        let text: String
        if let e = error as? SettingError {
            text = "--\(e.setting): \(e.problem)"
        } else {
            text = message(for: error)
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        return lines.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// `LRSIM_THREADS`, when set, must be a thread count in 1...256 (the worker pool's range), not silently ignored.
    static func checkEnvironment() throws {
        guard let text = ProcessInfo.processInfo.environment["LRSIM_THREADS"] else { return }
        guard let n = Int(text.trimmingCharacters(in: .whitespaces)), (1...Parallel.maximumThreads).contains(n) else {
            throw ValidationError(
                "LRSIM_THREADS: expected a thread count in 1...\(Parallel.maximumThreads), got '\(text)'")
        }
    }

    /// `lrsim help NAME...` names commands that exist; an unknown one is an error, not the top-level help.
    static func checkHelpTopic(_ arguments: [String]) throws {
        guard arguments.first == "help" else { return }
        var subcommands: [ParsableCommand.Type] = LRSimCommand.configuration.subcommands
        for name in arguments.dropFirst() where !name.hasPrefix("-") {
            var next: ParsableCommand.Type?
            var known: [String] = []
            for c in subcommands {
                let n = commandName(c)
                if n == name { next = c }
                if c.configuration.shouldDisplay { known.append(n) }
            }
            guard let next else {
                throw ValidationError("help: no command '\(name)'; expected one of \(known.joined(separator: ", "))")
            }
            subcommands = next.configuration.subcommands
        }
    }

    static func commandName(_ command: ParsableCommand.Type) -> String { command._commandName }
}
