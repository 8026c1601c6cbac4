import Design
import Estimation
import Linalg

/// What the checks before a binary-model fit need from the design, gathered
/// in one parallel pass over row blocks:
/// - column means and the centred Gram (collinearity);
/// - for every column, whether it is 0/1, its plain sum `sum_i x_ij` and its
///   cross-product with the outcome `sum_i x_ij y_i` (`dgemv` per block), from
///   which the outcome's split by an indicator's value follows (perfect
///   prediction) and, for a logit, the whole first IRLS pass at a constant
///   linear predictor (``IRLSPass/atConstant(_:eta:survey:columns:y:)``).
///
/// For a 0/1 column and a 0/1 outcome the sums are sums of integers below
/// 2^53, so they are exact whatever the order of the additions: the counts of
/// the perfect-prediction check are exact.
struct DesignSurvey: Sendable {
    let rows: Int
    let means: [Double]
    let centeredGram: Matrix
    /// Per column: every value is 0 or 1 (checked only for columns other than the intercept).
    let binary: [Bool]
    /// `sum_i x_ij`.
    let columnSums: [Double]
    /// `sum_i x_ij y_i`.
    let outcomeCrossProducts: [Double]
    /// `sum_i y_i`.
    let outcomeSum: Double

    /// Surveys `x`: from its cells' factor sums if it is cell-structured
    /// (``init(cells:y:interceptColumn:)``), else in one pass over its row blocks.
    init(_ x: any RowBlockSource, y: [Double], interceptColumn: Int?) {
        if let cells = x.cellStructure {
            self.init(cells: cells, y: y, interceptColumn: interceptColumn)
        } else {
            self.init(blocks: x, y: y, interceptColumn: interceptColumn)
        }
    }

    init(rows: Int, means: [Double], centeredGram: Matrix, binary: [Bool], columnSums: [Double],
         outcomeCrossProducts: [Double], outcomeSum: Double) {
        self.rows = rows
        self.means = means
        self.centeredGram = centeredGram
        self.binary = binary
        self.columnSums = columnSums
        self.outcomeCrossProducts = outcomeCrossProducts
        self.outcomeSum = outcomeSum
    }

    private init(blocks x: any RowBlockSource, y: [Double], interceptColumn: Int?) {
        let p = x.columns
        let r = x.meansAndCenteredGram(inspecting: { RawSums(columns: p) }, inspect: { sums, block, range in
            sums.observe(block, outcomes: y[range], skipping: interceptColumn)
        }, combine: { $0.absorb($1) })
        rows = x.rows
        means = r.means
        centeredGram = r.gram
        binary = r.inspected.binary
        columnSums = r.inspected.columnSums
        outcomeCrossProducts = r.inspected.crossProducts
        outcomeSum = r.inspected.outcomeSum
    }

    /// The raw Gram `X'X = G + n m m'` (`G` the centred Gram, `m` the means) of
    /// the chosen columns, in their order.
    func gram(columns: [Int]) -> Matrix {
        let n = Double(rows)
        var g = Matrix(rows: columns.count, columns: columns.count)
        for (b, j) in columns.enumerated() {
            for (a, i) in columns.enumerated() { g[a, b] = centeredGram[i, j] + n * means[i] * means[j] }
        }
        return g
    }

    /// Whether column `j` is 0/1 and one of its values (present alongside the
    /// other) has a single outcome (`y` must be 0/1).
    func predictsPerfectly(column j: Int) -> Bool {
        guard binary[j] else { return false }
        let n1 = columnSums[j], s1 = outcomeCrossProducts[j]
        let n0 = Double(rows) - n1, s0 = outcomeSum - s1
        if n1 > 0 && (s1 == 0 || s1 == n1) { return true }
        if n0 > 0 && n1 > 0 && (s0 == 0 || s0 == n0) { return true }
        return false
    }
}

/// One stripe's plain sums for ``DesignSurvey``.
private struct RawSums: Sendable {
    var binary: [Bool]
    var columnSums: [Double]
    var crossProducts: [Double]
    var outcomeSum = 0.0

    init(columns p: Int) {
        binary = [Bool](repeating: true, count: p)
        columnSums = [Double](repeating: 0, count: p)
        crossProducts = columnSums
    }

    mutating func observe(_ block: RowBlock, outcomes y: ArraySlice<Double>, skipping skipped: Int?) {
        block.accumulateColumnSums(into: &columnSums)
        block.accumulateTransposedProduct(y, into: &crossProducts)
        outcomeSum += y.reduce(0, +)
        for j in 0..<block.columns where binary[j] && j != skipped {
            binary[j] = block.columnIsBinary(j)
        }
    }

    mutating func absorb(_ other: RawSums) {
        for j in binary.indices {
            binary[j] = binary[j] && other.binary[j]
            columnSums[j] += other.columnSums[j]
            crossProducts[j] += other.crossProducts[j]
        }
        outcomeSum += other.outcomeSum
    }
}
