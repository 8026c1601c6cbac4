import Design
import Panel
import Regression

extension EventStudyDocument {
    /// The disclosure gate of an event study.
    ///
    /// - Counts: the persons per group (suppressed as the study's flow decides, or below K); with one group's
    ///   count suppressed also the clusters and person-years (0 in JSON's `observations`, with a note), which sum
    ///   both groups;
    ///   the sample's exclusions and dropped person-years are rewritten as notes with gated counts.
    /// - Cells: each event time's treated and control persons (and, for a 0/1 outcome, those with
    ///   and without the outcome). A saturated model (no controls) has estimates that are
    ///   functions of those cell shares, so one small cell withholds every estimate of the
    ///   model; otherwise an event time whose cell holds fewer than K persons has its effect,
    ///   predictions, marginal effect and interaction term withheld.
    mutating func gate(_ r: EventStudyResult, disclosure: DisclosureControl, suppressedCounts: Set<String>?,
                       personKeys: (treated: String, control: String)?) {
        let k = disclosure.minimumCellSize
        minimumCellSize = k
        func hidden(_ key: String?, _ n: Int) -> Bool {
            if let key, let set = suppressedCounts { return set.contains(key) }
            return n > 0 && n < k
        }
        let hideT = hidden(personKeys?.treated, r.treatedPersons), hideC = hidden(personKeys?.control, r.controlPersons)
        persons = Persons(treated: hideT ? nil : r.treatedPersons, control: hideC ? nil : r.controlPersons,
                          suppressed: hideT || hideC ? true : nil)
        // The clusters (persons) and the person-years (persons x window years in a balanced window) are sums over
        // both groups: beside the published group's count either gives the suppressed one back by subtraction.
        if hideT || hideC {
            result.clusters = nil
            result.observations = 0
            result.observationsSuppressed = true
            result.notes.append("person-years and clusters withheld by disclosure control: beside the published group's persons they would give the suppressed group's count back")
        }
        let sample = r.fit.sample
        let c = { (n: Int) in disclosure.countText(n) }
        var gatedNotes = sample.excludedPersons.map { "persons excluded, \($0.reason): \(c($0.treated)) treated, \(c($0.control)) controls" }
        gatedNotes += sample.droppedRows.map { "person-years dropped for missing \($0.column): \(c($0.count))" }
        result.notes = gatedNotes + result.notes.map(disclosure.gatingCounts)
        let dropped = disclosure.zeroingSmall(result.droppedRows, as: "dropped person-years")
        result.droppedRows = dropped.count
        result.notes += dropped.note.map { [$0] } ?? []

        // In a saturated model the estimates are cell shares: the 0/1 rule applies to the outcome.
        // Otherwise each event time's effect rests on its cell's persons.
        let binary = sample.isSaturated && sample.outcome.allSatisfy { $0 == 0 || $0 == 1 }
        let small = sample.eventTimeCells.filter { cell in
            !disclosure.allowsMean(persons: cell.treatedPersons, ones: binary ? cell.treatedOnes : nil)
                || !disclosure.allowsMean(persons: cell.controlPersons, ones: binary ? cell.controlOnes : nil)
        }.map(\.eventTime)
        guard !small.isEmpty else { return }
        let withheld: Set<Int> = sample.isSaturated ? Set(window) : Set(small)
        result = result.suppressingTerms { name in
            if sample.isSaturated { return true }
            return withheld.contains { name == TermName.treatedEvent($0) || name == TermName.event($0) }
        }
        for i in eventStudy.indices where withheld.contains(eventStudy[i].eventTime) && !eventStudy[i].reference {
            eventStudy[i] = Point(eventTime: eventStudy[i].eventTime, estimate: nil, standardError: nil, ciLower: nil, ciUpper: nil,
                                  pValue: nil, reference: false, suppressed: true)
        }
        for i in predicted.indices where withheld.contains(predicted[i].eventTime) {
            predicted[i] = Predicted(eventTime: predicted[i].eventTime, treated: nil, control: nil, suppressed: true)
        }
        for i in marginalEffects.indices where withheld.contains(marginalEffects[i].eventTime) {
            marginalEffects[i] = Effect(eventTime: marginalEffects[i].eventTime, suppressed: true)
        }
        if sample.isSaturated {
            pooled = pooled.map { ModelResultDocument.TermDocument(suppressedName: $0.name) }
            preTrend = nil
            preTrendRejected = false
        }
        result.notes.append(sample.isSaturated
            ? "estimates withheld by disclosure control: the model has no controls, so its estimates are functions of event-time cell shares, and a cell holds fewer than \(k) persons (or fewer than \(k) with or without the outcome)"
            : "event time(s) \(small.map(EffectLabel.eventText).joined(separator: ", ")) withheld by disclosure control: a cell holds fewer than \(k) persons")
    }
}
