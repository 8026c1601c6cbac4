import Linalg

/// The ETWFE design's cell structure: row `(i, p)` is `A_{(c_i, p)} z_i` with `z_i = (1, x_i)` the
/// unit's baseline covariates and `(c_i, p)` its cohort x period cell (the reference or never-treated
/// cohort included), so the logit's passes run on `q = 1 + k` factors per row instead of the
/// ~`(1 + k)(C + T)` design columns (``CellLoadings``; Docs/NonlinearDiD.md, Complexity).
extension ETWFEDesign: CellStructuredSource {
    /// Cell code of unit `i` in period `p`: `(cohortIndex + 1) * T + p`.
    public var cellLoadings: CellLoadings {
        let nC = panel.treatedCohorts.count, nT = panel.periodCount, k = panel.covariateNames.count
        typealias Entry = CellLoadings.Entry
        var cells: [[Entry]] = []
        for slot in 0...nC {
            let c = slot - 1
            for p in 0..<nT {
                var e: [Entry] = []
                if c >= 0 { e.append(Entry(column: cohortStart + c, factor: 0, coefficient: 1)) }
                if p > 0 { e.append(Entry(column: periodStart + p - 1, factor: 0, coefficient: 1)) }
                for j in 0..<k {
                    let base = covariateStart + j * covariateStride
                    e.append(Entry(column: base, factor: 1 + j, coefficient: 1))
                    if c >= 0 { e.append(Entry(column: base + 1 + c, factor: 1 + j, coefficient: 1)) }
                    if p > 0 { e.append(Entry(column: base + 1 + nC + p - 1, factor: 1 + j, coefficient: 1)) }
                }
                if c >= 0, cellOf[c][p] >= 0 {
                    let col = cellStart + cellOf[c][p] * cellStride
                    e.append(Entry(column: col, factor: 0, coefficient: 1))
                    for j in 0..<k {
                        // `x - xbar_c`: the same single rounding as the dense row's subtraction.
                        e.append(Entry(column: col + 1 + j, factor: 1 + j, coefficient: 1))
                        e.append(Entry(column: col + 1 + j, factor: 0, coefficient: -panel.cohortMeans[c][j]))
                    }
                }
                e.append(Entry(column: interceptColumn, factor: 0, coefficient: 1))
                cells.append(e)
            }
        }
        return CellLoadings(columns: columns, cells: cells, source: ETWFECellFactors(panel: panel))
    }
}

/// The rows' cells and factors for ``ETWFEDesign/cellLoadings``: row `i * T + p` is in cell
/// `(cohortIndex_i + 1) T + p` with factors `(1, x_i1, ..., x_ik)`.
struct ETWFECellFactors: CellFactorSource {
    let panel: ETWFEPanel

    var rows: Int { panel.observations }
    var cellCount: Int { (panel.treatedCohorts.count + 1) * panel.periodCount }
    var factorCount: Int { 1 + panel.covariateNames.count }

    /// Unit by unit (a unit's `T` rows share its factors); the covariates are read from the
    /// panel's column-major storage. `O(range.count * q)`.
    func factors(rows range: Range<Int>, cells: inout [Int32], z: inout [Double]) {
        let nT = panel.periodCount, q = factorCount, k = q - 1, n = panel.unitCount
        guard !range.isEmpty else { return }
        panel.covariates.storage.withUnsafeBufferPointer { x in
            panel.cohortIndex.withUnsafeBufferPointer { cohort in
                cells.withUnsafeMutableBufferPointer { cellOut in
                    z.withUnsafeMutableBufferPointer { zOut in
                        var row = 0, r = range.lowerBound
                        while r < range.upperBound {
                            let i = r / nT, p0 = r - i * nT
                            let end = Swift.min(range.upperBound, (i + 1) * nT)
                            // Below 2^31: ETWFE.fit refuses larger cell counts (ETWFEError.tooManyCells).
                            let base = Int32(truncatingIfNeeded: (cohort[i] + 1) * nT)
                            for p in p0..<(p0 + end - r) {
                                cellOut[row] = base + Int32(truncatingIfNeeded: p)
                                let out = row * q
                                zOut[out] = 1
                                for j in 0..<k { zOut[out + 1 + j] = x[j * n + i] }
                                row += 1
                            }
                            r = end
                        }
                    }
                }
            }
        }
    }
}
