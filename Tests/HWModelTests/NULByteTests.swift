import Foundation
import XCTest

@testable import HWModel

/// TOML forbids NUL bytes, and toml++ reads its input as a C string: a NUL must be refused at its line and column, not
/// end the file early (reliability report D1: a NUL-prefixed model loaded as all defaults, a mid-file NUL hid the rest).
final class NULByteTests: XCTestCase {
    static let edgeText = try! String(contentsOfFile: Repo.hwmodel("edge.toml"), encoding: .utf8)

    /// Line and column (1-based, counted in Unicode scalars) of scalar offset `offset`, computed directly.
    func position(of offset: Int, in text: String) -> (line: Int, column: Int) {
        let before = Array(text.unicodeScalars.prefix(offset))
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.count - (before.lastIndex(of: "\n").map { $0 + 1 } ?? 0) + 1
        return (line, column)
    }

    func expectNULError(_ text: String, at offset: Int, file: String, line: UInt = #line) {
        let (l, c) = position(of: offset, in: text)
        do {
            let model = try HardwareModel.parse(text: text, file: file)
            XCTFail("loaded '\(model.name)' despite a NUL byte", line: line)
        } catch {
            XCTAssertTrue(
                error.description.hasPrefix("\(file):\(l):\(c): TOML syntax error: expected text without NUL bytes"),
                error.description, line: line)
            XCTAssertFalse(error.description.contains("\n"), line: line)
        }
    }

    func testLeadingNULIsRefusedNotAnEmptyModel() {
        expectNULError("\0" + Self.edgeText, at: 0, file: "nul0.toml")
        expectNULError("\0 x = = [[[", at: 0, file: "nulg.toml")
    }

    func testMidFileNULIsRefusedAtItsLine() throws {
        let i = try XCTUnwrap(Self.edgeText.range(of: "[dram]"))
        let head = String(Self.edgeText[..<i.lowerBound])
        let text = head + "\0" + Self.edgeText[i.lowerBound...]
        expectNULError(text, at: head.unicodeScalars.count, file: "nulmid.toml")
        let dramLine = head.split(separator: "\n", omittingEmptySubsequences: false).count
        XCTAssertEqual(position(of: head.unicodeScalars.count, in: text).line, dramLine, "the [dram] line of edge.toml")
    }

    func testNULInsideAStringIsRefusedWhereItIs() throws {
        let text = Self.edgeText.replacingOccurrences(of: "name = \"edge\"", with: "name = \"ed\0ge\"")
        let offset = try XCTUnwrap(Array(text.unicodeScalars).firstIndex(of: "\0"))
        expectNULError(text, at: offset, file: "nuls.toml")
        XCTAssertEqual(position(of: offset, in: text).line, 7)
        XCTAssertEqual(position(of: offset, in: text).column, 11)
    }

    func testTrailingNULInABaseFileFailsTheFileThatUsesIt() throws {
        let scratch = try Scratch()
        let base = try scratch.write("nulend.toml", Self.edgeText + "\0")
        let top = try scratch.write("b.toml", "base = \"nulend.toml\"\n")
        let (l, c) = position(of: Self.edgeText.unicodeScalars.count, in: Self.edgeText + "\0")
        XCTAssertThrowsError(try HardwareModel.load(path: top)) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("\(base):\(l):\(c): TOML syntax error: expected text without NUL bytes"),
                "\(error)")
        }
        XCTAssertThrowsError(try HardwareModel.load(path: base))
    }
}
