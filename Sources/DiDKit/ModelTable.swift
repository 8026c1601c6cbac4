import Estimation

/// Several results side by side, as fixest's `etable` and Stata's `esttab`: one column per model,
/// one row per term (estimate with stars, its SE or interval below), then footer rows (N,
/// persons, pre-trend p) and the models' notes. Rows are matched across columns by their
/// ``EffectLabel`` (structured parts), never by parsing names; the intercept `_cons` goes last.
///
/// Built from gated documents (``ModelTable/Column``), usually loaded from the JSON files of
/// `didkit logit/ols/did/attgt/etwfe/effects --format json` or a report's `results.json`
/// (``ModelTable/load(paths:titles:disclosure:)``); every count passes the disclosure gate again.
public struct ModelTable: Sendable {
    /// What a column estimates; a table holds one kind only (a regression's coefficients and a
    /// group-time ATT are not rows of one table).
    public enum Kind: String, Sendable {
        case regression
        case groupTime = "group-time"
        case treatmentEffect = "treatment-effect"

        /// How a sentence names the kind.
        public var description: String {
            switch self {
            case .regression: return "a regression (logit, ols, did)"
            case .groupTime: return "a group-time ATT result (attgt, etwfe)"
            case .treatmentEffect: return "a treatment-effect result (effects)"
            }
        }
    }

    /// The footer's count rows.
    public enum Count: String, Sendable, CaseIterable {
        case observations = "N"
        case persons = "Persons"
        case treated = "Persons, treated"
        case control = "Persons, control"
    }

    /// One model.
    public struct Column: Sendable {
        public var title: String
        /// The file the column came from (named in errors), if any.
        public var source: String?
        public var kind: Kind
        /// `logit`, `ols`, `probit`, `callaway-santanna`, `etwfe`, `ipw`, ...
        public var model: String
        /// The estimates on their own scale (log odds for logit).
        public var effects: EffectTable
        /// Odds ratios of a logit (exponentiated on request), row for row with ``effects``.
        public var oddsRatios: EffectTable?
        /// Rows (indices into ``effects``) the gate withheld.
        public var withheld: Set<Int>
        /// Footer counts; a key with a nil value is withheld.
        public var counts: [Count: Int?]
        public var preTrendP: Double?
        public var notes: [String]

        public init(title: String, source: String? = nil, kind: Kind, model: String, effects: EffectTable, oddsRatios: EffectTable? = nil,
                    withheld: Set<Int> = [], counts: [Count: Int?] = [:], preTrendP: Double? = nil, notes: [String] = []) {
            self.title = title
            self.source = source
            self.kind = kind
            self.model = model
            self.effects = effects
            self.oddsRatios = oddsRatios
            self.withheld = withheld
            self.counts = counts
            self.preTrendP = preTrendP
            self.notes = notes
        }

        /// The effects shown: odds ratios when asked for and the column has them.
        func shown(eform: Bool) -> EffectTable { eform ? (oddsRatios ?? effects) : effects }
    }

    /// What goes below each estimate.
    public enum Below: String, Sendable, CaseIterable {
        case standardError = "se"
        case confidenceInterval = "ci"
        case none
    }

    public var columns: [Column]
    public var disclosure: DisclosureControl

    /// - Throws: ``ModelTableError/mixedKinds`` naming the first column of another kind than the first,
    ///   ``ModelTableError/empty`` without columns.
    public init(columns: [Column], disclosure: DisclosureControl = DisclosureControl()) throws {
        guard let first = columns.first else { throw ModelTableError.empty }
        if let other = columns.first(where: { $0.kind != first.kind }) {
            throw ModelTableError.mixedKinds(file: other.source ?? other.title, kind: other.kind, firstFile: first.source ?? first.title,
                                             firstKind: first.kind)
        }
        self.columns = columns
        self.disclosure = disclosure
    }

    /// Row labels in first-appearance order across the columns, the intercept last (as etable).
    public var labels: [EffectLabel] {
        var order: [EffectLabel] = []
        var seen = Set<EffectLabel>()
        for c in columns { for e in c.effects.rows where seen.insert(e.label).inserted { order.append(e.label) } }
        let intercept = order.filter { $0.term == TermName.intercept }
        return order.filter { $0.term != TermName.intercept } + intercept
    }

    /// The table for reports (text, Markdown, HTML, LaTeX through ``ReportTable``): per row label
    /// the estimate with stars and, on the line below, `(SE)` or `[lo, hi]`; footer rows after a rule.
    /// - Parameters:
    ///   - eform: odds ratios for the logit columns (other columns unchanged, said in a note).
    ///   - digits: decimals of estimates and SEs (default 3, as esttab's `b(3)`).
    public func reportTable(title: String = "Model comparison", eform: Bool = false, below: Below = .standardError,
                            stars: StarConvention? = .regression, digits: Int = 3) -> ReportTable {
        var rows: [[String]] = []
        for label in labels {
            var top = [Self.rowText(label)], under = [""]
            for c in columns {
                let t = c.shown(eform: eform)
                guard let k = t.rows.firstIndex(where: { $0.label == label }) else { top.append(""); under.append(""); continue }
                let e = t.rows[k]
                if c.withheld.contains(k) { top.append("withheld"); under.append(""); continue }
                if e.isReference { top.append("reference"); under.append(""); continue }
                top.append(Format.fixed(e.estimate, digits) + (stars?.stars(e.pValue ?? .nan) ?? ""))
                switch below {
                case .standardError: under.append(e.standardError.map { "(" + Format.fixed($0, digits) + ")" } ?? "")
                case .confidenceInterval:
                    under.append(e.ciLower != nil || e.ciUpper != nil
                                 ? "[" + Format.fixed(e.ciLower ?? .nan, digits) + ", " + Format.fixed(e.ciUpper ?? .nan, digits) + "]" : "")
                case .none: break
                }
            }
            rows.append(top)
            if below != .none { rows.append(under) }
        }
        let lastBody = rows.count - 1
        let marker = "<\(disclosure.minimumCellSize)"
        for count in Count.allCases where columns.contains(where: { $0.counts[count] != nil }) {
            rows.append([count.rawValue] + columns.map { c in
                guard let v = c.counts[count] else { return "" }
                return v.flatMap { disclosure.count($0) }.map(Format.count) ?? marker
            })
        }
        if columns.contains(where: { $0.preTrendP != nil }) {
            rows.append(["Pre-trend p"] + columns.map { $0.preTrendP.map { Format.fixed($0, 3) } ?? "" })
        }
        return ReportTable(title: title, columns: [""] + columns.map(\.title), rows: rows,
                           notes: notes(eform: eform, below: below, stars: stars), rulesAfter: lastBody >= 0 ? [lastBody] : [])
    }

    func notes(eform: Bool, below: Below, stars: StarConvention?) -> [String] {
        var out: [String] = []
        let level = columns.first.map { Format.fixed($0.effects.level, $0.effects.level == $0.effects.level.rounded() ? 0 : 1) } ?? "95"
        let what: String
        switch below {
        case .standardError: what = "Standard errors in parentheses"
        case .confidenceInterval: what = "\(level)% confidence intervals in brackets"
        case .none: what = "Estimates only"
        }
        out.append(what + (stars.map { "; \($0.legend)." } ?? "."))
        let logits = columns.filter { $0.oddsRatios != nil }
        if eform && !logits.isEmpty {
            out.append("Odds ratios exp(b) for \(logits.map(\.title).joined(separator: ", ")) (SE by the delta method, interval exp of the coefficient interval)"
                       + (logits.count < columns.count ? "; other columns on their own scale." : "."))
        }
        for c in columns {
            let scale = c.shown(eform: eform).scale
            if c.kind == .groupTime {
                out.append("\(c.title): \(c.model), ATT on the outcome's scale as saved (percentage points for a 0/1 outcome); p-values from ATT / SE (normal); a simultaneous band is not shown.")
            } else {
                out.append("\(c.title): \(c.model), \(scale.header.lowercased()) (\(scale.rawValue)), SE \(c.effects.vce ?? "n/a").")
            }
            out += c.notes.map { "\(c.title): \(disclosure.gatingCounts(in: $0))" }
        }
        if columns.contains(where: { !$0.withheld.isEmpty || $0.counts.values.contains { $0 == nil } }) { out.append(disclosure.note) }
        return out
    }

    /// A row's label: the term, or the group-time part (`start-1`, `group 2004`, `time 2005`), or the name.
    static func rowText(_ l: EffectLabel) -> String {
        if let t = l.term { return t }
        return l.text
    }

    /// Every column's tidy rows (`didkit table --format csv`), model = the column's title.
    public func tidy(eform: Bool = false) -> TidyTable {
        var out = TidyTable()
        for c in columns {
            var t = TidyTable(c.effects, model: c.title, component: c.kind.rawValue) { k, _ in
                c.withheld.contains(k) ? withheldReason(disclosure.minimumCellSize) : nil
            }
            if eform, let or = c.oddsRatios {
                t = t + TidyTable(or, model: c.title, component: c.kind.rawValue) { k, _ in
                    c.withheld.contains(k) ? withheldReason(disclosure.minimumCellSize) : nil
                }
            }
            for i in t.rows.indices where t.rows[i].persons != nil { t.rows[i].persons = t.rows[i].persons.flatMap { disclosure.count($0) } }
            out = out + t
            for count in Count.allCases {
                guard let v = c.counts[count] else { continue }
                let row = TidyRow(model: c.title, component: "counts", label: EffectLabel(name: count.rawValue), scale: "count",
                                  estimate: v.flatMap { disclosure.count($0) }.map(Double.init))
                out.rows.append(row.estimate == nil ? row.withheld(withheldReason(disclosure.minimumCellSize)) : row)
            }
            if let p = c.preTrendP {
                out.rows.append(TidyRow(model: c.title, component: "pre-trend", label: EffectLabel(name: "pre-trend"), scale: "chi2", pValue: p))
            }
        }
        return out
    }
}

/// Why a model table cannot be made: one sentence naming the file and what to do.
public enum ModelTableError: Error, CustomStringConvertible, Equatable {
    case empty
    case unreadable(file: String, reason: String)
    case notJSON(file: String, reason: String)
    case notAResult(file: String)
    /// A DiDKit result of a kind `table` does not set side by side (a match).
    case notTabulated(file: String, kind: String)
    case malformed(file: String, kind: String, reason: String)
    case mixedKinds(file: String, kind: ModelTable.Kind, firstFile: String, firstKind: ModelTable.Kind)
    case gatedBelow(file: String, size: Int, required: Int)

    public var description: String {
        switch self {
        case .empty: return "no results given: name at least one JSON file written by didkit ... --format json"
        case .unreadable(let f, let why): return "cannot read '\(f)' (\(why)): check the path"
        case .notJSON(let f, let why): return "'\(f)' is not JSON (\(why)): give a file written by didkit logit/ols/did/attgt/etwfe/effects --format json"
        case .notAResult(let f):
            return "'\(f)' is not a DiDKit result (none of the keys terms, eventStudy, attgt, effect or models): give a file written by didkit logit/ols/did/attgt/etwfe/effects --format json, or a report's results.json"
        case .notTabulated(let f, let kind):
            return "'\(f)' is a didkit \(kind) result, which table does not set side by side (it compares logit/ols, did, attgt/etwfe and effects results): read it as it is"
        case .malformed(let f, let kind, let why): return "'\(f)' looks like a didkit \(kind) result but cannot be read (\(why)): write it again with the current didkit"
        case .mixedKinds(let f, let k, let first, let fk):
            return "'\(f)' is \(k.description) but '\(first)' is \(fk.description): a table compares results of one kind, so make one table per kind"
        case .gatedBelow(let f, let size, let required):
            return "'\(f)' was gated with a minimum cell size of \(size), below this table's \(required): estimate it again with --minimum-cell-size \(required)"
        }
    }
}
