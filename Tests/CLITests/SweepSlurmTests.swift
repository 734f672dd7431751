import Foundation
import LRTestSupport
import XCTest

/// scripts/slurm/integration-test.sh: a single-node Slurm runs a 4-task array of a sweep; merged == unsharded.
/// Skips (with the script's reason) where Slurm cannot start: not root, no apt-get, daemons that do not come up.
/// LRSIM_SKIP_SLURM=1 skips it explicitly.
final class SweepSlurmTests: XCTestCase {
    func testFourTaskArrayMergesToTheUnshardedTable() throws {
        if ProcessInfo.processInfo.environment["LRSIM_SKIP_SLURM"] == "1" { throw XCTSkip("LRSIM_SKIP_SLURM=1") }
        guard let exe = LRSimProcess.executable else {
            throw XCTSkip("the lrsim executable is not built next to the tests")
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent("scripts/slurm/integration-test.sh").path, exe.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus == 77 {
            let reason = text.split(separator: "\n").first { $0.hasPrefix("SKIP:") } ?? "Slurm cannot start here"
            throw XCTSkip(String(reason))
        }
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("PASS:"), text)
    }
}
