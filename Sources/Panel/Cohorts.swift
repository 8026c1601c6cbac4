import Tabular

/// Who is treated and when everybody starts.
public struct Cohorts: Sendable, Equatable {
    /// Per person (panel code): treated or not.
    public var treated: [Bool]
    /// Per person: start year (pseudo start for controls); nil = not in the study.
    public var start: [Int?]

    public init(treated: [Bool], start: [Int?]) {
        precondition(treated.count == start.count, "Cohorts: length mismatch")
        self.treated = treated
        self.start = start
    }
}

extension Cohorts {
    /// The cohorts of a panel from its columns, validated once for every
    /// caller (the CLI's `did`, the study pipeline, the API):
    /// - `treatment` is 0/1 and constant within each person;
    /// - `start` is constant within each person and a whole year (`|year| < 10^6`);
    /// - every treated person has a start year;
    /// - a control takes its own start value if it has one, else `pseudoStart`
    ///   (nil: a control without a start year is not in the study).
    ///
    /// Complexity: O(rows).
    /// - Throws: ``PanelError`` naming the column and the number of persons (never their ids).
    public init(panel: PersonYearPanel, treatment: String, start: String, pseudoStart: Int? = nil) throws {
        let t = try panel.constantPersonValue(treatment)
        let s = try panel.constantPersonValue(start)
        if let bad = nonBinaryValues(t) { throw PanelError.treatmentNotBinary(column: treatment, value: bad.example, count: bad.count) }
        let badStart = s.filter { !$0.isNaN && !($0 == $0.rounded() && Swift.abs($0) < 1e6) }
        if let v = badStart.first { throw PanelError.invalidStartYear(column: start, value: v, count: badStart.count) }
        let treated = t.map { $0 == 1 }
        let missing = (0..<panel.personCount).filter { treated[$0] && s[$0].isNaN }.count
        if missing > 0 { throw PanelError.missingStartYear(count: missing) }
        self.init(treated: treated, start: s.indices.map { p in s[p].isNaN ? (treated[p] ? nil : pseudoStart) : Int(s[p]) })
    }

    /// Persons neither treated nor given a (pseudo) start year: not in the study.
    public var personsWithoutStart: Int { zip(treated, start).filter { !$0 && $1 == nil }.count }
}
