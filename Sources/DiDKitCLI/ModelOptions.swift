import ArgumentParser
import DiDKit
import Foundation

/// Weight kinds of the CLI (Stata's names).
public enum WeightOption: String, ExpressibleByArgument, Sendable {
    case fweight, aweight
    var kind: WeightKind { self == .fweight ? .frequency : .analytic }
}

/// The flags shared by `logit` and `ols`.
struct ModelOptions: ParsableArguments {
    @Option(help: "Data file: CSV with a header row, or Stata .dta, SAS .sas7bdat/.xpt, SPSS .sav/.zsav.")
    var data: String

    @Option(help: "The outcome column (0/1 for logit).")
    var outcome: String

    @Option(help: "Comma-separated terms: columns, factor columns, interactions a:b.")
    var covariates: String

    @Option(help: "Comma-separated columns to expand into level dummies.")
    var factors: String?

    @Option(parsing: .singleValue, help: "Base level of a factor, as f=LEVEL (repeatable).")
    var base: [String] = []

    @Option(help: "Variance estimator: oim, robust or cluster.")
    var vce: VCEKind = .oim

    @Option(help: "Cluster column (with --vce cluster).")
    var cluster: String?

    @Option(help: "Confidence level in percent.")
    var level: Double = 95

    @Option(help: "Weight column.")
    var weights: String?

    @Option(help: "Weight kind: fweight (frequency) or aweight (analytic).")
    var weightKind: WeightOption = .fweight

    @Option(help: "Output format: text, json, markdown, csv or latex.")
    var format: OutputFormat = .text

    @Flag(help: "Print phase timings (read, design, fit, inference) to stderr.")
    var timing = false

    @OptionGroup var disclosure: DisclosureOptions

    func validate() throws {
        if vce == .cluster && cluster == nil { throw ValidationError("--vce cluster needs --cluster COL") }
        if cluster != nil && vce != .cluster { throw ValidationError("--cluster is used only with --vce cluster") }
        if !(level > 0 && level < 100) { throw ValidationError("--level must be strictly between 0 and 100 (a percentage, for example 95), got \(level)") }
        _ = try parseBaseLevels(base, factors: commaList(factors))
        if commaList(covariates).isEmpty { throw ValidationError("--covariates needs at least one column") }
        for c in commaList(covariates) where c == outcome {
            throw ValidationError("the column '\(c)' is given two roles (--outcome and --covariates): each role needs its own column")
        }
        // Weights equal to the outcome (the second sweep) failed later as "the outcome is 1 in every row".
        try requireDistinctRoles([("--outcome", outcome), ("--weights", weights)])
        for c in commaList(covariates) { try requireDistinctRoles([("--covariates", c), ("--weights", weights)]) }
    }

    /// Validated in `validate()`, so parsing cannot fail here.
    var baseLevels: [String: String] { (try? parseBaseLevels(base, factors: commaList(factors))) ?? [:] }

    var specification: ModelSpecification {
        ModelSpecification(outcome: outcome, covariates: commaList(covariates), factors: commaList(factors),
                           baseLevels: baseLevels, weights: weights, weightKind: weightKind.kind,
                           cluster: vce == .cluster ? cluster : nil)
    }

    /// Reads only the columns the model uses (factors and the cluster may be text).
    func readTable() throws -> Table {
        let spec = specification
        var kinds: [String: ColumnKind] = [:]
        for t in spec.terms { for c in t.columns { kinds[c] = .numeric } }
        for f in commaList(factors) { kinds[f] = .auto }
        kinds[outcome] = .numeric
        if let w = weights { kinds[w] = .numeric }
        if let c = spec.cluster { kinds[c] = .auto }
        return try TableReader.read(path: data, kinds: kinds, defaultKind: .skip)
    }

    func estimator(for fit: ClusterIDs?) throws -> VarianceEstimator { try VarianceEstimator(vce, clusters: fit) }

    /// Renders a gated result (terms resting on small cells withheld).
    func render(_ doc: ModelResultDocument) throws -> String {
        switch format {
        case .json: return try doc.json()
        case .csv: return doc.tidy(minimumCellSize: disclosure.control().minimumCellSize).csv
        default: return doc.reportTable().rendered(as: format)
        }
    }
}

struct LogitCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "logit",
        abstract: "Logistic regression with coefficients, odds ratios, Wald tests and intervals (Stata's logit/logistic conventions).")

    @OptionGroup var options: ModelOptions

    @Option(help: "Link: logit (default) or probit.")
    var link: BinaryLink = .logit

    func output() throws -> String {
        var clock = PhaseClock(enabled: options.timing)
        let data = try options.readTable()
        clock.lap("read")
        let design = try DesignMatrix.build(data, options.specification)
        clock.lap("design")
        let fit = try LogisticRegression(link: link).fit(design, outcomeName: options.outcome)
        clock.lap("fit")
        let table = try fit.inference(vce: try options.estimator(for: fit.designClusterIDs), level: options.level)
        clock.lap("inference")
        clock.report(extra: "rows=\(design.rows) columns=\(design.columns) iterations=\(fit.iterations) passes=\(fit.dataPasses)")
        return try options.render(ModelResultDocument(fit, table, design: design, disclosure: options.disclosure.control()))
    }
}

struct OLSCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "ols",
        abstract: "Linear regression with classical, HC1 or CR1 standard errors (Stata's regress conventions).")

    @OptionGroup var options: ModelOptions

    func output() throws -> String {
        let design = try DesignMatrix.build(try options.readTable(), options.specification)
        let fit = try LinearRegression().fit(design)
        let table = try fit.inference(vce: try options.estimator(for: fit.designClusterIDs), level: options.level)
        return try options.render(ModelResultDocument(fit, table, design: design, disclosure: options.disclosure.control()))
    }
}

extension BinaryLink: ExpressibleByArgument {}

/// Phase timings for benchmark harnesses: `didkit-timing read=0.123 design=0.045 ...` on stderr.
struct PhaseClock {
    let enabled: Bool
    var last = Date()
    var phases: [(String, Double)] = []

    init(enabled: Bool) { self.enabled = enabled }

    mutating func lap(_ name: String) {
        let now = Date()
        phases.append((name, now.timeIntervalSince(last)))
        last = now
    }

    func report(extra: String = "") {
        guard enabled else { return }
        let text = phases.map { "\($0.0)=\(String(format: "%.4f", $0.1))" }.joined(separator: " ")
        FileHandle.standardError.write(Data("didkit-timing \(text) \(extra)\n".utf8))
    }
}
