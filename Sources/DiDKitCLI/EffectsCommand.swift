import ArgumentParser
import DiDKit
import Foundation

extension TreatmentEffectMethod: ExpressibleByArgument {}
extension TreatmentEffectEstimand: ExpressibleByArgument {}
extension OutcomeModelKind: ExpressibleByArgument {}
extension MatchingMetric: ExpressibleByArgument {}

/// `didkit effects`: average treatment effects without a panel (Stata's `teffects`), as
/// `shared/cli-contract.md` fixes it.
struct EffectsCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "effects",
        abstract: "Average treatment effects (ATE, ATET) on cross-sectional data: regression adjustment, IPW, AIPW and IPWRA with Stata teffects' M-estimation standard errors.")

    @Option(help: "Data file: CSV with a header row, or Stata .dta, SAS .sas7bdat/.xpt, SPSS .sav/.zsav.") var data: String
    @Option(help: "The outcome column.") var outcome: String
    @Option(help: "The 0/1 treatment column.") var treatment: String
    @Option(help: "Estimator: ra, ipw, aipw, ipwra, psmatch or nnmatch.") var method: TreatmentEffectMethod
    @Option(help: "Comma-separated covariates of the outcome models (ra, aipw, ipwra) or the matching covariates (nnmatch).") var outcomeCovariates: String?
    @Option(help: "Comma-separated covariates of the treatment model (ipw, aipw, ipwra).") var treatmentCovariates: String?
    @Option(help: "Comma-separated factor columns.") var factors: String?
    @Option(parsing: .singleValue, help: "Base level of a factor, as f=LEVEL (repeatable).") var base: [String] = []
    @Option(help: "Treatment model: logit or probit.") var treatmentModel: BinaryLink = .logit
    @Option(help: "Outcome model: linear, or logit for a 0/1 outcome.") var outcomeModel: OutcomeModelKind = .linear
    @Option(help: "Estimand: ate (everyone) or atet (the treated).") var estimand: TreatmentEffectEstimand = .ate
    @Flag(help: "aipw: fit the outcome models by weighted least squares (Stata's wnls).") var wnls = false
    @Option(parsing: .unconditional, help: "Matching estimators: neighbours per person (ties are added; default 1).") var neighbors: Int?
    @Option(help: "nnmatch: distance metric, mahalanobis (default) or ivariance.") var metric: MatchingMetric?
    @Flag(help: "nnmatch: bias correction on the matching covariates (Abadie-Imbens 2011).") var biasAdjust = false
    @Option(parsing: .unconditional, help: "Matching estimators: caliper on the distance.") var caliper: Double?
    @Option(parsing: .unconditional, help: "Confidence level in percent.") var level: Double = 95
    @Option(help: "Output format: text, json, markdown, csv or latex.") var format: OutputFormat = .text

    @OptionGroup var disclosure: DisclosureOptions

    func validate() throws {
        if !(level > 0 && level < 100) { throw ValidationError("--level must be strictly between 0 and 100 (a percentage, for example 95), got \(level)") }
        let matching = method == .psmatch || method == .nnmatch
        if !matching && (neighbors != nil || caliper != nil) {
            throw ValidationError("--neighbors and --caliper apply to the matching estimators (psmatch, nnmatch) only")
        }
        if let k = neighbors, k < 1 { throw ValidationError("--neighbors must be at least 1, got \(k)") }
        if let c = caliper, !(c > 0) { throw ValidationError("--caliper must be positive, got \(c)") }
        if !method.usesTreatmentModel && treatmentCovariates != nil {
            throw ValidationError("--method \(method.rawValue) has no treatment model: drop --treatment-covariates or use aipw or ipwra")
        }
        if method == .nnmatch && outcomeCovariates == nil {
            throw ValidationError("--method nnmatch matches on --outcome-covariates: name at least one")
        }
        if method != .nnmatch && (metric != nil || biasAdjust) {
            throw ValidationError("--metric and --bias-adjust apply to --method nnmatch only")
        }
        if !method.usesOutcomeCovariates && outcomeCovariates != nil {
            throw ValidationError("--method \(method.rawValue) has no outcome model: drop --outcome-covariates or use aipw or ipwra")
        }
        if !method.usesOutcomeModel && outcomeModel != .linear {
            throw ValidationError("--method \(method.rawValue) has no outcome model: drop --outcome-model or use ra, aipw or ipwra")
        }
        if method == .aipw && estimand == .atet {
            throw ValidationError("--method aipw estimates the ATE only (as Stata's teffects aipw): use --estimand ate, or ipwra for the ATET")
        }
        if wnls && method != .aipw { throw ValidationError("--wnls applies to --method aipw only") }
        // The outcome and the treatment each play one role; a covariate may sit in both covariate lists.
        for (flag, list) in [("--outcome-covariates", outcomeCovariates), ("--treatment-covariates", treatmentCovariates)] {
            for c in commaList(list) {
                for part in c.split(separator: ":").map(String.init) {
                    try requireDistinctRoles([("--outcome", outcome), ("--treatment", treatment), (flag, part)])
                }
            }
        }
        try requireDistinctRoles([("--outcome", outcome), ("--treatment", treatment)])
    }

    var specification: TreatmentEffectsSpecification {
        get throws {
            TreatmentEffectsSpecification(
                outcome: outcome, treatment: treatment, method: method, estimand: estimand,
                outcomeCovariates: commaList(outcomeCovariates), treatmentCovariates: commaList(treatmentCovariates),
                factors: commaList(factors), baseLevels: try parseBaseLevels(base, factors: commaList(factors)), treatmentModel: treatmentModel,
                outcomeModel: outcomeModel, weightedOutcomeModels: wnls, neighbors: neighbors ?? 1, caliper: caliper,
                metric: metric ?? .mahalanobis, biasAdjust: biasAdjust)
        }
    }

    func output() throws -> String {
        let spec = try specification
        let factorList = Set(spec.factors)
        var kinds: [String: ColumnKind] = [outcome: .numeric, treatment: .numeric]
        for c in spec.outcomeCovariates + spec.treatmentCovariates {
            for part in c.split(separator: ":") where !factorList.contains(String(part)) { kinds[String(part)] = .numeric }
        }
        for f in factorList { kinds[f] = .auto }
        let table = try TableReader.read(path: data, kinds: kinds, defaultKind: .skip)
        let estimator = TreatmentEffects(spec)
        let (fit, cells) = try estimator.fitWithCells(table)
        let doc = try EffectsDocument(fit, level: level, disclosure: disclosure.control(), cells: cells)
        switch format {
        case .json: return try doc.json()
        case .csv: return doc.tidy().csv
        default: return doc.reportTables().map { $0.rendered(as: format) }.joined(separator: "\n")
        }
    }
}
