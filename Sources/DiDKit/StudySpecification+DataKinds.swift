import RegisterFiles
import Tabular

extension StudySpecification {
    /// How the study's data file is read when it is a register file (Stata, SAS, SPSS): the id as
    /// text (a numeric pnr formatted without ".0"); the columns the study computes with as numbers
    /// (time, treatment and start, the control-pool flag, window conditions, outcomes, numeric
    /// covariates and controls, derived outcomes' sources), so that a value-labelled 0/1 outcome or a
    /// labelled covariate keeps its codes, as in Stata; factor columns `.auto`, so that their value
    /// labels name the levels. Every other column is guessed (`.auto`). A derived outcome is not
    /// named: the study makes it (naming it made the reader refuse the file).
    ///
    /// A CSV file is read as before (the id as text, every other column guessed): a CSV column has no
    /// value labels, so guessing gives the same numbers.
    public var registerFileKinds: [String: ColumnKind] {
        let named = namedColumns
        var kinds: [String: ColumnKind] = [:]
        for name in named.numeric { kinds[name] = .numeric }
        for name in named.factors { kinds[name] = .auto }
        kinds[id] = .text
        return kinds
    }

    /// The data columns the study names apart from the id, by how a register file stores them: factors
    /// (of the matching, the models, the group-time ATTs and the treatment effects) and the others;
    /// interactions `a:b` by their parts; derived outcomes' names left out (the study makes them),
    /// their sources in. The one list behind ``registerFileKinds`` and ``dataColumns``.
    private var namedColumns: (numeric: Set<String>, factors: Set<String>) {
        var factors = (matching.factors ?? []) + models.flatMap { $0.factors ?? [] } + (groupTime?.factors ?? [])
        var numeric = [time, treatment.column, treatment.start, outcome]
        if let pool = controlPool.column { numeric.append(pool) }
        numeric += (conditions ?? []).map(\.column)
        numeric += matching.covariates
        for m in models { numeric += [outcome(of: m)] + (m.controls ?? []) }
        numeric += groupTime?.covariates ?? []
        if let e = effects {
            numeric += (e.covariates ?? matching.covariates) + [e.outcome ?? outcome]
            factors += e.factors ?? (e.covariates == nil ? (matching.factors ?? []) : [])
        }
        let derived = derivedOutcomes ?? []
        numeric += derived.map(\.from)
        let made = Set(derived.map(\.name))
        func parts(_ names: [String]) -> Set<String> {
            Set(names.flatMap { $0.split(separator: ":").map(String.init) }).subtracting(made)
        }
        let factorSet = parts(factors)
        return (parts(numeric).subtracting(factorSet), factorSet)
    }

    /// The data columns the study names in roles other than an outcome (interactions by their parts): a derived
    /// outcome must not take one of these names (``validateOutcomes()``).
    var dataColumnsBesidesOutcomes: Set<String> {
        var names = [id, time, treatment.column, treatment.start] + (controlPool.column.map { [$0] } ?? [])
        names += (conditions ?? []).map(\.column) + matching.covariates + (matching.factors ?? [])
        names += models.flatMap { ($0.controls ?? []) + ($0.factors ?? []) }
        names += (groupTime?.covariates ?? []) + (groupTime?.factors ?? [])
        if let e = effects { names += (e.covariates ?? []) + (e.factors ?? []) }
        return Set(names.flatMap { $0.split(separator: ":").map(String.init) })
    }

    /// The kinds to read `path` with: ``registerFileKinds`` for a register file, the id as text for CSV.
    public func dataKinds(for path: String) -> [String: ColumnKind] {
        TableReader.isRegisterFile(path) ? registerFileKinds : [id: .text]
    }

    /// Every data column the study reads at any stage: the id and ``namedColumns`` (time, treatment
    /// and start, the control-pool flag, the window conditions, the matching's covariates and factors,
    /// each model's outcome, controls and factors, the group-time ATTs' covariates and factors, the
    /// treatment effects' outcome, covariates and factors, and the sources of derived outcomes, not
    /// the derived names, which the study makes). `didkit run` stores only these columns of a CSV
    /// file when the file has them all (``CSVReader/read(path:kinds:defaultKind:storing:)``); a
    /// missing one is then reported by the study's own checks, against the file's full list of columns.
    public var dataColumns: Set<String> {
        let named = namedColumns
        return named.numeric.union(named.factors).union([id])
    }
}
