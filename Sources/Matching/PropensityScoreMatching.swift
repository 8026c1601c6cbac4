import Linalg
import Regression
import Design
import Estimation
import Tabular

/// Propensity-score matching from a table: the score model, the match, the
/// balance table and the score histograms, in one value.
public struct PropensityScoreMatching: Sendable {
    /// The 0/1 treatment column.
    public var treatment: String
    /// Covariate terms of the score model (factors expand to levels).
    public var covariates: [String]
    public var factors: [String]
    public var baseLevels: [String: String]
    /// The score model's link (psmatch2's default is probit; MatchIt's and DiDKit's logit).
    public var link: BinaryLink
    public var matching: MatchingSpecification
    /// Columns whose values must agree within a pair (e.g. the start-year cohort).
    public var exact: [String]
    /// Histogram bins.
    public var histogramBins: Int
    /// The matcher (default: nearest neighbour on the score, as `matching` specifies).
    public var matcher: any Matcher

    public init(treatment: String, covariates: [String], factors: [String] = [], baseLevels: [String: String] = [:],
                link: BinaryLink = .logit, matching: MatchingSpecification = .default, exact: [String] = [],
                histogramBins: Int = 20) {
        self.treatment = treatment
        self.covariates = covariates
        self.factors = factors
        self.baseLevels = baseLevels
        self.link = link
        self.matching = matching
        self.exact = exact
        self.histogramBins = histogramBins
        self.matcher = NearestNeighborMatcher(matching)
    }

    /// Runs the score model, the matcher on the scores, then the balance summary and the
    /// score histograms of (data, match result): three separate steps, as MatchIt's
    /// `matchit()` and `summary()`.
    /// - Throws: ``MatchingError``.
    public func run(on table: Table) throws -> PropensityScoreMatch {
        let spec = ModelSpecification(outcome: treatment, covariates: covariates, factors: factors, baseLevels: baseLevels)
        // The score model's design is streamed from the table's columns (no persons x terms matrix).
        let streamed: StreamedDesign
        do { streamed = try DesignMatrix.streamed(table, spec) } catch let e as DataError { throw MatchingError.data(e) }
        let design = streamed.layout
        // The treatment must be 0/1 (checked here to name it as the treatment).
        let t = design.response!
        if let bad = nonBinaryValues(t) { throw MatchingError.treatmentNotBinary(column: treatment, value: bad.example, count: bad.count) }
        if !t.contains(1) { throw MatchingError.noTreated(column: treatment) }
        if !t.contains(0) { throw MatchingError.noControls(column: treatment) }
        let fit: BinaryModelFit
        do {
            fit = try LogisticRegression(link: link).fit(
                streamed.source, y: t, names: design.columnNames, weights: design.weights, weightKind: design.weightKind,
                outcomeName: treatment, hasIntercept: design.coding.intercept, rowIndices: design.rowIndices,
                droppedRows: design.droppedRows, notes: design.notes,
                clusters: design.clusters.map { ClusterIDs(codes: $0, count: design.clusterCount) })
        } catch let e as RegressionError {
            throw MatchingError.scoreModel(e)
        }
        // The fit may drop rows (perfect predictors): work on its rows.
        let rows = fit.rowIndices
        let scores = fit.fittedProbabilities
        let treatmentColumn = try table.numeric(treatment)
        let treated = rows.map { treatmentColumn[$0] == 1 }
        // Exact strata: a missing value is a stratum of its own ("NA").
        var strata: [Int32]?
        if !exact.isEmpty {
            let columns: [TextColumn]
            do { columns = try exact.map { try table.text($0) } } catch let e as DataError { throw MatchingError.data(e) }
            strata = ClusterIDs(labels: rows.map { r in columns.map { $0[r] ?? "NA" } }).codes
        }
        let result: MatchResult
        do { result = try matcher.match(MatchingUnits(treated: treated, scores: scores, strata: strata)) } catch let e as MatchingError {
            switch e {
            case .noTreated: throw MatchingError.noTreated(column: treatment)
            case .noControls: throw MatchingError.noControls(column: treatment)
            default: throw e
            }
        }
        // The balance variables are made one at a time as the table summarises them (not all at once).
        let source = try BalanceTable.variableSource(table: table, coding: design, rows: rows)
        let names = source.names + ["_score"]
        let balance = BalanceTable(names: names, values: { $0 < source.names.count ? source.values($0) : scores },
                                   treated: treated, weights: result.weights, convention: matching.balance,
                                   factors: BalanceTable.factorOfVariables(names, design: design))
        let histogram = ScoreHistogram(scores: scores, treated: treated, weights: result.weights, bins: histogramBins)
        return PropensityScoreMatch(model: fit, rows: rows, scores: scores, treated: treated, result: result,
                                    balance: balance, histogram: histogram, specification: matching)
    }
}

/// The result of ``PropensityScoreMatching/run(on:)``. Rows are indices into
/// the input table (`rows[i]` is the table row of unit `i`).
public struct PropensityScoreMatch: Sendable {
    /// The fitted score model (its table is printed with the match).
    public let model: BinaryModelFit
    /// Table rows of the units in the match (after listwise deletion).
    public let rows: [Int]
    /// Propensity scores (probability scale) per unit.
    public let scores: [Double]
    public let treated: [Bool]
    /// The match, with unit indices `0..<rows.count`.
    public let result: MatchResult
    public let balance: BalanceTable
    public let histogram: ScoreHistogram
    public let specification: MatchingSpecification

    /// Linear predictor (log-odds for logit) per unit.
    public var linearPredictor: [Double] { model.linearPredictor }

    /// The same match with the score model's design released (``BinaryModelFit/releasingDesign()``):
    /// the model's coefficients, OIM table and scores stay; its robust and clustered SEs do not.
    public func releasingModelDesign() -> PropensityScoreMatch {
        PropensityScoreMatch(model: model.releasingDesign(), rows: rows, scores: scores, treated: treated, result: result,
                             balance: balance, histogram: histogram, specification: specification)
    }

    /// Matched pairs as rows of the input table (for building cohorts from a match).
    public var tableRowPairs: [(treated: Int, control: Int, distance: Double)] {
        result.pairs.map { (rows[$0.treated], rows[$0.control], $0.distance) }
    }
}
