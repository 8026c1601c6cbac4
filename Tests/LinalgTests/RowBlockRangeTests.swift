import Linalg
import Testing

/// The sub-range row-block products (`RowBlock+Ranges.swift`) against their definitions, computed by hand-written
/// loops on small integer-valued matrices (exact in floating point, so the comparisons are exact).
@Suite("row-block products over sub-ranges")
struct RowBlockRangeTests {
    /// `m[i, j] = (3i + 5j) mod 7 - 3`: small integers, no structure.
    static func matrix(_ rows: Int, _ cols: Int, seed: Int) -> Matrix {
        var m = Matrix(rows: rows, columns: cols)
        for i in 0..<rows { for j in 0..<cols { m[i, j] = Double((3 * i + 5 * j + seed) % 7 - 3) } }
        return m
    }

    @Test("gatherRows takes the listed rows in order; setScaledRows multiplies each row")
    func gatherAndScale() {
        let m = Self.matrix(9, 3, seed: 1)
        var b = RowBlock(capacity: 6, columns: 3)
        b.gatherRows(of: m, at: [7, 2, 2, 0][...])
        #expect(b.rows == 4)
        for (k, i) in [7, 2, 2, 0].enumerated() { for j in 0..<3 { #expect(b[k, j] == m[i, j]) } }
        var s = RowBlock(capacity: 6, columns: 3)
        s.setScaledRows(of: b, by: [2, -1, 0, 0.5])
        #expect(s.rows == 4)
        for (k, f) in [2.0, -1, 0, 0.5].enumerated() { for j in 0..<3 { #expect(s[k, j] == f * b[k, j]) } }
    }

    @Test("X[rows]' Y[rows], X[rows]' v[rows] and the Gram of a rows x columns window equal their sums")
    func products() {
        let x = Self.matrix(10, 3, seed: 2), y = Self.matrix(10, 2, seed: 4)
        var bx = RowBlock(capacity: 12, columns: 3), by = RowBlock(capacity: 12, columns: 2)
        x.fill(&bx, rows: 0..<10)
        y.fill(&by, rows: 0..<10)
        let rows = 3..<8
        var c = Matrix(rows: 3, columns: 2, repeating: 1)
        bx.accumulateCrossProduct(rows: rows, with: by, alpha: 2, into: &c)
        for a in 0..<3 {
            for b in 0..<2 {
                var s = 0.0
                for i in rows { s += x[i, a] * y[i, b] }
                #expect(c[a, b] == 1 + 2 * s)
            }
        }
        let v = (0..<10).map { Double($0) - 4 }
        var g = [1.0, 1, 1]
        bx.accumulateTransposedProduct(v, rows: rows, into: &g)
        for a in 0..<3 {
            var s = 1.0
            for i in rows { s += x[i, a] * v[i] }
            #expect(g[a] == s)
        }
        // Columns 1..<3 of rows 2..<9 into the matching window of a 3 x 3 matrix; the rest untouched.
        var gram = Matrix(rows: 3, columns: 3)
        bx.accumulateGram(rows: 2..<9, columns: 1..<3, into: &gram)
        gram.symmetrizeFromUpper()
        for a in 0..<3 {
            for b in 0..<3 {
                var s = 0.0
                if a >= 1 && b >= 1 { for i in 2..<9 { s += x[i, a] * x[i, b] } }
                #expect(gram[a, b] == s)
            }
        }
    }

    @Test("readColumn and updateColumn see the rows in use of one column")
    func columns() {
        let x = Self.matrix(5, 2, seed: 3)
        var b = RowBlock(capacity: 8, columns: 2)
        x.fill(&b, rows: 1..<5)
        #expect(b.readColumn(1) { Array($0) } == (1..<5).map { x[$0, 1] })
        b.updateColumn(0) { col in for k in col.indices { col[k] = Double(k) } }
        #expect((0..<4).map { b[$0, 0] } == [0, 1, 2, 3])
    }
}
