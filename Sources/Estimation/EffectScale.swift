/// The scale an estimate is reported on. Every estimator's effects carry one,
/// so tables, plots and the disclosure gate know what a number means without
/// parsing its label.
public enum EffectScale: String, Codable, Sendable, CaseIterable {
    /// A coefficient of a logit or probit model (log odds ratio for logit).
    case logOdds = "log-odds"
    /// `exp(b)`, with the delta-method SE `exp(b) SE(b)` and `exp` of the coefficient interval.
    case oddsRatio = "odds-ratio"
    /// A difference of probabilities times 100 (an ATT or an AME on a 0/1 outcome).
    case percentagePoints = "percentage-points"
    /// A probability (a predicted share), on 0...1.
    case probability
    /// The outcome's own units (an OLS coefficient, an ATT on a continuous outcome).
    case outcomeUnits = "outcome-units"

    /// The value of "no effect" on this scale: 1 for odds ratios, 0 otherwise (nil for a probability level).
    public var nullValue: Double? {
        switch self {
        case .oddsRatio: return 1
        case .probability: return nil
        default: return 0
        }
    }

    /// A short column header (`Odds ratio`, `ATT (pp)`, ...).
    public var header: String {
        switch self {
        case .logOdds: return "Coef."
        case .oddsRatio: return "Odds ratio"
        case .percentagePoints: return "Effect (pp)"
        case .probability: return "Probability"
        case .outcomeUnits: return "Coef."
        }
    }
}
