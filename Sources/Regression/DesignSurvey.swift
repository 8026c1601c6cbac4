import Linalg

/// What the checks before a binary-model fit need from the design, gathered
/// in one parallel pass: column means and the centred Gram (collinearity),
/// and for every column whether it is 0/1 and how the outcome splits by its
/// value (perfect prediction).
struct DesignSurvey: Sendable {
    let rows: Int
    let means: [Double]
    let centeredGram: Matrix
    let indicators: IndicatorOutcomes

    init(_ x: any RowBlockSource, y: [Double], interceptColumn: Int?) {
        let p = x.columns
        let r = x.meansAndCenteredGram(inspecting: { IndicatorOutcomes(columns: p) }, inspect: { stats, block, range in
            stats.observe(block, outcomes: y, rows: range, skipping: interceptColumn)
        }, combine: { $0.absorb($1) })
        rows = x.rows
        means = r.means
        centeredGram = r.gram
        indicators = r.inspected
    }
}

/// Per column: whether every value is 0 or 1, the number of rows with value 1
/// (0) and the sum of the outcome over them.
struct IndicatorOutcomes: Sendable {
    var binary: [Bool]
    var n1: [Double], s1: [Double], n0: [Double], s0: [Double]

    init(columns p: Int) {
        binary = [Bool](repeating: true, count: p)
        n1 = [Double](repeating: 0, count: p); s1 = n1; n0 = n1; s0 = n1
    }

    mutating func observe(_ block: RowBlock, outcomes y: [Double], rows r: Range<Int>, skipping skipped: Int?) {
        for j in 0..<block.columns where binary[j] && j != skipped {
            var a1 = 0.0, b1 = 0.0, a0 = 0.0, b0 = 0.0
            for i in 0..<r.count {
                let v = block[i, j]
                let yi = y[r.lowerBound + i]
                if v == 1 { a1 += 1; b1 += yi } else if v == 0 { a0 += 1; b0 += yi } else {
                    binary[j] = false
                    break
                }
            }
            n1[j] += a1; s1[j] += b1; n0[j] += a0; s0[j] += b0
        }
    }

    mutating func absorb(_ other: IndicatorOutcomes) {
        for j in binary.indices {
            binary[j] = binary[j] && other.binary[j]
            n1[j] += other.n1[j]; s1[j] += other.s1[j]; n0[j] += other.n0[j]; s0[j] += other.s0[j]
        }
    }

    /// Whether column `j` is 0/1 and one of its values (present alongside the other) has a single outcome.
    func predictsPerfectly(column j: Int) -> Bool {
        guard binary[j] else { return false }
        if n1[j] > 0 && (s1[j] == 0 || s1[j] == n1[j]) { return true }
        if n0[j] > 0 && n1[j] > 0 && (s0[j] == 0 || s0[j] == n0[j]) { return true }
        return false
    }
}
