import Foundation
import LRTestSupport
import XCTest

@testable import LRIO

/// Temporaries left by killed runs (reliability report D17) are removed when the same destination is written again,
/// and only those: a live writer's temporary, other destinations' and unrelated files stay.
final class TemporaryFilesTests: XCTestCase {
    var dir: TemporaryDirectory!
    override func setUpWithError() throws { dir = try TemporaryDirectory(prefix: "lrfiles-temporaries") }
    override func tearDown() { dir.cleanup() }

    /// Above Linux's largest pid_max (2^22), so never a live process.
    static let deadPID: Int32 = 2_000_000_000

    /// The PID of a process that has exited: a shell that creates its own temporary of `name` in `dir` (as a run
    /// killed mid-write leaves it) and exits.
    func exitedShellLeavingTemporary(of name: String) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "echo x > \"$1/.$2.tmp-$$-0\"", "sh", dir.url.path, name]
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return p.processIdentifier
    }

    func touch(_ name: String) throws { try Data("x".utf8).write(to: dir.url.appendingPathComponent(name)) }
    func files() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() }

    func testNamesRoundTripAndOthersAreNotTemporaries() {
        XCTAssertEqual(TemporaryFiles.name(of: "/a/b/run.lrt", pid: 42, index: 3), "/a/b/.run.lrt.tmp-42-3")
        XCTAssertEqual(TemporaryFiles.name(of: "run.lrt", pid: 42, index: 0), ".run.lrt.tmp-42-0")
        XCTAssertEqual(TemporaryFiles.pid(inTemporary: ".run.lrt.tmp-42-3", of: "run.lrt"), 42)
        XCTAssertEqual(TemporaryFiles.pid(inTemporary: ".run.lrt.tmp-42-3868112233", of: "run.lrt"), 42)
        for other in [
            ".run.lrt.tmp-42", ".run.lrt.tmp-42-3-1", ".run.lrt.tmp-x-3", ".run.lrt.tmp--3", ".run.lrt.tmp-0-3",
            ".run.lrt.tmp-42-", "run.lrt.tmp-42-3", ".run.lrt2.tmp-42-3", ".xrun.lrt.tmp-42-3", ".run.lrt.tmp-٤٢-3",
        ] {
            XCTAssertNil(TemporaryFiles.pid(inTemporary: other, of: "run.lrt"), other)
        }
        XCTAssertNil(
            TemporaryFiles.pid(inTemporary: ".run.lrt.tmp-1.tmp-42-3", of: "run.lrt"),
            "a temporary of another destination whose name starts like this one")
    }

    func testOnlyDeadWritersTemporariesOfThisDestinationAreRemoved() throws {
        let exited = try exitedShellLeavingTemporary(of: "run.lrt")
        XCTAssertFalse(TemporaryFiles.isAlive(exited))
        XCTAssertTrue(TemporaryFiles.isAlive(getpid()))
        XCTAssertTrue(TemporaryFiles.isAlive(1))
        try touch(".run.lrt.tmp-\(Self.deadPID)-0")
        try touch(".run.lrt.tmp-\(Self.deadPID)-17")
        try touch(".run.lrt.tmp-1-0")  // PID 1 is alive: someone may be writing
        try touch(".run.lrt.tmp-\(getpid())-0")  // this process's own writer
        try touch(".other.lrt.tmp-\(Self.deadPID)-0")  // another destination
        try touch(".run.lrt.tmp-\(Self.deadPID)-x")  // not a temporary name
        try touch("run.lrt")
        try FileManager.default.createDirectory(
            atPath: dir.path(".run.lrt.tmp-\(Self.deadPID)-5"),
            withIntermediateDirectories: false)  // not a regular file
        let removed = TemporaryFiles.removeStale(of: dir.path("run.lrt")).sorted()
        XCTAssertEqual(
            removed,
            [
                dir.path(".run.lrt.tmp-\(Self.deadPID)-0"), dir.path(".run.lrt.tmp-\(Self.deadPID)-17"),
                dir.path(".run.lrt.tmp-\(exited)-0"),
            ].sorted())
        XCTAssertEqual(
            try files(),
            [
                ".other.lrt.tmp-\(Self.deadPID)-0", ".run.lrt.tmp-1-0", ".run.lrt.tmp-\(Self.deadPID)-5",
                ".run.lrt.tmp-\(Self.deadPID)-x", ".run.lrt.tmp-\(getpid())-0", "run.lrt",
            ].sorted())
    }

    func testWritingTheDestinationAgainRemovesAKilledRunsTemporary() throws {
        let exited = try exitedShellLeavingTemporary(of: "report.json")
        try touch(".report.json.tmp-1-0")
        try OutputFile.write(Data("{}\n".utf8), to: dir.path("report.json"))
        XCTAssertEqual(try files(), [".report.json.tmp-1-0", "report.json"], "the exited PID \(exited)'s file is gone")
    }
}
