import Distributions
import Linalg
@testable import Regression
import Design
import Estimation
import Testing

/// A cell-structured design (``CellLoadings``) takes its own passes (survey, IRLS, robust and
/// cluster meats: sums regrouped by cell). The expected values are the dense passes on the same
/// design materialised as a ``Matrix`` (no cell structure): the same quantities up to the order of
/// the additions, hence the tolerances below, far under any printed digit.
@Suite("Cell-structured designs")
struct CellStructuredTests {
    /// Relative agreement of regrouped sums (`1e-12` per value; a Newton fit on them `1e-9`).
    static let sumTolerance = 1e-11
    static let fitTolerance = 1e-9

    /// 12,000 rows (three stripes of 4,096-row blocks) in 6 cells (`r % 6`), factors
    /// `z = (1, x1 ~ N(0,1), x2 in {0,1})`. Columns: the intercept; a dummy per cell 1-5; `x1`; `x2`;
    /// `x1` per cell 1-5; `x1 - 0.25 x2` in cells 4 and 5 (two entries: checked row by row, not 0/1);
    /// a column that is `x2` in cell 2 and 1 in cell 3 (0/1 by its loadings); `2` in cell 3 (a constant that is not
    /// 0/1, collinear with cell 3's dummy: omitted by both paths); `x2` in cell 5.
    struct Source: CellStructuredSource, CellFactorSource {
        let x1: [Double]
        let x2: [Double]
        var rows: Int { x1.count }
        var cellCount: Int { 6 }
        var factorCount: Int { 3 }
        var columns: Int { 17 }

        var cellLoadings: CellLoadings {
            typealias E = CellLoadings.Entry
            let cells: [[E]] = (0..<6).map { c in
                var e = [E(column: 0, factor: 0, coefficient: 1), E(column: 6, factor: 1, coefficient: 1), E(column: 7, factor: 2, coefficient: 1)]
                if c > 0 { e.append(E(column: c, factor: 0, coefficient: 1)); e.append(E(column: 7 + c, factor: 1, coefficient: 1)) }
                if c >= 4 { e.append(E(column: 13, factor: 1, coefficient: 1)); e.append(E(column: 13, factor: 2, coefficient: -0.25)) }
                if c == 2 { e.append(E(column: 14, factor: 2, coefficient: 1)) }
                if c == 3 { e.append(E(column: 14, factor: 0, coefficient: 1)); e.append(E(column: 15, factor: 0, coefficient: 2)) }
                if c == 5 { e.append(E(column: 16, factor: 2, coefficient: 1)) }
                return e
            }
            return CellLoadings(columns: columns, cells: cells, source: self)
        }

        func factors(rows range: Range<Int>, cells: inout [Int32], z: inout [Double]) {
            for (k, r) in range.enumerated() {
                cells[k] = Int32(r % 6)
                z[3 * k] = 1; z[3 * k + 1] = x1[r]; z[3 * k + 2] = x2[r]
            }
        }

        func fill(_ block: inout RowBlock, rows range: Range<Int>) {
            block.reset(rows: range.count, zeroed: true)
            let loadings = cellLoadings
            for (k, r) in range.enumerated() {
                let z = [1, x1[r], x2[r]]
                for e in loadings.cells[r % 6] { block[k, e.column] += e.coefficient * z[e.factor] }
            }
        }
    }

    static func data(n: Int = 12_000) -> (source: Source, y: [Double]) {
        var rng = SplitMix64(seed: 20261130)
        var x1 = [Double](), x2 = [Double](), y = [Double]()
        for r in 0..<n {
            let u1 = Swift.max(rng.uniform(), 1e-300), u2 = rng.uniform()
            let a = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
            let b: Double = rng.uniform() < 0.4 ? 1 : 0
            x1.append(a); x2.append(b)
            let eta = -0.6 + 0.15 * Double(r % 6) + 0.5 * a - 0.7 * b + (r % 6 >= 4 ? 0.3 * a : 0)
            y.append(rng.uniform() < 1 / (1 + Double.exp(-eta)) ? 1 : 0)
        }
        return (Source(x1: x1, x2: x2), y)
    }

    static func names(_ p: Int) -> [String] { ["_cons"] + (1..<p).map { "c\($0)" } }

    @Test func theSurveyFromCellsEqualsTheDenseSurvey() throws {
        let (source, y) = Self.data()
        let cells = DesignSurvey(source, y: y, interceptColumn: 0), dense = DesignSurvey(source.materialized(), y: y, interceptColumn: 0)
        #expect(source.cellStructure != nil && source.materialized().cellStructure == nil)
        #expect(cells.binary == dense.binary)
        #expect(cells.binary[14] && !cells.binary[13] && !cells.binary[15] && cells.binary[7] && !cells.binary[6])
        #expect(cells.outcomeSum == dense.outcomeSum)
        for j in 0..<source.columns {
            #expect(approx(cells.means[j], dense.means[j], Self.sumTolerance), "mean \(j)")
            #expect(approx(cells.columnSums[j], dense.columnSums[j], Self.sumTolerance), "sum \(j)")
            #expect(approx(cells.outcomeCrossProducts[j], dense.outcomeCrossProducts[j], Self.sumTolerance), "x'y \(j)")
            if dense.binary[j] {
                #expect(cells.columnSums[j] == dense.columnSums[j] && cells.outcomeCrossProducts[j] == dense.outcomeCrossProducts[j])
            }
            for i in 0..<source.columns {
                let scale = (dense.centeredGram[i, i] * dense.centeredGram[j, j]).squareRoot()
                #expect(Swift.abs(cells.centeredGram[i, j] - dense.centeredGram[i, j]) <= Self.sumTolerance * Swift.max(scale, 1), "gram \(i),\(j)")
            }
        }
    }

    @Test func theLogitFitAndItsSandwichesEqualTheDenseOnes() throws {
        let (source, y) = Self.data()
        let names = Self.names(source.columns)
        // Clusters of 3 consecutive rows (contiguous), and the same ids interleaved (not contiguous).
        let contiguous = ClusterIDs(codes: (0..<y.count).map { Int32($0 / 3) }, count: y.count / 3)
        let interleaved = ClusterIDs(codes: (0..<y.count).map { Int32($0 % 97) }, count: 97)
        let cells = try LogisticRegression().fit(source, y: y, names: names)
        let dense = try LogisticRegression().fit(source.materialized(), y: y, names: names)
        #expect(cells.design.cellStructure != nil && dense.design.cellStructure == nil)  // the two paths did run
        #expect(cells.omitted == dense.omitted && cells.names == dense.names)
        #expect(approx(cells.logLikelihood, dense.logLikelihood, 1e-12))
        for (a, b) in zip(cells.coefficients, dense.coefficients) { #expect(approx(a, b, Self.fitTolerance)) }
        for vce in [VarianceEstimator.oim, .robust, .cluster(contiguous), .cluster(interleaved)] {
            let vc = try cells.covariance(vce), vd = try dense.covariance(vce)
            // Relative to the entry, or for a covariance near zero to `sqrt(v_ii v_jj)`.
            for j in 0..<vd.columns {
                for i in 0..<vd.rows {
                    #expect(approx(vc[i, j], vd[i, j], Self.fitTolerance, floor: (vd[i, i] * vd[j, j]).squareRoot()), "\(vce.name) \(i),\(j)")
                }
            }
        }
    }

    /// Contiguous clusters have two cell-structured paths: cell space (the default for small `C q`)
    /// and column space (cluster sums `dsyrk`ed); both must give the dense meat.
    @Test func bothClusterMeatPathsGiveTheDenseMeat() throws {
        let (source, y) = Self.data()
        let fit = try LogisticRegression().fit(source, y: y, names: Self.names(source.columns))
        let ids = ClusterIDs(codes: (0..<y.count).map { Int32($0 / 5) }, count: (y.count + 4) / 5)
        let cells = try #require(fit.design.cellStructure)
        let data = fit.scoreData
        let dense = ScoreData(design: fit.design.materialized(), residuals: data.residuals, weights: nil, weightKind: .frequency).clusterMeat(ids)
        for limit in [ScoreData.cellSpaceLimit, 0] {
            let m = data.clusterMeat(cells: cells, clusters: ids, contiguous: true, cellSpaceLimit: limit)
            for j in 0..<dense.columns {
                for i in 0..<dense.rows {
                    #expect(approx(m[i, j], dense[i, j], Self.sumTolerance, floor: (dense[i, i] * dense[j, j]).squareRoot()), "limit \(limit): \(i),\(j)")
                }
            }
        }
    }

    @Test func loadingsMapSumsAsTheDenseRowsDo() throws {
        let (source, _) = Self.data(n: 60)
        let loadings = source.cellLoadings
        let x = source.materialized()
        // Column subset: the structure follows the chosen columns.
        let chosen = [0, 3, 6, 13, 14]
        let subset = try #require(ColumnSubset(source, columns: chosen).cellStructure)
        let b = (0..<chosen.count).map { 0.1 * Double($0) - 0.2 }
        let bc = subset.cellCoefficients(b)
        for r in 0..<60 {
            let z = [1, source.x1[r], source.x2[r]]
            let viaCells = (0..<3).reduce(0.0) { $0 + bc[(r % 6) * 3 + $1] * z[$1] }
            let dense = chosen.enumerated().reduce(0.0) { $0 + x[r, $1.element] * b[$1.offset] }
            #expect(approx(viaCells, dense, 1e-13, floor: 1e-12))
        }
        #expect(loadings.columns == 17 && subset.columns == 5)
    }

    func approx(_ a: Double, _ b: Double, _ tol: Double, floor: Double = 1e-12) -> Bool {
        Swift.abs(a - b) <= tol * Swift.max(Swift.abs(b), floor)
    }
}
