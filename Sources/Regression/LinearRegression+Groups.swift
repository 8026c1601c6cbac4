import Design
import Linalg

extension LinearRegression {
    /// The least-squares coefficients of `y` on `x` fitted separately on two groups of rows (e.g. the two arms of
    /// a treatment effect), both from one parallel pass over `x`'s row blocks: per group, the centred Gram of
    /// `[X | y]` (`dsyrk` on the group's rows of each block, shifted as ``RowBlockSource/meansAndCenteredGram()``
    /// does), then the normal equations of the centred problem.
    ///
    /// For group `g` with `n_g` rows, means `m` (of `X`) and `ybar`, centred Gram `G = [[Gxx, gxy], [., gyy]]`:
    /// collinear columns are dropped with the rule of ``fitCoefficients(_:y:names:weights:rows:)`` (the same
    /// shift, the first block of the group's rows, so the same centred Gram up to the order of the additions);
    /// then with an intercept `b_S = Gxx[S, S]^-1 gxy[S]` by Cholesky (`S` the kept columns other than the
    /// intercept) and `b_cons = ybar - m_S' b_S`; without one, the raw normal equations `X'X b = X'y`
    /// (`X'X = G + n m m'`). Centring keeps the intercept out of the conditioning: the error of the slopes is
    /// `~cond(C) eps` with `C` the kept columns' correlation matrix (the QR's is `~sqrt(cond(C)) eps` plus a
    /// residual term), which the collinearity rule bounds; on well-conditioned designs the two agree to rounding.
    ///
    /// - Parameters: `y` and `inSecondGroup` are indexed like `x`'s rows (`false`: group 0, `true`: group 1).
    /// - Returns: per group (0, then 1), the kept columns' names and coefficients, or the error the fit of
    ///   ``fitCoefficients(_:y:names:weights:rows:)`` on that group's rows throws (`noEstimableTerms`,
    ///   `tooFewObservations`, `informationNotInvertible`).
    /// - Complexity: `O(n p^2)` flops in one pass over the rows (`p` columns, both groups), `O(p^3)` per group
    ///   after it; `O(blockSize p)` memory per core, no `n x p` copy.
    public func fitCoefficientsInTwoGroups(_ x: any RowBlockSource, y: [Double], names: [String], inSecondGroup: [Bool])
        -> [Result<(names: [String], coefficients: [Double]), RegressionError>] {
        precondition(y.count == x.rows && inSecondGroup.count == x.rows && names.count == x.columns,
                     "LinearRegression.fitCoefficientsInTwoGroups: shape mismatch")
        let p = x.columns, p1 = p + 1
        let blockSize = RowBlocks.defaultBlockSize
        let shifts = Self.groupShifts(x, y: y, inSecondGroup: inSecondGroup, blockSize: blockSize)
        let total = x.reduceRowBlocks(blockSize: blockSize, stripeState: { _ in GroupGrams(columns: p1, blockSize: blockSize) },
                                      body: { state, block, r in
            for g in 0...1 {
                state.gatherGroup(g == 1, of: block, rows: r, y: y, inSecondGroup: inSecondGroup)
                guard state.scratch.rows > 0 else { continue }
                state.scratch.subtractFromColumns(shifts[g])
                state.scratch.accumulateColumnSums(into: &state.sums[g])
                state.scratch.accumulateGram(into: &state.grams[g])
                state.counts[g] += state.scratch.rows
            }
        }, combine: { $0.absorb($1) })
        let interceptColumn = names.firstIndex(of: TermName.intercept)
        return (0...1).map { g -> Result<(names: [String], coefficients: [Double]), RegressionError> in
            do throws(RegressionError) {
                return .success(try solveCentered(count: total.counts[g], shift: shifts[g], sums: total.sums[g],
                                                  shiftedGram: total.grams[g], names: names, interceptColumn: interceptColumn))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Each group's shift: the means of `[X | y]` over its first `blockSize` rows (the first block of the group's
    /// rows, as ``fitCoefficients(_:y:names:weights:rows:)``'s survey takes it); zeros for an empty group.
    private static func groupShifts(_ x: any RowBlockSource, y: [Double], inSecondGroup: [Bool], blockSize: Int) -> [[Double]] {
        let p = x.columns, n = x.rows
        var sums = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: 2)
        var counts = [0, 0]
        var state = GroupGrams(columns: p + 1, blockSize: blockSize)
        var block = RowBlock(capacity: blockSize, columns: p)
        var start = 0
        while start < n && (counts[0] < blockSize || counts[1] < blockSize) {
            let r = start..<Swift.min(n, start + blockSize)
            x.fill(&block, rows: r)
            for g in 0...1 where counts[g] < blockSize {
                state.gatherGroup(g == 1, of: block, rows: r, y: y, inSecondGroup: inSecondGroup, limit: blockSize - counts[g])
                state.scratch.accumulateColumnSums(into: &sums[g])
                counts[g] += state.scratch.rows
            }
            start = r.upperBound
        }
        return (0...1).map { g in sums[g].map { counts[g] > 0 ? $0 / Double(counts[g]) : 0 } }
    }

    /// The coefficients of one group from its row count, shift, shifted sums and shifted Gram of `[X | y]`.
    private func solveCentered(count n: Int, shift: [Double], sums: [Double], shiftedGram: Matrix, names: [String],
                               interceptColumn: Int?) throws(RegressionError) -> (names: [String], coefficients: [Double]) {
        let p = names.count
        if n == 0 { throw RegressionError.tooFewObservations(observations: 0, parameters: p) }
        // Exact centring of the shifted Gram: (Z - 1 d')'(Z - 1 d') = Z'Z - n d d', Z = [X | y] - 1 c', d = mean(Z).
        let d = sums.map { $0 / Double(n) }
        var g = shiftedGram
        for j in 0...p { for i in 0...j { g[i, j] -= Double(n) * d[i] * d[j] } }
        g.symmetrizeFromUpper()
        let means = zip(shift, d).map { $0 + $1 }
        var gx = Matrix(rows: p, columns: p)
        for j in 0..<p { for i in 0..<p { gx[i, j] = g[i, j] } }
        let dependent = LogisticRegression.collinearColumns(centeredGram: gx, means: Array(means[0..<p]), rows: n,
                                                            interceptColumn: interceptColumn, tolerance: collinearityTolerance)
        let kept = (0..<p).filter { !dependent.contains($0) }
        if kept.isEmpty { throw RegressionError.noEstimableTerms }
        if n <= kept.count { throw RegressionError.tooFewObservations(observations: n, parameters: kept.count) }
        // With an intercept: the centred normal equations of the slopes; without: the raw ones.
        let slopes = kept.filter { $0 != interceptColumn }
        let centred = interceptColumn.map(kept.contains) ?? false
        let nn = Double(n)
        var a = Matrix(rows: slopes.count, columns: slopes.count)
        var rhs = [Double](repeating: 0, count: slopes.count)
        for (kb, jb) in slopes.enumerated() {
            for (ka, ja) in slopes.enumerated() { a[ka, kb] = centred ? g[ja, jb] : g[ja, jb] + nn * means[ja] * means[jb] }
            rhs[kb] = centred ? g[jb, p] : g[jb, p] + nn * means[jb] * means[p]
        }
        var b: [Double] = []
        if !slopes.isEmpty {
            do { b = try CholeskyFactor(a).solve(rhs) } catch { throw RegressionError.informationNotInvertible }
        }
        var coefficients: [Double] = []
        var k = 0
        for j in kept {
            if j == interceptColumn {
                var c = means[p]
                for (ks, js) in slopes.enumerated() { c -= means[js] * b[ks] }
                coefficients.append(c)
            } else {
                coefficients.append(b[k])
                k += 1
            }
        }
        return (kept.map { names[$0] }, coefficients)
    }
}

/// One stripe's per-group sums for ``LinearRegression/fitCoefficientsInTwoGroups(_:y:names:inSecondGroup:)``, with the
/// scratch block the group's rows of each block are gathered into.
private struct GroupGrams: Sendable {
    var counts = [0, 0]
    var sums: [[Double]]
    var grams: [Matrix]
    var scratch: RowBlock

    init(columns p1: Int, blockSize: Int) {
        sums = [[Double]](repeating: [Double](repeating: 0, count: p1), count: 2)
        grams = [Matrix(rows: p1, columns: p1), Matrix(rows: p1, columns: p1)]
        scratch = RowBlock(capacity: blockSize, columns: p1)
    }

    /// `scratch` = `[X | y]` on the rows of `block` (the source's rows `r`) in group `second`, in order (at most `limit`).
    mutating func gatherGroup(_ second: Bool, of block: RowBlock, rows r: Range<Int>, y: [Double], inSecondGroup: [Bool],
                              limit: Int = .max) {
        var picked: [Int] = []
        picked.reserveCapacity(Swift.min(r.count, limit))
        for k in 0..<r.count where inSecondGroup[r.lowerBound + k] == second {
            if picked.count == limit { break }
            picked.append(k)
        }
        let p = block.columns
        scratch.reset(rows: picked.count, zeroed: false)
        for j in 0..<p {
            block.readColumn(j) { src in
                scratch.updateColumn(j) { dst in for (kk, k) in picked.enumerated() { dst[kk] = src[k] } }
            }
        }
        scratch.updateColumn(p) { dst in for (kk, k) in picked.enumerated() { dst[kk] = y[r.lowerBound + k] } }
    }

    mutating func absorb(_ o: GroupGrams) {
        for g in 0...1 {
            counts[g] += o.counts[g]
            for j in sums[g].indices { sums[g][j] += o.sums[g][j] }
            grams[g] = grams[g] + o.grams[g]
        }
    }
}
