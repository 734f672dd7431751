import HWModel

/// The OFMAP words the array writes per demand line, in SCALE-Sim v3's demand matrices: per fold a skewed block of
/// `rows x cols` valid outputs whose cell `(i, j)` is written on fold line `lineBase + i + j`. Counts are closed forms
/// (O(1) per query), so the drain model never walks lines one by one.
public struct OutputDemand: Sendable, Hashable {
    public let dataflow: Dataflow
    public let arrayRows: Int, arrayCols: Int
    public let gemm: GemmShape
    public let rowFolds: Int, colFolds: Int
    public let foldLines: Int
    public let lines: Int
    public private(set) var totalWords = 0

    public init(gemm: GemmShape, array: SystolicArray, foldLines: Int, rowFolds: Int, colFolds: Int) {
        dataflow = array.dataflow; arrayRows = array.rows; arrayCols = array.cols; self.gemm = gemm
        self.rowFolds = rowFolds; self.colFolds = colFolds; self.foldLines = foldLines
        lines = rowFolds &* colFolds &* foldLines
        totalWords = before(line: lines)
    }

    /// The fold's block of outputs: rows, columns, first line, and the words written by earlier folds.
    /// - ws: every row fold rewrites the partial sums of its column block: `M x cols`, from line `2R - 1`.
    /// - is: the same with `N x cols` (cols over M).
    /// - os: the `rows x cols` output tile, flipped (valid rows last), from line `K - 1 + (R - rows)`.
    @inline(__always) func block(fold f: Int) -> (rows: Int, cols: Int, base: Int, before: Int) {
        let fc = f / rowFolds, fr = f &- fc &* rowFolds
        let r = arrayRows, c = arrayCols
        switch dataflow {
        case .ws:
            let cv = min(c, gemm.n &- fc &* c)
            return (gemm.m, cv, 2 &* r &- 1, fc &* rowFolds &* gemm.m &* c &+ fr &* gemm.m &* cv)
        case .is:
            let cv = min(c, gemm.m &- fc &* c)
            return (gemm.n, cv, 2 &* r &- 1, fc &* rowFolds &* gemm.n &* c &+ fr &* gemm.n &* cv)
        case .os:
            let cv = min(c, gemm.n &- fc &* c), rv = min(r, gemm.m &- fr &* r)
            return (rv, cv, gemm.k &- 1 &+ r &- rv, fc &* c &* gemm.m &+ cv &* fr &* r)
        }
    }

    /// Words written on lines `0 ..< line`.
    @inline(__always) public func before(line: Int) -> Int {
        if line <= 0 { return 0 }
        if line >= lines {
            let b = block(fold: rowFolds &* colFolds &- 1)
            return b.before &+ b.rows &* b.cols
        }
        let f = line / foldLines
        let b = block(fold: f)
        return b.before &+ cellsBeforeDiagonal(b.rows, b.cols, line &- f &* foldLines &- b.base)
    }

    @inline(__always) public func words(onLine line: Int) -> Int { before(line: line &+ 1) &- before(line: line) }

    /// The line that writes word number `index` (0-based) of the whole GEMM, or `lines` if there is none.
    public func line(ofWord index: Int) -> Int {
        if index >= totalWords { return lines }
        var lo = 0, hi = lines &- 1  // smallest line with before(line + 1) > index
        while lo < hi {
            let mid = (lo &+ hi) / 2
            if before(line: mid &+ 1) > index { hi = mid } else { lo = mid &+ 1 }
        }
        return lo
    }
}
