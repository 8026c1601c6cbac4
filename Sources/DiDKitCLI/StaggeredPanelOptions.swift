import ArgumentParser
import DiDKit

/// The inputs `didkit attgt` and `didkit etwfe` share (shared/cli-contract.md): the data file and the
/// columns that make it a staggered panel. The commands keep their own `--covariates` and `--factors`,
/// whose meaning differs (baseline values for `attgt`, centred within cohort for `etwfe`).
struct StaggeredPanelOptions: ParsableArguments {
    @Option(help: "Data file: CSV with a header row, or Stata .dta, SAS .sas7bdat/.xpt, SPSS .sav/.zsav; one row per unit and period.") var data: String
    @Option(help: "The unit id column.") var id: String
    @Option(help: "The period column.") var time: String
    @Option(help: "The outcome column (a 0/1 outcome is reported in percentage points).") var outcome: String
    @Option(help: "The first treated period of each unit (0 or empty = never treated).") var group: String

    /// Refuses a column given two roles: the panel's four, each with each covariate or factor.
    /// - Throws: `ValidationError` naming the column and both flags.
    func validateRoles(covariates: [String], factors: [String]) throws {
        for c in [nil] + (covariates + factors).map(Optional.some) {
            try requireDistinctRoles([("--id", id), ("--time", time), ("--outcome", outcome), ("--group", group),
                                      ("--covariates/--factors", c)])
        }
    }

    /// Reads only the named columns of the data file: the time, the outcome and the covariates as
    /// numbers; the id and the cluster as text (the contract: an id is never parsed as a number, so
    /// `7` and `07`, or two ids beyond 2^53, stay two units); the group and the factors as their values
    /// come (`auto`).
    /// - Throws: the reader's errors (a missing file or column, a non-numeric value), each one sentence.
    func readTable(covariates: [String], factors: [String], cluster: String?) throws -> Table {
        var kinds: [String: ColumnKind] = [id: .text, time: .numeric, outcome: .numeric, group: .auto]
        for c in covariates { kinds[c] = .numeric }
        for f in factors { kinds[f] = .auto }
        if let c = cluster { kinds[c] = .text }
        return try TableReader.read(path: data, kinds: kinds, defaultKind: .skip)
    }
}
