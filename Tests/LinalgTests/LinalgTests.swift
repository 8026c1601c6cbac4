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
        let total = blocks.reduce(0.0, partial: { ranges in ranges.reduce(0.0) { $0 + Double($1.count) } }, combine: { $0 += $1 })
        #expect(total == 100_003)
        let covered = (0..<blocks.stripeCount).flatMap { blocks.blocks(ofStripe: $0) }
        #expect(covered == Array(0..<101))
    }
}
