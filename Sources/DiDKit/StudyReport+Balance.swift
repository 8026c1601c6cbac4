import Foundation
import Plots

extension StudyReport {
    /// The love plot of the match (cobalt's `love.plot`): SMD before and after matching per
    /// covariate with threshold lines at ±0.1, from the gated match document.
    public func lovePlotSVG() -> String { matchDocument.lovePlotSVG() }

    /// The propensity-score model as the reference study and Stata's `logit` print it:
    /// coefficients, SEs, z, p, intervals and odds ratios (delta-method SEs), N, log likelihood,
    /// LR chi2 and McFadden's pseudo-R2. Terms resting on fewer than K persons are withheld
    /// (``MatchDocument``), and N is published only when the gate publishes both groups'
    /// entering counts (else it would give a suppressed one away).
    public func propensityModelTable() -> ReportTable {
        let model = matchDocument.propensityModel
        let link = model.model == "probit" ? "probit" : "logit"
        var table = model.reportTable(title: "Propensity-score model (\(link) of participation on baseline characteristics)")
        if suppressedCounts.contains("entering.treated") || suppressedCounts.contains("entering.control") {
            table.title = table.title.replacingOccurrences(of: "Number of obs = \(Format.count(model.observations))",
                                                           with: "Number of obs = withheld")
        }
        return table
    }
}
