import Linalg
import Design
import Estimation
import Tabular

/// The event-study design, generated block by block from the sample's
/// columnar storage: it is never materialised (a 10.5M x 37 design would be
/// 3 GB; the indicators and interactions cost nothing to rebuild per block).
///
/// Columns, named as in the CLI contract: `treated`; `event=e` for every
/// window period but the reference; `treated:event=e` (or one `treated:post`
/// column in the pooled variant, post = event time >= 0); numeric controls;
/// baseline controls; factor-control level dummies (`f=level`, base omitted);
/// `_cons`.
public struct EventStudyDesign: RowBlockSource {
    public let sample: EventStudySample
    public let pooled: Bool
    public let columnNames: [String]
    let eventColumn: [Int]          // per window index: column of event=e, or -1 for the reference
    let interactionColumn: [Int]    // per window index: column of treated:event=e (or treated:post), or -1
    let controlStart: Int
    let factorColumns: [(name: String, codes: [Int], columnOfLevel: [Int])]
    let controlValues: [NumericColumn]   // per numeric control, indexed by panel row
    let baselineValues: [[Double]]  // per baseline control, indexed by person

    public init(sample: EventStudySample, pooled: Bool = false) {
        self.sample = sample
        self.pooled = pooled
        let spec = sample.specification
        let window = Array(spec.window)
        var names = ["treated"]
        var ev = [Int](repeating: -1, count: window.count)
        for (k, e) in window.enumerated() where e != spec.reference {
            ev[k] = names.count
            names.append("event=\(e)")
        }
        var ia = [Int](repeating: -1, count: window.count)
        if pooled {
            let c = names.count
            names.append("treated:post")
            for (k, e) in window.enumerated() where e >= 0 && e != spec.reference { ia[k] = c }
        } else {
            for (k, e) in window.enumerated() where e != spec.reference {
                ia[k] = names.count
                names.append("treated:event=\(e)")
            }
        }
        eventColumn = ev
        interactionColumn = ia
        controlStart = names.count
        names += spec.controls
        names += spec.baselineControls
        var fcols: [(String, [Int], [Int])] = []
        for f in spec.factorControls {
            let (levels, base) = sample.factorLevels[f]!
            var col = [Int](repeating: -1, count: levels.count)
            for (k, l) in levels.enumerated() where k != base {
                col[k] = names.count
                names.append(TermName.factorLevel(f, l))
            }
            fcols.append((f, sample.factorCodes[f]!, col))
        }
        factorColumns = fcols
        controlValues = spec.controls.map { sample.controlColumns[$0]! }
        baselineValues = spec.baselineControls.map { sample.baselineValues[$0]! }
        names.append(TermName.intercept)
        columnNames = names
    }

    public var rows: Int { sample.count }
    public var columns: Int { columnNames.count }

    /// Writes the design rows in `range`: zeros, then the ones of the
    /// indicator columns row by row, then the numeric columns gathered from
    /// the panel's columns (a copy per column, no per-row dictionary lookups).
    public func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        let m = range.count
        let lo = range.lowerBound
        block.reset(rows: m, zeroed: true)
        let cons = columns - 1
        for k in 0..<m {
            let i = lo + k
            let e = Int(sample.eventIndex[i])
            let t = sample.treated[i]
            if t { block[k, 0] = 1 }
            let ec = eventColumn[e]
            if ec >= 0 { block[k, ec] = 1 }
            let ic = interactionColumn[e]
            if t && ic >= 0 { block[k, ic] = 1 }
        }
        block.fillColumn(cons, with: 1)
        var col = controlStart
        let rowsOfBlock = sample.panelRows[range]
        for v in controlValues {
            block.gatherColumn(col, from: v, at: rowsOfBlock)
            col += 1
        }
        let persons = sample.person[range]
        for v in baselineValues {
            block.gatherColumn(col, from: v, at: persons)
            col += 1
        }
        for f in factorColumns {
            for k in 0..<m {
                let c = f.columnOfLevel[f.codes[sample.panelRows[lo + k]]]
                if c >= 0 { block[k, c] = 1 }
            }
        }
    }

    /// The design row of a reference person at window index `e`, treated or
    /// not: numeric and baseline controls at the given values, factor controls
    /// at their base levels.
    func referenceRow(eventIndex e: Int, treated t: Bool, controlValues: [Double]) -> [Double] {
        var x = [Double](repeating: 0, count: columns)
        if t { x[0] = 1 }
        if eventColumn[e] >= 0 { x[eventColumn[e]] = 1 }
        if t && interactionColumn[e] >= 0 { x[interactionColumn[e]] = 1 }
        for (k, v) in controlValues.enumerated() { x[controlStart + k] = v }
        x[columns - 1] = 1
        return x
    }
}
