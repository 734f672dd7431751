import XCTest

@testable import HWModel

final class SuggestionTests: XCTestCase {
    func testEditDistanceByHand() {
        XCTAssertEqual(Suggestion.distance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestion.distance("", "abc"), 3)
        XCTAssertEqual(Suggestion.distance("rows", "rows"), 0)
        XCTAssertEqual(Suggestion.distance("nmae", "name"), 1, "an adjacent transposition is one edit")
        XCTAssertEqual(Suggestion.distance("ROWS", "rows"), 0, "case-insensitive")
        XCTAssertEqual(Suggestion.distance("ca", "abc"), 3, "optimal string alignment, not full Damerau")
    }

    func testNearMissesOnlyWhenPlausible() {
        let keys = ["rows", "cols", "lanes", "dataflow", "kind"]
        XCTAssertEqual(Suggestion.nearest(to: "rowz", in: keys), "rows")
        XCTAssertEqual(Suggestion.nearest(to: "dataflw", in: keys), "dataflow")
        XCTAssertEqual(Suggestion.nearest(to: "lane", in: keys), "lanes")
        XCTAssertNil(Suggestion.nearest(to: "frobnicate", in: keys))
        XCTAssertNil(Suggestion.nearest(to: "x", in: []))
    }
}
