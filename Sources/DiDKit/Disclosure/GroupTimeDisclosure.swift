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

    /// `table` with every row withheld, when `combinesGroups`; otherwise as it is.
    static func gate(_ table: EffectTable, combinesGroups: Bool) -> EffectTable {
        guard combinesGroups else { return table }
        var t = table
        t.rows = t.rows.map { $0.isReference ? $0 : withheld($0) }
        t.notes.append("withheld by disclosure control: a group-time cell it averages is suppressed, and the average would give it back")
        return t
    }
}
