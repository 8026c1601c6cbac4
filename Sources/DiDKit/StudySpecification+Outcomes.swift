import Estimation
import Foundation
import Tabular

/// A comparison that turns a column into a 0/1 outcome.
public enum OutcomeRule: String, StrictOption {
    case greaterOrEqual = ">="
    case greater = ">"
    case lessOrEqual = "<="
    case less = "<"
    case equal = "=="
    case notEqual = "!="

    public static let optionName = "derivedOutcomes.rule"

    /// Whether `x rule value` holds.
    public func holds(_ x: Double, _ value: Double) -> Bool {
        switch self {
        case .greaterOrEqual: return x >= value
        case .greater: return x > value
        case .lessOrEqual: return x <= value
        case .less: return x < value
        case .equal: return x == value
        case .notEqual: return x != value
        }
    }
}

/// A 0/1 outcome derived from a column by a rule stated in the study file, e.g. the reference
/// study's robustness outcomes: `{"name": "hours51", "from": "paid_hours", "rule": ">=", "value": 51}`
/// (at least 51 paid hours in the year) or `{"name": "q3_work", "from": "paid_hours_q3", "rule": ">", "value": 0}`.
///
/// Per person-year the outcome is 1 where `from rule value` holds, 0 where it does not, and
/// missing where `from` is missing (never 0: a missing value is not "no hours"); the missing
/// person-years are counted in the study's notes and dropped by each model that uses it (with
/// its count in the model's notes).
public struct DerivedOutcome: Codable, Sendable, Equatable {
    /// The new column's name (used as `outcome` of the study or of a model).
    public var name: String
    /// The numeric source column.
    public var from: String
    /// `>=`, `>`, `<=`, `<`, `==` or `!=`.
    public var rule: OutcomeRule
    /// The threshold (finite).
    public var value: Double

    public init(name: String, from: String, rule: OutcomeRule, value: Double) {
        self.name = name
        self.from = from
        self.rule = rule
        self.value = value
    }

    /// The 0/1 column and the number of rows whose source value is missing.
    /// - Throws: ``StudyError`` naming the derived outcome when `from` is not a numeric column of
    ///   `table` (with the nearest column name).
    func column(in table: Table) throws -> (values: [Double], missing: Int) {
        guard table.hasColumn(from) else {
            throw StudyError.invalidOption("derivedOutcomes '\(name)': the column '\(from)' is not in the data\(didYouMean(from, in: table.columnNames)): name an existing numeric column")
        }
        let source: NumericColumn
        do { source = try table.numeric(from) } catch {
            throw StudyError.invalidOption("derivedOutcomes '\(name)': the column '\(from)' is not numeric: derive outcomes from numeric columns")
        }
        var missing = 0
        let values = (0..<source.count).map { i -> Double in
            let x = source[i]
            if x.isNaN { missing += 1; return .nan }
            return rule.holds(x, value) ? 1 : 0
        }
        return (values, missing)
    }
}

extension StudySpecification {
    /// Every outcome the models use, in first-use order (a model without its own `outcome` uses the study's).
    public var modelOutcomes: [String] {
        var out: [String] = []
        for m in models where !out.contains(outcome(of: m)) { out.append(outcome(of: m)) }
        return out
    }

    /// The outcome of a model: its own, else the study's.
    public func outcome(of model: ModelVariant) -> String { model.outcome ?? outcome }

    /// Checks the derived outcomes and the models' outcomes before any data are read.
    /// - Throws: ``StudyError/invalidOption(_:)`` naming the key.
    func validateOutcomes() throws {
        var names = Set<String>()
        for (k, d) in (derivedOutcomes ?? []).enumerated() {
            if d.name.trimmingCharacters(in: .whitespaces).isEmpty {
                throw StudyError.invalidOption("derivedOutcomes[\(k)].name is empty: name the new outcome, e.g. \"hours26\"")
            }
            if !d.value.isFinite { throw StudyError.invalidOption("derivedOutcomes '\(d.name)': value must be a finite number") }
            if d.name == d.from { throw StudyError.invalidOption("derivedOutcomes '\(d.name)': the name must differ from its source column") }
            if !names.insert(d.name).inserted { throw StudyError.invalidOption("derivedOutcomes: '\(d.name)' is defined twice") }
        }
        // A derived name that the study also uses as a data column (a condition, a covariate, the id...): the data's
        // column would never be read (the reader skips derived names) and the study would compute with the derived
        // one in its place (the second sweep: 'age' as a derived outcome emptied the sample, reported as no rows).
        let used = dataColumnsBesidesOutcomes
        for d in derivedOutcomes ?? [] where used.contains(d.name) {
            throw StudyError.invalidOption("derivedOutcomes '\(d.name)': the study also uses '\(d.name)' as a data column (the id, time, treatment, a condition, a covariate or a control): choose another name for the derived outcome")
        }
        for m in models {
            if let o = m.outcome, o.trimmingCharacters(in: .whitespaces).isEmpty {
                throw StudyError.invalidOption("models '\(m.name)': outcome is empty: name a column or a derived outcome, or leave the key out to use the study's outcome")
            }
        }
    }

    /// The table with the derived outcome columns added, and a note per derived outcome with
    /// missing source values.
    /// - Throws: ``StudyError`` when a source column is unknown or not numeric, or a derived
    ///   outcome's name is already a column of the data.
    func addingDerivedOutcomes(to table: Table) throws -> (table: Table, notes: [String]) {
        guard let derived = derivedOutcomes, !derived.isEmpty else { return (table, []) }
        var t = table, notes: [String] = []
        for d in derived {
            if table.hasColumn(d.name) {
                throw StudyError.invalidOption("derivedOutcomes '\(d.name)': the data already have a column of that name: choose another name")
            }
            let (values, missing) = try d.column(in: t)
            try t.setColumn(d.name, .numeric(values))
            if missing > 0 {
                let n = DisclosureControl(minimumCellSize: Swift.max(1, minimumCellSize ?? 5)).countText(missing)
                notes.append("outcome \(d.name) = \(d.from) \(d.rule.rawValue) \(formatLevel(d.value)): \(n) person-years of the register with \(d.from) missing stay missing (each model drops and counts those it would use)")
            }
        }
        return (t, notes)
    }
}

