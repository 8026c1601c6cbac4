import Estimation
/// The estimator of each ATT(g,t) (R did's `est_method`, plus Stata csdid's default).
public enum ATTMethod: String, StrictOption {
    public static let optionName = "method"
    /// Outcome regression (Heckman, Ichimura & Todd 1997): DRDID `reg_did_panel`.
    case reg
    /// Normalised (Hajek) inverse probability weighting (Abadie 2005): DRDID `std_ipw_did_panel`.
    case ipw
    /// Sant'Anna & Zhao (2020) traditional doubly robust estimator with a logit propensity score and OLS:
    /// DRDID `drdid_panel` (R did's default `est_method = "dr"`).
    case dr
    /// Sant'Anna & Zhao (2020) improved, locally efficient doubly robust estimator: propensity score by
    /// inverse probability tilting (Graham, Pinto & Egel 2012), outcome by OLS weighted by `p/(1-p)`:
    /// DRDID `drdid_imp_panel` (Stata csdid's default `dripw`).
    case drimp
}

/// Which units serve as comparisons for group g (R did's `control_group`).
public enum ComparisonGroup: String, StrictOption {
    public static let optionName = "control"
    /// Units never treated in the sample (group 0): `nevertreated`.
    case never
    /// Never treated plus units not yet treated: group `> max(t, base) + anticipation` and not g: `notyettreated`.
    case notyet
}

/// The base period of each ATT(g,t) (R did's `base_period`).
public enum BasePeriod: String, StrictOption {
    public static let optionName = "base"
    /// For `t < g - K` compare `t` with `t - 1`; for `t >= g - K` compare with `g - K - 1` (R did's default).
    case varying
    /// Always compare with `g - K - 1`; that period's own cell is a reference (0, no SE).
    case universal
}

/// The multiplier bootstrap's weights.
public enum MultiplierWeights: String, StrictOption {
    public static let optionName = "weights"
    /// Mammen's two-point weights `(1 - sqrt 5)/2` w.p. `(sqrt 5 + 1)/(2 sqrt 5)`, else `(1 + sqrt 5)/2` (R did's mboot).
    case mammen
    /// `+-1` with probability 1/2 each (Stata csdid's default `wboot`).
    case rademacher
}

/// The aggregations of `did::aggte`.
public enum AggregationType: String, StrictOption {
    public static let optionName = "aggregate"
    case simple, dynamic, group, calendar
}

/// Options of ``GroupTimeATT``; the defaults are R did's (`att_gt` and `aggte`), except the bootstrap
/// (R did bootstraps by default; here 0 = analytic SEs, which are deterministic and cheap on register data).
public struct StaggeredOptions: Sendable, Equatable {
    /// Default `dr`, as R did's `est_method = "dr"`.
    public var method: ATTMethod
    /// Default `never`, as R did's `control_group = "nevertreated"`.
    public var control: ComparisonGroup
    /// Default `varying`, as R did.
    public var basePeriod: BasePeriod
    /// Periods of anticipation `K >= 0` (default 0).
    public var anticipation: Int
    /// Multiplier-bootstrap replications (0 = analytic SEs only; R did uses 999 when it bootstraps).
    public var bootstrap: Int
    public var seed: UInt64
    public var weights: MultiplierWeights
    /// Confidence level in percent (default 95).
    public var level: Double
    /// Event-time window and balancing of `aggte` (`min_e`, `max_e`, `balance_e`), in time units.
    public var minEvent: Int?
    public var maxEvent: Int?
    /// `balance_e`: 0 or more (a negative value is ``StaggeredError/invalidOption(_:)``).
    public var balanceEvent: Int?

    public init(method: ATTMethod = .dr, control: ComparisonGroup = .never, basePeriod: BasePeriod = .varying,
                anticipation: Int = 0, bootstrap: Int = 0, seed: UInt64 = 1, weights: MultiplierWeights = .mammen,
                level: Double = 95, minEvent: Int? = nil, maxEvent: Int? = nil, balanceEvent: Int? = nil) {
        self.method = method
        self.control = control
        self.basePeriod = basePeriod
        self.anticipation = anticipation
        self.bootstrap = bootstrap
        self.seed = seed
        self.weights = weights
        self.level = level
        self.minEvent = minEvent
        self.maxEvent = maxEvent
        self.balanceEvent = balanceEvent
    }

    func validate() throws {
        if anticipation < 0 { throw StaggeredError.invalidOption("anticipation must be 0 or more periods, got \(anticipation)") }
        if bootstrap < 0 { throw StaggeredError.invalidOption("the number of bootstrap replications must be 0 or more, got \(bootstrap)") }
        if bootstrap > 0 && bootstrap < 20 {
            throw StaggeredError.invalidOption("a multiplier bootstrap needs at least 20 replications for its quartiles, got \(bootstrap)")
        }
        if !(level > 0 && level < 100) {
            throw StaggeredError.invalidOption("the confidence level must be strictly between 0 and 100 percent (for example 95), got \(level)")
        }
        // R did's `balance_e` counts periods after treatment: a negative value would keep only pre-treatment
        // event times and no post-treatment effect (R did accepts it silently).
        if let be = balanceEvent, be < 0 {
            throw StaggeredError.invalidOption("the event-time balancing (balance_e) must be 0 or more periods after treatment, got \(be)")
        }
        if let a = minEvent, let b = maxEvent, a > b {
            throw StaggeredError.invalidOption("the minimum event time \(a) exceeds the maximum \(b)")
        }
    }
}
