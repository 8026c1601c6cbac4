import Linalg

/// The units a matcher pairs: a treatment flag per unit, optional exact
/// strata, and what the matcher measures distance on (a one-dimensional score
/// such as the propensity score, or covariates for a multivariate metric).
public struct MatchingUnits: Sendable {
    public var treated: [Bool]
    /// One score per unit (probability scale for propensity scores).
    public var scores: [Double]?
    /// Covariates per unit (rows), for multivariate metrics such as Mahalanobis.
    public var covariates: Matrix?
    /// Exact-matching stratum per unit: pairs never cross strata.
    public var strata: [Int32]?

    public init(treated: [Bool], scores: [Double]? = nil, covariates: Matrix? = nil, strata: [Int32]? = nil) {
        self.treated = treated
        self.scores = scores
        self.covariates = covariates
        self.strata = strata
    }
}

/// A matching method, as MatchIt's `method =`: it pairs treated with control
/// units and returns a ``MatchResult`` (pairs, weights, the unmatched and why).
/// What the match is then used for (balance, effects, a panel) is a separate
/// function of the data and the result, so a new matcher (Mahalanobis,
/// optimal, full) plugs in without changing anything downstream.
public protocol Matcher: Sendable {
    /// - Throws: ``MatchingError``.
    func match(_ units: MatchingUnits) throws -> MatchResult
}

extension NearestNeighborMatcher: Matcher {
    /// Matches on `units.scores` (required: this matcher is one-dimensional).
    public func match(_ units: MatchingUnits) throws -> MatchResult {
        guard let scores = units.scores else { throw MatchingError.missingScores }
        return try match(scores: scores, treated: units.treated, strata: units.strata)
    }
}
