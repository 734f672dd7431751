import ArgumentParser
import LRIO
import LRStudies
import LRTrace

/// `lrsim trace verify FILE`: every checksum, length, ordering and cross-reference; plus the gradient recomputation
/// when this build provides it (see `traceRecomputationCheck`).
struct TraceVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every chunk of a trace; recompute the recorded gradients where possible.",
        discussion: """
            Checks the preamble, every chunk header and payload CRC32, every length against the file, the chunk order, \
            every tensor's shape against its byte count and against the header's layer table, and the index and \
            trailer \
            against what is actually in the file. Then, for every undamaged step, regenerates the noise from the \
            recorded \
            key and recomputes the trainer's float gradient, which must match the recorded one bit for bit; the \
            summary \
            says plainly when that recomputation was not run.

            Problems go to stderr, one line each, naming the chunk, step, tensor and byte offset; the last line of \
            stdout \
            is a summary. Exits 0 only if everything checked is good.

            Example:
              lrsim trace verify run.lrt
            """
    )

    @Argument(help: "The trace file.")
    var file: String

    @Flag(help: "Skip the gradient recomputation (structure and checksums only).")
    var noRecompute = false

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() throws {
        // Why the recomputation will not run, if it will not.
        var notRunReason: String?
        var verifier: (any TraceStepVerifier)?
        if noRecompute {
            notRunReason = "skipped with --no-recompute"
        } else if let header = try? TraceReader(path: file).header {
            do {
                verifier = try traceRecomputationCheck(for: header)
                if verifier == nil {
                    notRunReason = "this lrsim cannot recompute gradients of traces from '\(header.producer)'"
                }
            } catch {
                notRunReason = "cannot set up the gradient recomputation: \(error)"
            }
        } else {
            notRunReason = "the trace cannot be read (see the problems above), so no step was recomputed"
        }
        var report = TraceVerification.verify(path: file, stepVerifier: verifier)
        if let notRunReason, report.recomputation.status == "not_run" {
            report.recomputation.messages = [notRunReason]
        }
        if json {
            Console.out(try JSONReport.text(report))
        } else {
            for p in report.problems { Console.err("error: " + p) }
            for m in report.recomputation.messages where report.recomputation.status == "failed" {
                Console.err("error: " + m)
            }
            Console.out(report.summary)
        }
        if !report.ok { throw ExitCode.failure }
    }
}
