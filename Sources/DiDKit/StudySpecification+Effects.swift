import Regression
import TreatmentEffects

extension StudySpecification {
    /// The study file's optional `effects` step: teffects-style estimators side by side on the baseline
    /// cross-section (one row per eligible person: participants and the eligible control pool, before matching),
    /// covariates read at the matching baseline, the outcome read at `outcomeRelativeYear` from each person's
    /// (pseudo) start. Keys are decoded strictly.
    public struct EffectsOptions: Codable, Sendable, Equatable {
        /// `ra`, `ipw`, `aipw`, `ipwra`, `psmatch`, `nnmatch`, in the order of the report's rows.
        public var estimators: [TreatmentEffectMethod]
        /// `ate` (default, as Stata) or `atet` (aipw has no ATET, as Stata).
        public var estimand: TreatmentEffectEstimand?
        /// The outcome column (default: the study's outcome).
        public var outcome: String?
        /// The year the outcome is read, relative to the start (default: the window's last year).
        public var outcomeRelativeYear: Int?
        /// Covariates of both the treatment and the outcome models (default: the matching covariates).
        public var covariates: [String]?
        /// Factor columns among the covariates (default: the matching factors).
        public var factors: [String]?
        /// `logit` (default, as Stata) or `probit`.
        public var treatmentModel: BinaryLink?
        /// `linear` (default, as Stata) or `logit` (0/1 outcome).
        public var outcomeModel: OutcomeModelKind?
        /// psmatch, nnmatch: matches per person (default 1; ties are added).
        public var neighbors: Int?

        public init(estimators: [TreatmentEffectMethod], estimand: TreatmentEffectEstimand? = nil, outcome: String? = nil,
                    outcomeRelativeYear: Int? = nil, covariates: [String]? = nil, factors: [String]? = nil,
                    treatmentModel: BinaryLink? = nil, outcomeModel: OutcomeModelKind? = nil, neighbors: Int? = nil) {
            self.estimators = estimators
            self.estimand = estimand
            self.outcome = outcome
            self.outcomeRelativeYear = outcomeRelativeYear
            self.covariates = covariates
            self.factors = factors
            self.treatmentModel = treatmentModel
            self.outcomeModel = outcomeModel
            self.neighbors = neighbors
        }
    }

    /// The `effects` section's checks (one sentence naming the key).
    /// - Throws: ``StudyError/invalidOption(_:)``.
    func validateEffects() throws {
        guard let e = effects else { return }
        func invalid(_ why: String) -> StudyError { .invalidOption(why) }
        if e.estimators.isEmpty { throw invalid("effects.estimators is empty: list one or more of ra, ipw, aipw, ipwra, psmatch, nnmatch") }
        if Set(e.estimators).count != e.estimators.count { throw invalid("effects.estimators lists an estimator twice: list each once") }
        if e.estimand == .atet && e.estimators.contains(.aipw) {
            throw invalid("effects: aipw estimates the ATE only (as Stata's teffects aipw): drop aipw or use estimand \"ate\"")
        }
        if let k = e.neighbors, k < 1 { throw invalid("effects.neighbors must be at least 1, got \(k)") }
        if let c = e.covariates, c.isEmpty { throw invalid("effects.covariates is empty: leave it out to use the matching covariates") }
    }
}
