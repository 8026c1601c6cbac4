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
}
