import Estimation
import Foundation
import Plots

extension MatchDocument {
    /// The balance table in the reference study's layout (appendix table 7.1), with the numbers
    /// an evaluator checks beside the stars: after matching | before matching, means and the
    /// p-value of the t-test of equal means with its stars, then the SMDs and the variance
    /// ratios (treated / control) after and before.
    ///
    /// Columns 1, 2, 4, 5 are the means (as before this table had p-values), 3 and 6 the
    /// p-values, 7-8 the SMDs (`%bias` for the psmatch2 preset), 9-10 the variance ratios.
    /// - p-values: before matching the pooled-variance two-sample t-test; after matching the
    ///   t-test of the treatment coefficient in the regression of the covariate on the treatment
    ///   over the matched sample with treated weight 1 and control weight = matching weight
    ///   (pstest's `regress x treated [iw=_weight]`; Docs/Matching.md).
    /// - Variance ratios: `V1 / V0`, after matching with the weighted control variance
    ///   `sum w (x - m0)^2 / (sum w - 1)` (pstest, MatchIt's `Var. Ratio`, Stata's `tebalance
    ///   summarize`); shown as "." for 0/1 variables, as MatchIt, cobalt and pstest do, because
    ///   a share's variance `p (1 - p)` follows from its mean (the SMD already says it).
    public func balanceTable(stars: StarConvention = .balance, title: String = "Balance before and after matching") -> ReportTable {
        let smdName = preset == "psmatch2" ? "%bias" : "SMD"
        func smd(_ v: Double?) -> String {
            guard let v else { return "." }
            return preset == "psmatch2" ? Format.fixed(100 * v, 1) : Format.fixed(v, 3)
        }
        func mean(_ v: Double?, _ stats: Stats) -> String {
            guard let v else { return stats.suppressed == true ? "<\(minimumCellSize)" : "." }
            return Swift.abs(v) >= 1000 ? Format.count(Int(v.rounded())) : Format.fixed(v, 2)
        }
        func p(_ v: Double?) -> String {
            guard let v, v.isFinite else { return "." }
            let text = v < 0.001 ? "<0.001" : Format.fixed(v, 3)
            let s = stars.stars(v)
            return s == stars.notSignificant ? text : "\(text) \(s)"
        }
        func ratio(_ v: Double?, binary: Bool) -> String { binary ? "." : (v.map { Format.fixed($0, 2) } ?? ".") }
        var rows = balance.map { b -> [String] in
            let binary = b.binary == true
            return [b.name, mean(b.after.treatedMean, b.after), mean(b.after.controlMean, b.after), p(b.after.pValue),
                    mean(b.before.treatedMean, b.before), mean(b.before.controlMean, b.before), p(b.before.pValue),
                    smd(b.after.smd), smd(b.before.smd),
                    ratio(b.after.varianceRatio, binary: binary), ratio(b.before.varianceRatio, binary: binary)]
        }
        let c = { (n: Int?) in n.map(Format.count) ?? "<\(minimumCellSize)" }
        rows.append(["N", c(matchedTreated), c(matchedControls), "", c(treated), c(controls), "", "", "", "", ""])
        var notes = [
            "p: two-sided t-test of equal means (\(stars.legend)). Before matching the pooled-variance two-sample t-test; after matching the regression of the covariate on the treatment over the matched sample, controls weighted by their matching weights (pstest). Control means after matching are weighted the same way.",
            "Variance ratio: treated variance / control variance (after matching the weighted control variance); not shown for 0/1 variables, whose variance p(1-p) follows from the mean (as MatchIt, cobalt and pstest).",
        ]
        notes.append(preset == "psmatch2"
            ? "%bias = 100 (m1 - m0) / sqrt((V1 + V0) / 2) with the unmatched variances (pstest)."
            : "SMD = (m1 - m0) / SD of the treated before matching; sqrt(p(1-p)) for 0/1 variables (MatchIt/cobalt).")
        notes.append("Matched \(c(matchedTreated)) of \(c(treated)) treated with \(c(matchedControls)) controls"
                     + (caliper.map { "; caliper \(Format.fixed($0, 4)) in score units" } ?? "") + ".")
        if treatedWithFewerControls != 0 {
            notes.append("\(c(treatedWithFewerControls)) matched treated have fewer controls than asked for (a pool or stratum smaller than k, or the caliper).")
        }
        for (reason, n) in unmatchedByReason.sorted(by: { $0.key < $1.key }) where n != 0 {
            notes.append("\(c(n)) treated unmatched: \(reason).")
        }
        if suppressed == true || balance.contains(where: { $0.before.suppressed == true || $0.after.suppressed == true }) {
            notes.append(DisclosureControl(minimumCellSize: minimumCellSize).note)
        }
        return ReportTable(title: title, columns: ["Covariate", "After: treated", "control", "p", "Before: treated", "control", "p",
                                                   "\(smdName) after", "\(smdName) before", "Var. ratio after", "Var. ratio before"],
                           rows: rows, notes: notes, rulesAfter: [rows.count - 2])
    }

    /// The love plot of this match (cobalt's `love.plot`): each balance row's SMD before and
    /// after matching in the preset's convention (pstest's %bias / 100 for psmatch2), withheld
    /// SMDs not drawn; the `_score` row (the propensity score) is drawn as cobalt draws the
    /// distance by default (`drop.distance = FALSE`).
    public func lovePlotSVG(threshold: Double = 0.1) -> String {
        let rows = balance.map { LovePlotRow(name: $0.name, before: $0.before.smd, after: $0.after.smd) }
        let label = preset == "psmatch2" ? "Standardised mean difference (pstest: %bias / 100)"
                                         : "Standardised mean difference (SD of the treated before matching)"
        return Plots.lovePlot(rows, threshold: threshold, xLabel: label)
    }
}
