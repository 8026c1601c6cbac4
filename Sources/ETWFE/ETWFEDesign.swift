import Linalg

/// Wooldridge's extended TWFE design on the panel, generated row block by row
/// block from the panel's columns (never materialised for the logit).
///
/// Columns, in order (the explicit-dummy form of R etwfe's
/// `y ~ .Dtreat:i(gvar, i.tvar):x_dm | gvar[x] + tvar[x]` with `fe = "vs"`,
/// and of Stata jwdid's `i.gvar#i.tvar` design; cohort dummies stand in for
/// unit fixed effects, which Wooldridge (2021, 2023) shows give the same
/// treatment estimates in the linear case and are what the nonlinear
/// (pooled QMLE) version must use):
/// 1. cohort dummies `1[g_i = g]` for the treated cohorts (never treated, or
///    without them the last cohort, is the reference);
/// 2. period dummies `1[t = s]` for every period but the first;
/// 3. for each covariate `x` (time-invariant or baseline): `x`, `x * cohort`
///    dummies, `x * period` dummies (etwfe's varying slopes `gvar[x] + tvar[x]`);
/// 4. for each cell (g, t): `D_gt = 1[g_i = g, t]` and `D_gt (x - xbar_g)`,
///    the covariates centred on their cohort mean so that `delta_gt` is the
///    cell's effect at the cohort's mean covariates (Wooldridge's and etwfe's `_dm`);
/// 5. the intercept `_cons`.
///
/// Row `i * T + p` is unit `i` in period position `p` (persons contiguous).
/// The columns' values are described once, by the cell loadings (``cellLoadings``, ETWFEDesign+Cells.swift);
/// filling a block costs `O(rows * columns)` (the block is zeroed, then `O(rows * (1 + k) * 4)` entries are added).
public struct ETWFEDesign: RowBlockSource {
    public let panel: ETWFEPanel
    public let names: [String]
    let cohortStart: Int
    let periodStart: Int
    let covariateStart: Int
    let covariateStride: Int
    let cellStart: Int
    let cellStride: Int
    let interceptColumn: Int
    /// Per (cohort index, period index): the cell number, or -1.
    let cellOf: [[Int]]

    public init(panel: ETWFEPanel) {
        self.panel = panel
        let nC = panel.treatedCohorts.count, nT = panel.periodCount, k = panel.covariateNames.count
        var names: [String] = []
        for g in panel.treatedCohorts { names.append("cohort\(g)") }
        for t in panel.periods.dropFirst() { names.append("period\(t)") }
        for x in panel.covariateNames {
            names.append(x)
            for g in panel.treatedCohorts { names.append("\(x)*cohort\(g)") }
            for t in panel.periods.dropFirst() { names.append("\(x)*period\(t)") }
        }
        var cellOf = [[Int]](repeating: [Int](repeating: -1, count: nT), count: nC)
        for (m, c) in panel.cells.enumerated() {
            cellOf[c.cohortIndex][c.periodIndex] = m
            names.append(Self.treatmentName(c))
            for x in panel.covariateNames { names.append("\(Self.treatmentName(c))*\(x)") }
        }
        names.append("_cons")
        self.names = names
        cohortStart = 0
        periodStart = nC
        covariateStart = nC + nT - 1
        covariateStride = 1 + nC + nT - 1
        cellStart = covariateStart + k * covariateStride
        cellStride = 1 + k
        interceptColumn = names.count - 1
        self.cellOf = cellOf
    }

    /// The name of a cell's treatment indicator: `D(g,t)`.
    public static func treatmentName(_ c: ETWFECell) -> String { "D(\(c.group),\(c.time))" }

    public var rows: Int { panel.observations }
    public var columns: Int { names.count }

    /// The design column of cell `m`'s indicator (its covariate interactions follow it).
    public func treatmentColumn(cell m: Int) -> Int { cellStart + m * cellStride }

    /// The cell of row `(i, p)`, or -1.
    public func cell(unit i: Int, period p: Int) -> Int {
        let c = panel.cohortIndex[i]
        return c >= 0 ? cellOf[c][p] : -1
    }

    /// Row `(unit i, period p)` as a dense vector.
    public func row(unit i: Int, period p: Int) -> [Double] {
        var v = [Double](repeating: 0, count: columns)
        add(row: (i, p), of: cellLoadings) { v[$0] += $1 }
        return v
    }

    /// The rows are the cell loadings applied to the units' factors (``cellLoadings``, the design's one
    /// description): `O(rows * columns)` (the block is zeroed, then each row's entries are added).
    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        block.reset(rows: range.count, zeroed: true)
        let nT = panel.periodCount, loadings = cellLoadings
        for (k, r) in range.enumerated() {
            add(row: (r / nT, r % nT), of: loadings) { block[k, $0] += $1 }
        }
    }

    /// Calls `add(column, value)` for each loading entry of row `(unit, period)`; a column with two
    /// entries (`D_gt (x - xbar_g)`: `x` and `-xbar_g`) gets both, `0 + x - xbar_g` rounding once as `x - xbar_g`.
    @inline(__always)
    func add(row: (unit: Int, period: Int), of loadings: CellLoadings, _ add: (Int, Double) -> Void) {
        let cell = (panel.cohortIndex[row.unit] + 1) * panel.periodCount + row.period
        for e in loadings.cells[cell] {
            add(e.column, e.factor == 0 ? e.coefficient : e.coefficient * panel.covariates[row.unit, e.factor - 1])
        }
    }
}
