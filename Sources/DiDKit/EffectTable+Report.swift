import Estimation
import Regression

extension EffectTable {
    /// The effect table as a report table, the one renderer of every estimator's effects:
    /// label, estimate, SE, the interval at the table's own level (`[95% CI]`, or `[95% band]`
    /// for a simultaneous band), p-value and stars; a reference row says `reference`; a missing
    /// SE, interval or p-value prints as Stata's `.`.
    /// - Parameters:
    ///   - labelHeader: the first column's header (`Event time`, `Term`, `Group, time`).
    ///   - label: the row label (default ``EffectLabel/text``).
    public func reportTable(labelHeader: String, label: (EffectLabel) -> String = { $0.text }, digits: Int = 3,
                            stars: StarConvention = .regression, notes: [String] = []) -> ReportTable {
        let interval = "[\(Format.fixed(level, level == level.rounded() ? 0 : 1))% \(uniformBand ? "band" : "CI")]"
        let body = rows.map { e -> [String] in
            if e.isReference { return [label(e.label), "reference", "", "", "", ""] }
            return [label(e.label), Format.fixed(e.estimate, digits), Format.fixed(e.standardError ?? .nan, digits),
                    "[" + Format.fixed(e.ciLower ?? .nan, digits) + ", " + Format.fixed(e.ciUpper ?? .nan, digits) + "]",
                    Format.pValue(e.pValue ?? .nan), stars.stars(e.pValue ?? .nan)]
        }
        return ReportTable(title: title, columns: [labelHeader, scale.header, "Std. err.", interval, "P", ""], rows: body,
                           notes: self.notes + notes)
    }
}
