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
    /// What a design column is, so that tables label it without parsing its name.
    public enum Column: Sendable, Equatable {
        case treated
        /// The event-time dummy `event=e`.
        case event(Int)
        /// The interaction `treated:event=e`.
        case treatedEvent(Int)
        /// The pooled variant's `treated:post`.
        case treatedPost
        /// A numeric or baseline control.
        case control(String)
        /// A factor control's level dummy.
        case factorLevel(factor: String, level: String)
        case intercept

        /// The label of an estimate of this column.
        public var label: EffectLabel {
            switch self {
            case .treated: return EffectLabel(term: TermName.treated)
            case .event(let e): return EffectLabel(event: e)
            case .treatedEvent(let e): return EffectLabel(term: TermName.treated, event: e)
            case .treatedPost: return EffectLabel(term: TermName.treatedPost)
            case .control(let c): return EffectLabel(term: c)
            case .factorLevel(let f, let l): return EffectLabel(term: TermName.factorLevel(f, l))
            case .intercept: return EffectLabel(term: TermName.intercept)
            }
        }
    }

    public let sample: EventStudySample
    public let pooled: Bool
    public let columnNames: [String]
    /// The role of each column, in `columnNames` order.
    public let columnRoles: [Column]
    let eventColumn: [Int]          // per window index: column of event=e, or -1 for the reference
    let interactionColumn: [Int]    // per window index: column of treated:event=e (or treated:post), or -1
    let controlStart: Int
    let factorColumns: [(name: String, codes: [Int], columnOfLevel: [Int])]   // codes per sample row
    let controlValues: [NumericColumn]   // per numeric control, indexed by panel row
    let baselineValues: [[Double]]  // per baseline control, indexed by person

    public init(sample: EventStudySample, pooled: Bool = false) {
        self.sample = sample
        self.pooled = pooled
        let spec = sample.specification
        let window = Array(spec.window)
        var roles: [Column] = [.treated]
        var ev = [Int](repeating: -1, count: window.count)
        for (k, e) in window.enumerated() where e != spec.reference {
            ev[k] = roles.count
            roles.append(.event(e))
        }
        var ia = [Int](repeating: -1, count: window.count)
        if pooled {
            let c = roles.count
            roles.append(.treatedPost)
            for (k, e) in window.enumerated() where e >= 0 && e != spec.reference { ia[k] = c }
        } else {
            for (k, e) in window.enumerated() where e != spec.reference {
                ia[k] = roles.count
                roles.append(.treatedEvent(e))
            }
        }
        eventColumn = ev
        interactionColumn = ia
        controlStart = roles.count
        roles += (spec.controls + spec.baselineControls).map { Column.control($0) }
        var fcols: [(String, [Int], [Int])] = []
        for f in spec.factorControls {
            let (levels, base) = sample.factorLevels[f]!
            var col = [Int](repeating: -1, count: levels.count)
            for (k, l) in levels.enumerated() where k != base {
                col[k] = roles.count
                roles.append(.factorLevel(factor: f, level: l))
            }
            fcols.append((f, sample.factorCodes[f]!, col))
        }
        factorColumns = fcols
        controlValues = spec.controls.map { sample.controlColumns[$0]! }
        baselineValues = spec.baselineControls.map { sample.baselineValues[$0]! }
        roles.append(.intercept)
        columnRoles = roles
        columnNames = roles.map(\.name)
    }

    /// The role of the column named `name`.
    public func role(of name: String) -> Column? { columnNames.firstIndex(of: name).map { columnRoles[$0] } }

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
        // The indicators are written through the block's raw elements, the sample's arrays read once each.
        let eventIndex = sample.eventIndex[range], treated = sample.treated[range]
        let rowsOfBlock = sample.panelRows[range]
        block.withUnsafeMutableElements { x, cap in
            for k in 0..<m {
                let e = Int(eventIndex[lo + k])
                let t = treated[lo + k]
                if t { x[k] = 1 }
                let ec = eventColumn[e]
                if ec >= 0 { x[k + ec * cap] = 1 }
                let ic = interactionColumn[e]
                if t && ic >= 0 { x[k + ic * cap] = 1 }
            }
            for f in factorColumns {
                for k in 0..<m {
                    let c = f.columnOfLevel[f.codes[lo + k]]
                    if c >= 0 { x[k + c * cap] = 1 }
                }
            }
        }
        block.fillColumn(cons, with: 1)
        var col = controlStart
        for v in controlValues {
            block.gatherColumn(col, from: v, at: rowsOfBlock)
            col += 1
        }
        let persons = sample.person[range]
        for v in baselineValues {
            block.gatherColumn(col, from: v, at: persons)
            col += 1
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

extension EventStudyDesign.Column {
    /// The column's term name (``TermName``).
    public var name: String {
        switch self {
        case .treated: return TermName.treated
        case .event(let e): return TermName.event(e)
        case .treatedEvent(let e): return TermName.treatedEvent(e)
        case .treatedPost: return TermName.treatedPost
        case .control(let c): return c
        case .factorLevel(let f, let l): return TermName.factorLevel(f, l)
        case .intercept: return TermName.intercept
        }
    }
}
