import XCTest

@testable import HWModel

/// The scanner that finds each key's line (TOMLKit gives positions only for syntax errors).
final class KeyLineIndexTests: XCTestCase {
    func testTablesDottedKeysInlineTablesAndArraysOfTables() {
        let text = """
            name = "x"                      # 1
            [stage.array]                   # 2
            rows = 8                        # 3
            "cols" = 4                      # 4
            [stage]                         # 5
            buffers.weights.word_bits = 64  # 6
            [mapping]                       # 7
            assign = [                      # 8
              { stage = "a", layers = [0] },  # 9
              # a comment with ] and {        10
              { stage = "b",                # 11 (inline tables are one line in TOML 1.0, so this is the element line)
                layers = [1] },             # 12
            ]
            [[energy]]                      # 14
            component = "pe"                # 15
            [[energy]]                      # 16
            component = "sram"              # 17
            [energy.sub]                    # 18
            k = 1                           # 19
            """
        // Line 11-12 is not valid TOML 1.0 (newline inside an inline table); drop it for the real index.
        let valid = text.replacingOccurrences(
            of:
                "{ stage = \"b\",                # 11 (inline tables are one line in TOML 1.0, so this is the element line)\n    layers = [1] },             # 12",
            with: "{ stage = \"b\", layers = [1] }, # 11\n  # 12")
        let index = KeyLineIndex(text: valid)
        XCTAssertEqual(index.line(of: "name"), 1)
        XCTAssertEqual(index.line(of: "stage.array"), 2)
        XCTAssertEqual(index.line(of: "stage.array.rows"), 3)
        XCTAssertEqual(index.line(of: "stage.array.cols"), 4)
        XCTAssertEqual(index.line(of: "stage.buffers.weights.word_bits"), 6)
        XCTAssertEqual(index.line(of: "mapping.assign"), 8)
        XCTAssertEqual(index.line(of: "mapping.assign[0]"), 9)
        XCTAssertEqual(index.line(of: "mapping.assign[0].layers"), 9)
        XCTAssertEqual(index.line(of: "mapping.assign[1].stage"), 11)
        XCTAssertEqual(index.line(of: "energy[0].component"), 15)
        XCTAssertEqual(index.line(of: "energy[1]"), 16)
        XCTAssertEqual(index.line(of: "energy[1].component"), 17)
        XCTAssertEqual(index.line(of: "energy[1].sub.k"), 19)
        XCTAssertEqual(
            index.line(of: "stage.array.unknown.deeper"), 2, "unknown paths fall back to the nearest ancestor")
        XCTAssertEqual(index.line(of: "nothing"), 0)
    }

    func testMultilineStringsDoNotConfuseTheScanner() {
        let text = #"""
            description = """
            [not.a.table]
            key = "not a key"
            """
            literal = '''
            [also.not]'''
            [real]
            key = 'a ] { " string'
            after = 1
            """#
        let index = KeyLineIndex(text: text)
        XCTAssertEqual(index.line(of: "description"), 1)
        XCTAssertEqual(index.line(of: "literal"), 5)
        XCTAssertEqual(index.line(of: "real.key"), 8)
        XCTAssertEqual(index.line(of: "real.after"), 9)
        XCTAssertEqual(index.line(of: "not.a.table"), 0)
    }

    /// The index agrees with the lines problems are reported on in a real load.
    func testWrongValueInArrayOfTablesReportsItsLine() {
        let text = """
            [[energy]]
            component = "pe"
            action = "mac"
            energy_pj = 1.0

            [[energy]]
            component = "dram"
            action = "read"
            energy_pj = "lots"
            """
        XCTAssertThrowsError(try HardwareModel.parse(text: text, file: "m.toml")) { error in
            XCTAssertEqual(
                "\(error)",
                "m.toml:9: field 'energy[1].energy_pj': expected a number >= 0.0 and <= 1000000000.0, got string \"lots\""
            )
        }
    }
}

/// On every shipped model, each key's recorded line really holds that key (or, for array elements, the element).
final class KeyLineIndexOnShippedModelsTests: XCTestCase {
    func testEveryKeyOfEveryShippedModelPointsAtItsLine() throws {
        for path in Repo.shippedModels {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let root = try DocumentLoader.parse(text: text, file: path)
            var checked = 0
            func visit(_ table: Table) {
                for (key, node) in table.entries {
                    guard case .file(_, let line) = node.origin else {
                        XCTFail("\(path): \(key) has no file origin"); continue
                    }
                    XCTAssertTrue((1...lines.count).contains(line), "\(path): '\(key)' at line \(line)")
                    if (1...lines.count).contains(line) {
                        XCTAssertTrue(
                            lines[line - 1].contains(key),
                            "\(path):\(line): expected '\(key)' on \"\(lines[line - 1])\"")
                        checked += 1
                    }
                    switch node.value {
                    case .table(let t): visit(t)
                    case .array(let items):
                        for item in items { if case .table(let t) = item.value { visit(t) } }
                    default: break
                    }
                }
            }
            visit(root)
            XCTAssertGreaterThan(checked, 5, path)
        }
    }
}
