import Linalg
import Testing

@Suite("BLAS/LAPACK wrappers")
struct LinalgTests {
    let a = Matrix(rowMajor: [[4, 2, 0.6], [2, 5, 1], [0.6, 1, 3]])

    @Test("gemv, gemm and syrk agree with the definitions")
    func products() {
        let x: [Double] = [1, -2, 0.5]
        let expected: [Double] = [0.3, -7.5, 0.1]  // rows of a times x, by hand
        #expect(zip(a.multiply(x), expected).allSatisfy { Swift.abs($0 - $1) < 1e-15 })
        let b = Matrix(rowMajor: [[1, 2], [3, 4], [5, 6]])
        let c = Matrix.multiply(b, transposeA: true, b)
        #expect(c == Matrix(rowMajor: [[35, 44], [44, 56]]))
        #expect(b.gram == c)
        #expect(b.multiply([1, 1, 1], transposed: true) == [9, 12])
        #expect(dot(x, x) == 5.25)
    }

    @Test("Cholesky solve and inverse")
    func cholesky() throws {
        let f = try CholeskyFactor(a)
        let x = f.solve([1, 2, 3])
        let back = a.multiply(x)
        #expect(zip(back, [1.0, 2, 3]).allSatisfy { Swift.abs($0 - $1) < 1e-14 })
        let inv = try f.inverse()
        let id = Matrix.multiply(a, inv)
        for i in 0..<3 { for j in 0..<3 { #expect(Swift.abs(id[i, j] - (i == j ? 1 : 0)) < 1e-14) } }
        #expect(throws: LinalgError.notPositiveDefinite(order: 2)) { _ = try CholeskyFactor(Matrix(rowMajor: [[1, 2], [2, 1]])) }
    }

    @Test("rank-revealing factorisations find the dependent column")
    func rank() {
        // Column 2 = column 0 + column 1.
        let x = Matrix(rowMajor: [[1, 0, 1], [0, 1, 1], [1, 1, 2], [2, 1, 3]])
        let g = x.gram
        #expect(PivotedCholesky(g, tolerance: 1e-10).rank == 2)
        #expect(g.dependentColumnsInOrder() == [2])
        // The later column is the one reported, whatever the order.
        let swapped = x.selecting(columns: [2, 0, 1]).gram
        #expect(swapped.dependentColumnsInOrder() == [2])
    }

    @Test("QR least squares matches the normal equations")
    func leastSquares() throws {
        let x = Matrix(rowMajor: [[1, 1], [1, 2], [1, 3], [1, 4]])
        let y: [Double] = [6, 5, 7, 10]
        let qr = QRFactorization(x)
        let b = try qr.solve(y)
        // By hand: x-bar = 2.5, y-bar = 7, slope = sum (x - x-bar)(y - y-bar) / sum (x - x-bar)^2 = 7 / 5 = 1.4,
        // intercept = 7 - 1.4 x 2.5 = 3.5.
        #expect(Swift.abs(b[0] - 3.5) < 1e-14 && Swift.abs(b[1] - 1.4) < 1e-14)
        let inv = try qr.inverseGram()
        let ref = try CholeskyFactor(x.gram).inverse()
        for k in 0..<4 { #expect(Swift.abs(inv.storage[k] - ref.storage[k]) < 1e-14) }
    }

    @Test("row-block reductions are identical to a serial sum")
    func rowBlocks() {
        let blocks = RowBlocks(count: 100_003, blockSize: 1000)
        #expect(blocks.blockCount == 101)
        let total = blocks.stripes { ranges in ranges.reduce(0.0) { $0 + Double($1.count) } }.reduce(0, +)
        #expect(total == 100_003)
        let covered = (0..<blocks.stripeCount).flatMap { blocks.blocks(ofStripe: $0) }
        #expect(covered == Array(0..<101))
    }

    /// A 10,001 x 4 matrix whose columns sit far from zero (a year, an income),
    /// the case where `X'X - n m m'` would cancel most digits.
    static func offsetColumns() -> Matrix {
        var x = Matrix(rows: 10_001, columns: 4)
        for i in 0..<x.rows {
            let t = Double(i)
            x[i, 0] = 2008 + Double(i % 9)                      // year
            x[i, 1] = 400_000 + 1_000 * (t * 0.618).truncatingRemainder(dividingBy: 7)   // income
            x[i, 2] = Double(i % 2)                             // indicator
            x[i, 3] = 1                                         // constant
        }
        return x
    }

    @Test("one-pass means and centred Gram equal the two-pass definition")
    func centeredGram() {
        let x = Self.offsetColumns()
        let (means, g) = x.meansAndCenteredGram()
        // Two-pass reference: means, then the Gram of explicitly centred columns.
        let n = Double(x.rows)
        let m = (0..<4).map { j in x.column(j).reduce(0, +) / n }
        var c = x
        for j in 0..<4 { for i in 0..<x.rows { c[i, j] -= m[j] } }
        let ref = c.gram
        for j in 0..<4 {
            #expect(Swift.abs(means[j] - m[j]) <= 1e-12 * Swift.abs(m[j]))
            for i in 0..<4 {
                // Relative to the diagonal scale; the constant column's row and column are exactly zero.
                // 1e-12: both sides sum 10,001 products, each sum good to about n eps = 1.1e-12 of the scale.
                let scale = (ref[i, i] * ref[j, j]).squareRoot()
                if scale == 0 { #expect(g[i, j] == 0) } else { #expect(Swift.abs(g[i, j] - ref[i, j]) <= 1e-12 * scale) }
            }
        }
    }

    @Test("row-block passes fill every row once, whatever the block size")
    func rowBlockPasses() {
        let x = Self.offsetColumns()
        for bs in [1, 7, 4096, 20_000] {
            let sums = x.reduceRowBlocks(blockSize: bs, stripeState: { _ in [Double](repeating: 0, count: 4) },
                                         body: { s, b, _ in b.accumulateColumnSums(into: &s) },
                                         combine: { t, s in for j in 0..<4 { t[j] += s[j] } })
            // A row missed or filled twice moves a sum by at least 1/10,001 of it; summing in
            // another order moves it by at most n eps = 1.1e-12 of it (positive terms). 1e-9 lies between.
            for j in 0..<4 { #expect(Swift.abs(sums[j] - x.column(j).reduce(0, +)) <= 1e-9 * Swift.abs(sums[j]) + 1e-12) }
        }
        // A block's rows, columns and BLAS products read only the rows in use.
        var b = RowBlock(capacity: 8, columns: 4)
        x.fill(&b, rows: 3..<8)
        #expect(b.rows == 5)
        #expect(b.matrix() == x.rowBlock(3..<8))
        var y = [Double](repeating: .nan, count: 8)
        b.multiply([1, 0, 0, 1], into: &y)
        #expect(Array(y[0..<5]) == (3..<8).map { x[$0, 0] + 1 })
        #expect(y[5].isNaN)
    }

    @Test("segment sums add up each run of rows")
    func segmentSums() {
        var b = RowBlock(capacity: 6, columns: 2)
        b.reset(rows: 6, zeroed: true)
        for i in 0..<6 { b[i, 0] = Double(i + 1); b[i, 1] = Double(10 * (i + 1)) }
        var out = RowBlock(capacity: 6, columns: 2)
        b.segmentSums(bounds: [0, 1, 4, 6], into: &out)
        #expect(out.rows == 3)
        #expect(out.matrix() == Matrix(rowMajor: [[1, 10], [2 + 3 + 4, 90], [5 + 6, 110]]))
    }

    @Test("a block's X'v from a slice of a longer vector, column sums and the 0/1 check")
    func blockProductsFromSlices() {
        // 5 rows in use of a 7-row buffer, 3 columns; v's rows 3..<8 belong to the block.
        var b = RowBlock(capacity: 7, columns: 3)
        b.reset(rows: 5, zeroed: true)
        for i in 0..<5 { b[i, 0] = Double(i + 1); b[i, 1] = i % 2 == 0 ? 1 : 0; b[i, 2] = 0.5 * Double(i) }
        let v: [Double] = [100, 200, 300, 1, -1, 2, 0.5, 3, 400]
        var g = [1.0, 2.0, 3.0]
        b.accumulateTransposedProduct(v[3..<8], into: &g)
        // By hand: column 0 is 1..5, column 1 is 1,0,1,0,1, column 2 is 0,0.5,1,1.5,2; v[3..<8] = 1,-1,2,0.5,3.
        let want: [Double] = [1 + 22, 2 + 6, 3 + 8.25]  // 1-2+6+2+15, 1+2+3, 0-0.5+2+0.75+6
        #expect(g == want)
        var sums = [0.0, 0.0, 0.0]
        b.accumulateColumnSums(into: &sums)
        #expect(sums == [15, 3, 5])
        #expect(!b.columnIsBinary(0) && b.columnIsBinary(1) && !b.columnIsBinary(2))
    }
}
