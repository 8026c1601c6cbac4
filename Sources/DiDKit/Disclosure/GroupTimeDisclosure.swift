import Estimation

/// Secondary suppression of group-time aggregates (attgt, etwfe). An aggregation that averages
/// cells of several groups (simple, event or dynamic, calendar; a group aggregation's overall)
/// is a weighted sum of the cells with weights that follow from the published unit counts, so
/// once any cell is suppressed, such an aggregate would give it back by subtraction: it is
/// withheld too. A group's own aggregate rests on that group's cells only and stays as primary
/// suppression leaves it.
enum GroupTimeDisclosure {
    /// The effect marked as resting on no one (so the gate's `persons < K` test withholds it).
    static func withheld(_ e: Effect) -> Effect {
        var w = e
        w.persons = 0
        return w
    }

    /// Whether `e` is an average ``withheld(_:)`` marked (or has no count at all): a row that is not a
    /// reference and rests on no one. Its tables show no treated count and its tidy row the secondary
    /// reason (``withheldAverageReason``); every reader of the marker asks here.
    static func isWithheld(_ e: Effect) -> Bool { !e.isReference && (e.persons ?? 0) == 0 }

    /// Notes through the gate's count filter; a group left out for its size ("group 2005 has <5 unit (fewer than
    /// 2) ...": with the rule beside it, the count is 1) is mentioned without its name or size.
    static func gatedNotes(_ notes: [String], disclosure: DisclosureControl) -> [String] {
        let marker = "<\(disclosure.minimumCellSize) unit"
        return notes.map(disclosure.gatingCounts(in:)).map { note in
            guard note.hasPrefix("group "), note.contains(marker), note.contains("is not estimated") else { return note }
            return "a group with too few units for a standard error is not estimated (its year and size withheld by disclosure control); it remains a possible not-yet-treated comparison"
        }
    }

    /// Whether some group (the never treated included) holds `0 < n < k` units: the unit totals, beside the
    /// groups' published counts, would then give it back.
    static func hasSmallGroup(_ sizes: some Sequence<Int>, minimumCellSize k: Int) -> Bool { sizes.contains { $0 > 0 && $0 < k } }

    /// The first table's totals in its title, or "withheld" for both.
    static func totalsText(units: Int, observations: Int, suppressed: Bool?) -> String {
        suppressed == true ? "Units = withheld    Unit-periods = withheld"
            : "Units = \(Format.count(units))    Unit-periods = \(Format.count(observations))"
    }

    /// Why the unit totals are withheld.
    static let totalsNote = "units and unit-periods withheld by disclosure control: a group (the never treated included) holds fewer than the minimum number of units, and the totals beside the other groups' counts would give it back"

    /// Why the pre-test is withheld.
    static let preTestNote = "pre-test withheld by disclosure control: it sums the squared z of every pre-treatment cell, and the published cells would give a suppressed one's back"

    /// `table` with every row withheld, when `combinesGroups`; otherwise as it is.
    static func gate(_ table: EffectTable, combinesGroups: Bool) -> EffectTable {
        guard combinesGroups else { return table }
        var t = table
        t.rows = t.rows.map { $0.isReference ? $0 : withheld($0) }
        t.notes.append("withheld by disclosure control: a group-time cell it averages is suppressed, and the average would give it back")
        return t
    }
}
