import Foundation
import XCTest

@testable import HWModel

/// Damaged files give errors, never traps: deterministic random edits of a shipped model must load or fail cleanly with
/// one-line messages that name the file.
final class RobustnessTests: XCTestCase {
    /// A small deterministic generator (SplitMix64) so the damage is the same on every run.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Rounds per model: 150 by default (well under a second), more with HWMODEL_FUZZ_ROUNDS for a long local run.
    static let rounds = Int(ProcessInfo.processInfo.environment["HWMODEL_FUZZ_ROUNDS"] ?? "") ?? 150

    func testRandomEditsOfDatacenterNeverTrap() throws { try fuzz("datacenter.toml", seed: 42) }
    func testRandomEditsOfEdgeNeverTrap() throws { try fuzz("edge.toml", seed: 7) }

    func fuzz(_ model: String, seed: UInt64) throws {
        let original = Array(try String(contentsOfFile: Repo.hwmodel(model), encoding: .utf8).utf8)
        let alphabet = Array("=[]{}\"'.,#\n 0123456789-_abcxyzKiB".utf8)
        var rng = SplitMix(state: seed)
        var failures = 0, successes = 0
        for round in 0..<Self.rounds {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = alphabet.randomElement(using: &rng) ?? 0x20
                case 1: bytes.remove(at: i)
                default: bytes.insert(alphabet.randomElement(using: &rng) ?? 0x20, at: i)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if let dump = ProcessInfo.processInfo.environment["HWMODEL_FUZZ_DUMP"] {  // the input of a crash, for debugging
                try? text.write(toFile: dump, atomically: false, encoding: .utf8)
            }
            do {
                _ = try HardwareModel.parse(text: text, file: "fuzz-\(round).toml")
                successes += 1
            } catch {
                failures += 1
                XCTAssertTrue(error.description.hasPrefix("fuzz-\(round).toml"), error.description)
                XCTAssertFalse(error.description.contains("\n"), error.description)
            }
        }
        XCTAssertGreaterThan(failures, Self.rounds / 3, "most random edits break something")
        XCTAssertGreaterThan(successes, 0, "some edits (in comments, in descriptions) are harmless")
    }

    /// Inputs that abort inside toml++ without the preflight: each must give a syntax error with line and column.
    func testInputsThatTripTomlPlusPlusAssertionsGiveSyntaxErrors() {
        let cases: [(String, String)] = [
            (
                "[=us]\n",
                "t.toml:1:2: TOML syntax error: Error while parsing table header: expected bare key starting character or string delimiter, saw '='"
            ),
            (
                "name = \"x\"\n[\n",
                "t.toml:2:2: TOML syntax error: Error while parsing table header: expected bare key starting character or string delimiter, saw '\\n'"
            ),
            (
                "[[[a]]]\n",
                "t.toml:1:3: TOML syntax error: Error while parsing table header: expected bare key starting character or string delimiter, saw '['"
            ),
            (
                "  [ #]\n",
                "t.toml:1:5: TOML syntax error: Error while parsing table header: expected bare key starting character or string delimiter, saw '#'"
            ),
            (
                "x = [1,}]\n",
                "t.toml:1:8: TOML syntax error: Error while parsing array: expected a value, comma or closing ']', saw '}'"
            ),
            (
                "x = [\n  { a = 1 },\n}]\n",
                "t.toml:3:1: TOML syntax error: Error while parsing array: expected a value, comma or closing ']', saw '}'"
            ),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try HardwareModel.parse(text: text, file: "t.toml"), text) { error in
                XCTAssertEqual("\(error)", expected, text)
            }
        }
    }

    /// The preflight leaves valid TOML alone: brackets inside strings, nested arrays, inline tables in arrays.
    func testPreflightAcceptsValidTOML() {
        let valid = [
            "x = [\n  [+1, -2],\n  [3],\n]\n",
            "s = \"[=}\"\nt = '[#]'\nu = \"\"\"\n[=\n}\n\"\"\"\n",
            "a = [{ b = [1, 2] }, { c = { d = 1 } }]\n[ \"quoted key\" ]\n[[ arr ]]\n",
            "[a] # [=\nb = 1 # }\n",
        ]
        for text in valid { XCTAssertNil(TOMLPreflight.check(text), text) }
    }
}
