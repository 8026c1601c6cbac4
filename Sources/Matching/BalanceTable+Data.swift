import Design
import Linalg
import Tabular

extension BalanceTable {
    /// The balance of a match made anywhere (DiDKit's matchers, MatchIt, psmatch2, a list of
    /// pairs): a summary of (data, match result), as MatchIt's `summary(m)`.
    ///
    /// `table`'s rows are the match's units in order (`match.weights[i]` belongs to row `i`);
    /// `covariates` are terms as in a model formula (a factor expands to every level, base
    /// included); `scores`, if given, adds the `_score` row.
    /// - Throws: ``MatchingError`` when the rows and the match differ in number, a covariate
    ///   has missing values, or a column is unusable.
    public init(table: Table, treatment: String, covariates: [String], factors: [String] = [], match: MatchResult,
                convention: BalanceConvention, scores: [Double]? = nil) throws {
        guard match.weights.count == table.rowCount else {
            throw MatchingError.unitCountMismatch(expected: match.weights.count, found: table.rowCount)
        }
        let design: DesignMatrix
        do { design = try DesignMatrix.build(table, ModelSpecification(outcome: treatment, covariates: covariates, factors: factors)) } catch let e as DataError {
            throw MatchingError.data(e)
        }
        if design.droppedRows > 0 { throw MatchingError.missingBalanceValues(rows: design.droppedRows) }
        let t = design.response ?? []
        var variables: [(String, [Double])]
        do { variables = try Self.variables(table: table, coding: design, rows: Array(0..<table.rowCount)) } catch let e as DataError {
            throw MatchingError.data(e)
        }
        if let scores { variables.append(("_score", scores)) }
        self.init(variables: variables, treated: t.map { $0 == 1 }, weights: match.weights, convention: convention,
                  factors: Self.factorOfVariables(variables.map(\.0), design: design))
    }

    /// Per balance variable name, the factor it is a level of (from the design's codings, not
    /// by parsing names).
    static func factorOfVariables(_ names: [String], design: DesignMatrix) -> [String?] {
        var factorOf: [String: String] = [:]
        for (f, coding) in design.coding.factors {
            for level in coding.levels { factorOf[TermName.factorLevel(f, level)] = f }
        }
        return names.map { factorOf[$0] }
    }

    /// Balance variables of `table`'s rows `fitRows`: numeric terms as they are, every level of
    /// each factor (base included) as an indicator, interactions as their design columns
    /// (the terms and codings of `design`).
    static func variables(table: Table, coding design: DesignMatrix, rows fitRows: [Int]) throws -> [(String, [Double])] {
        let source = try variableSource(table: table, coding: design, rows: fitRows)
        return source.names.indices.map { (source.names[$0], source.values($0)) }
    }

    /// ``variables(table:coding:rows:)`` as names and a function that makes variable `k`'s values
    /// when asked (``init(names:values:treated:weights:convention:factors:)`` holds only the ones
    /// it is summarising). Everything that can fail (unknown columns, unknown levels) is checked
    /// here, so the function cannot.
    static func variableSource(table: Table, coding design: DesignMatrix, rows fitRows: [Int]) throws
        -> (names: [String], values: @Sendable (Int) -> [Double]) {
        // The used columns only, at the fit's rows (the input may be a wide register), in storage form.
        let used = Array(Set(design.coding.terms.flatMap(\.columns))).sorted()
        let sample = try Table(used.map { ($0, try table.column($0).selecting(fitRows)) })
        enum Variable: Sendable { case numeric(NumericColumn), level(codes: [Int], level: Int), designColumn(Int) }
        var names: [String] = [], variables: [Variable] = []
        var interactionMatrix: Matrix?
        for (k, term) in design.coding.terms.enumerated() {
            switch term {
            case .numeric(let name):
                names.append(name)
                variables.append(.numeric(try sample.numeric(name)))
            case .factor(let name):
                let coding = design.coding.factors[name]!
                let codes = try factorCodes(table: sample, coding: coding)
                for (level, label) in coding.levels.enumerated() {
                    names.append(TermName.factorLevel(name, label))
                    variables.append(.level(codes: codes, level: level))
                }
            case .interaction:
                if interactionMatrix == nil { interactionMatrix = try design.coding.matrix(for: sample).matrix }
                for j in design.columnNames.indices where design.termOfColumn[j] == k {
                    names.append(design.columnNames[j])
                    variables.append(.designColumn(j))
                }
            }
        }
        let frozen = variables, interactions = interactionMatrix
        return (names, { k in
            switch frozen[k] {
            case .numeric(let column): return column.doubles
            case .level(let codes, let level): return codes.map { $0 == level ? 1 : 0 }
            case .designColumn(let j): return interactions!.column(j)
            }
        })
    }
}
