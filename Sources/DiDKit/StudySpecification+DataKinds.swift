import RegisterFiles
import Tabular

extension StudySpecification {
    /// How the study's data file is read when it is a register file (Stata, SAS, SPSS): the id as
    /// text (a numeric pnr formatted without ".0"); the columns the study computes with as numbers
    /// (time, treatment and start, the control-pool flag, window conditions, the outcome, numeric
    /// covariates and controls), so that a value-labelled 0/1 outcome or a labelled covariate keeps
    /// its codes, as in Stata; factor columns `.auto`, so that their value labels name the levels.
    /// Every other column is guessed (`.auto`).
    ///
    /// A CSV file is read as before (the id as text, every other column guessed): a CSV column has no
    /// value labels, so guessing gives the same numbers.
    public var registerFileKinds: [String: ColumnKind] {
        let factors = Set((matching.factors ?? []) + models.flatMap { $0.factors ?? [] } + (groupTime?.factors ?? []))
        var numeric = [time, treatment.column, treatment.start, outcome]
        if let pool = controlPool.column { numeric.append(pool) }
        numeric += (conditions ?? []).map(\.column)
        numeric += matching.covariates + models.flatMap { $0.controls ?? [] } + (groupTime?.covariates ?? [])
        var kinds: [String: ColumnKind] = [:]
        // `a:b` interactions name their parts.
        for name in numeric.flatMap({ $0.split(separator: ":").map(String.init) }) where !factors.contains(name) { kinds[name] = .numeric }
        for name in factors { kinds[name] = .auto }
        kinds[id] = .text
        return kinds
    }

    /// The kinds to read `path` with: ``registerFileKinds`` for a register file, the id as text for CSV.
    public func dataKinds(for path: String) -> [String: ColumnKind] {
        TableReader.isRegisterFile(path) ? registerFileKinds : [id: .text]
    }

    /// Every data column the study reads at any stage: id, time, treatment and start, the control-pool
    /// flag, the window conditions, the matching's covariates and factors, each model's outcome,
    /// controls (interactions by their parts) and factors, the group-time ATTs' covariates and
    /// factors, the treatment effects' outcome, covariates and factors (the matching's by default),
    /// and the sources of derived outcomes (not the derived names, which the study makes). `didkit
    /// run` stores only these columns of a CSV file when the file has them all
    /// (``CSVReader/read(path:kinds:defaultKind:storing:)``); a missing one is then reported by the
    /// study's own checks, against the file's full list of columns.
    public var dataColumns: Set<String> {
        var names = [id, time, treatment.column, treatment.start, outcome]
        if let pool = controlPool.column { names.append(pool) }
        names += (conditions ?? []).map(\.column)
        names += matching.covariates + (matching.factors ?? [])
        for m in models { names += [outcome(of: m)] + (m.controls ?? []) + (m.factors ?? []) + Array((m.baseLevels ?? [:]).keys) }
        if let g = groupTime { names += (g.covariates ?? []) + (g.factors ?? []) }
        if let e = effects {
            names += (e.covariates ?? matching.covariates) + (e.factors ?? (e.covariates == nil ? (matching.factors ?? []) : []))
            names.append(e.outcome ?? outcome)
        }
        let derived = derivedOutcomes ?? []
        names += derived.map(\.from)
        let made = Set(derived.map(\.name))
        return Set(names.flatMap { $0.split(separator: ":").map(String.init) }).subtracting(made)
    }
}
