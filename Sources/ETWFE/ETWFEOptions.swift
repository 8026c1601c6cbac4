import Estimation

/// The model family of an ETWFE fit.
///
/// - `linear`: OLS on the explicit-dummy design (R etwfe's `feols`, Stata
///   jwdid's `regress`/`reghdfe`).
/// - `logit`: maximum-likelihood logit by IRLS on the streamed design
///   (etwfe's `family = "logit"`, jwdid's `method(logit)`).
///
/// Default (nil in ``ETWFEOptions``): logit for a 0/1 outcome, else linear (the CLI contract).
public enum ETWFEFamily: String, StrictOption {
    case linear
    case logit
    public static let optionName = "family"
}

/// Which untreated observations identify the counterfactual.
///
/// - `notyet` (default, as R etwfe's `cgroup = "notyet"` and jwdid's default):
///   treatment indicators only for `t >= g`; the not-yet-treated periods of
///   later cohorts and the never treated serve as controls.
/// - `never` (etwfe's `cgroup = "never"`, jwdid's `never`): every cohort x
///   period cell of a treated cohort except the first period (the reference,
///   etwfe's `tref`) gets its own indicator, so only the never treated identify
///   the period effects; the pre-treatment cells are placebo estimates.
public enum ETWFEControl: String, StrictOption {
    case notyet
    case never
    public static let optionName = "control"
}

/// The aggregations of the cell ATTs, as `etwfe::emfx(type =)`: weights are the
/// cells' treated-observation counts (cell sizes).
///
/// - `simple`: every post-treatment cell (`t >= g`);
/// - `group`: by cohort, over its post-treatment cells;
/// - `calendar`: by period, over the post-treatment cells of that period;
/// - `event`: by event time `e = t - g` (with `never` controls also `e < 0`).
public enum ETWFEAggregation: String, StrictOption {
    case simple
    case group
    case calendar
    case event
    public static let optionName = "aggregate"
}

/// Options of ``ETWFE/fit(_:options:)``. Inference (SE kind, level) is chosen
/// after the fit, in ``ETWFEFit/effects(vce:level:)``.
public struct ETWFEOptions: Sendable, Equatable {
    /// nil: logit for a 0/1 outcome, else linear.
    public var family: ETWFEFamily?
    public var control: ETWFEControl
    /// Fit the no-covariate logit on cohort x period x outcome cells with frequency weights
    /// (exact: every row of a cell has the same design row). Default false: the collapsed fit is
    /// then chosen only above ``collapseAbove`` person-years. Every SE kind is identical to the
    /// row-level fit's (`cluster` from the cohort moments of the outcome vectors,
    /// ``ETWFEFit/collapsedClusterCovariance(_:)``). See ``ETWFE/fit(_:options:)``.
    public var collapse: Bool

    /// Person-years above which the no-covariate logit is fitted on collapsed cells
    /// (R etwfe's `emfx(collapse = "auto")` threshold, 500,000 rows).
    public static let collapseAbove = 500_000

    public init(family: ETWFEFamily? = nil, control: ETWFEControl = .notyet, collapse: Bool = false) {
        self.family = family
        self.control = control
        self.collapse = collapse
    }
}
