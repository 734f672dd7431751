import Foundation
import XCTest

@testable import HWModel

/// Every file in Malformed/ starts with `# expect: MESSAGE`: loading it must fail with exactly that one-line message
/// (`FILE` stands for the file's path, `DIR` for the corpus directory).
final class MalformedCorpusTests: XCTestCase {
    static var corpus: URL {
        get throws { try XCTUnwrap(Bundle.module.url(forResource: "Malformed", withExtension: nil)) }
    }

    static func cases() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: corpus, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "toml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testCorpusHasAtLeastThirtyCases() throws {
        XCTAssertGreaterThanOrEqual(try Self.cases().count, 30)
    }

    func testEveryMalformedModelFailsWithItsExpectedMessage() throws {
        let dir = try Self.corpus.path
        for file in try Self.cases() {
            let text = try String(contentsOf: file, encoding: .utf8)
            let firstLine = text.prefix { $0 != "\n" }
            guard firstLine.hasPrefix("# expect: ") else {
                XCTFail("\(file.lastPathComponent): first line must be '# expect: MESSAGE'")
                continue
            }
            let expected = String(firstLine.dropFirst("# expect: ".count))
                .replacingOccurrences(of: "FILE", with: file.path)
                .replacingOccurrences(of: "DIR", with: dir)
            do {
                let model = try HardwareModel.load(path: file.path)
                XCTFail("\(file.lastPathComponent): loaded (\(model.name)) but should have failed with: \(expected)")
            } catch {
                XCTAssertEqual(error.description, expected, file.lastPathComponent)
                XCTAssertFalse(error.description.contains("\n"), "\(file.lastPathComponent): message must be one line")
            }
        }
    }
}
