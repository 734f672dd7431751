/// Cells `(i, j)` of an `h x w` rectangle with `i + j < d`: the elements a skewed (diagonal) stream has delivered
/// before its diagonal `d`. Closed form, O(1).
@inline(__always) func cellsBeforeDiagonal(_ h: Int, _ w: Int, _ d: Int) -> Int {
    if d <= 0 || h <= 0 || w <= 0 { return 0 }
    if d >= h &+ w &- 1 { return h &* w }
    let a = min(h, d)  // rows that reach diagonal d
    let full = max(0, min(a, d &- w &+ 1))  // rows i <= d - w contribute all w cells
    // rows full ..< a contribute d - i cells each
    let n = a &- full
    return full &* w &+ n &* d &- (full &+ a &- 1) &* n / 2
}

/// An operand's prefetch matrix as SCALE-Sim builds it: `blocks` blocks of `blockRows x width` stacked vertically (one
/// per fold of the operand's spatial dimension); the last block has only `lastWidth` valid columns (the rest are its
/// null padding). Valid elements are numbered ("ranked") in prefetch order, skipping the padding; an element's set is
/// `rank / setWords`.
public struct StackedBlocks: Sendable, Hashable {
    public let blocks: Int
    public let blockRows: Int
    public let width: Int
    public let lastWidth: Int
    /// Whether the prefetch order is SCALE-Sim's anti-diagonal roll (`create_*_prefetch_mat` with the ISSUE #15 fix:
    /// diagonal by diagonal, bottom row first) or plain row-major.
    public let diagonal: Bool

    public init(blocks: Int, blockRows: Int, width: Int, lastWidth: Int, diagonal: Bool) {
        self.blocks = blocks; self.blockRows = blockRows; self.width = width; self.lastWidth = lastWidth
        self.diagonal = diagonal
    }

    /// `extent` split into folds of `fold`: one block per fold.
    init(extent: Int, fold: Int, blockRows: Int, diagonal: Bool) {
        let b = ceilDiv(extent, fold)
        self.init(
            blocks: b, blockRows: blockRows, width: fold, lastWidth: extent &- (b &- 1) &* fold,
            diagonal: diagonal)
    }

    @inline(__always) public func width(ofBlock b: Int) -> Int { b == blocks &- 1 ? lastWidth : width }
    public var validElements: Int { (blocks &- 1) &* blockRows &* width &+ blockRows &* lastWidth }

    /// Rank of the element in row `row` (of the whole stack) and column `col`.
    @inline(__always) public func rank(row: Int, col: Int) -> Int {
        diagonal ? diagonalRank(row: row, col: col) : rowMajorRank(row: row, col: col)
    }

    @inline(__always) func rowMajorRank(row: Int, col: Int) -> Int {
        let b = row / blockRows
        return b &* blockRows &* width &+ (row &- b &* blockRows) &* width(ofBlock: b) &+ col
    }

    /// Anti-diagonal order over the `(blocks*blockRows) x width` stack: all valid cells on earlier diagonals, then the
    /// valid cells of this diagonal in earlier columns (on a diagonal SCALE-Sim goes from the bottom row up, i.e.
    /// column ascending).
    @inline(__always) func diagonalRank(row: Int, col: Int) -> Int {
        let rows = blocks &* blockRows
        let padTop = rows &- blockRows, padLeft = lastWidth, padWidth = width &- lastWidth
        let d = row &+ col
        var r = cellsBeforeDiagonal(rows, width, d)
        if padWidth > 0 { r &-= cellsBeforeDiagonal(blockRows, padWidth, d &- padTop &- padLeft) }
        // On diagonal d, columns j < col with a row d - j inside the stack, minus those in the padding.
        let jLow = max(0, d &- rows &+ 1)
        r &+= max(0, min(col, d &+ 1) &- jLow)
        if padWidth > 0 {
            r &-= max(0, min(col, d &- padTop &+ 1) &- max(padLeft, jLow))
        }
        return r
    }
}
