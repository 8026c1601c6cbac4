import _DiDKitParallel
import Foundation
import Matching
import Panel
import Regression
import Staggered
import Tabular

/// The result of running a study: who was excluded, the match, and each model.
public struct StudyResult: Sendable {
    public let specification: StudySpecification
    /// Persons excluded before matching, by condition (first failed), per group.
    public let exclusions: [(reason: String, treated: Int, control: Int)]
    /// Persons in the panel: participants and the control pool.
    public let participants: Int
    public let pool: Int
    public let match: PropensityScoreMatch
    /// Persons who met every window condition, per group (they enter the baseline table).
    public let eligible: (treated: Int, control: Int)
    /// The match's gated document (the study's minimum cell size and exclusion flow).
    public let matchDocument: MatchDocument
    /// Controls dropped after matching (partner rule: conditions fail at the inherited start).
    public let controlsDroppedAfterMatching: Int
    public let models: [(name: String, result: EventStudyResult)]
    public let notes: [String]
    /// Callaway & Sant'Anna group-time ATTs on the matched sample, when the study asks for them.
    public var groupTime: GroupTimeATT? = nil
    /// The `effects` step's estimators, in the study file's order (Study+Effects.swift).
    public var effects: [StudyEffect] = []

    /// Every count the study's report publishes, or lets a reader derive by subtraction, and
    /// how they add up: the exclusion flow from the register to each model
    /// (``CellSuppression``; keys in Docs/DisclosureControl.md).
    public var disclosureCells: CellSuppression {
        var cells = Self.disclosureCells(participants: participants, pool: pool, exclusions: exclusions, eligible: eligible, match: match,
                                         droppedAfter: controlsDroppedAfterMatching, models: models)
        addEffectCells(to: &cells)
        return cells
    }

    static func disclosureCells(participants: Int, pool: Int, exclusions: [(reason: String, treated: Int, control: Int)],
                                eligible: (treated: Int, control: Int), match: PropensityScoreMatch, droppedAfter: Int,
                                models: [(name: String, result: EventStudyResult)]) -> CellSuppression {
        let controlsDroppedAfterMatching = droppedAfter
        var cells = CellSuppression()
        cells.add("participants.treated", participants)
        cells.add("pool.control", pool)
        for (k, e) in exclusions.enumerated() {
            cells.add("excluded[\(k)].treated", e.treated)
            cells.add("excluded[\(k)].control", e.control)
        }
        let r = match.result
        cells.add("missingBaseline.treated", eligible.treated - r.treatedCount)
        cells.add("missingBaseline.control", eligible.control - r.controlCount)
        MatchDocument.addCountCells(of: r, to: &cells)
        for group in ["treated", "control"] {
            let total = group == "treated" ? "participants.treated" : "pool.control"
            cells.relate(total: total, parts: exclusions.indices.map { "excluded[\($0)].\(group)" } + ["missingBaseline.\(group)", "entering.\(group)"])
        }
        cells.add("droppedAfter.control", controlsDroppedAfterMatching)
        cells.add("inPanel.control", r.matchedControls - controlsDroppedAfterMatching, published: false)
        cells.relate(total: "matched.control", parts: ["droppedAfter.control", "inPanel.control"])
        for (name, m) in models {
            let slug = StudySpecification.ModelVariant.slug(of: name)
            let sample = m.fit.sample
            for (group, total, persons) in [("treated", "matched.treated", m.treatedPersons), ("control", "inPanel.control", m.controlPersons)] {
                let key = "model[\(slug)].\(group)", out = "modelExcluded[\(slug)].\(group)"
                cells.add(key, persons)
                cells.add(out, (cells.values[total] ?? 0) - persons, published: false)
                cells.relate(total: total, parts: [key, out])
                let reasons = sample.excludedPersons.indices.map { "modelExcluded[\(slug)][\($0)].\(group)" }
                for (k, e) in sample.excludedPersons.enumerated() { cells.add(reasons[k], group == "treated" ? e.treated : e.control) }
                cells.relate(total: out, parts: reasons)
            }
        }
        return cells
    }
}

/// Runs a whole evaluation: panel, conditions, matching, panels around start
/// years, event-study models. See Docs/StudyFile.md.
public enum Study {
    /// - Parameter progress: called with a short message before each long step.
    /// - Throws: ``StudyError``, ``PanelError``, ``MatchingError``, ``DataError``.
    ///
    /// The table is consumed: once the persons are coded, the study keeps no reference to its id column, so a
    /// caller that hands its table over (as `didkit run` does) gets that memory back for the later stages.
    public static func run(_ spec: StudySpecification, table: consuming Table, progress: (@Sendable (String) -> Void)? = nil) throws -> StudyResult {
        try spec.validate()
        let (derived, outcomeNotes) = try spec.addingDerivedOutcomes(to: table)
        _ = consume table
        progress?("building the person-year panel")
        var panel = try PersonYearPanel(consume derived, id: spec.id, time: spec.time, keepingIDColumn: false)
        // Participants and their start years, validated in one place (controls get theirs below).
        let participants = try Cohorts(panel: panel, treatment: spec.treatment.column, start: spec.treatment.start)
        let poolValue = try spec.controlPool.column.map { try panel.constantPersonValue($0) }
        let n = panel.personCount
        var notes: [String] = outcomeNotes
        let isParticipant = participants.treated
        let inPool = (0..<n).map { !isParticipant[$0] && (poolValue?[$0] ?? 1) == 1 }
        let pseudo = spec.controlPool.pseudoStartYear
        func personStart(_ p: Int) -> Int? { isParticipant[p] ? participants.start[p] : (inPool[p] ? pseudo : nil) }

        // Window conditions, counted by the first one that fails.
        let conditions = (spec.conditions ?? []).map {
            WindowCondition(column: $0.column, relativeYears: $0.relativeYears, minimum: $0.minimum, maximum: $0.maximum, label: $0.label)
        }
        var conditionValues: [NumericColumn] = []
        for c in conditions {
            do { conditionValues.append(try panel.table.numeric(c.column)) } catch let e as DataError { throw PanelError.data(e) }
        }
        var excluded = [(treated: Int, control: Int)](repeating: (0, 0), count: conditions.count)
        var eligible = [Bool](repeating: false, count: n)
        progress?("applying window conditions")
        let starts = (0..<n).map(personStart)
        let failing = WindowCondition.firstFailing(conditions, values: conditionValues, panel: panel, starts: starts)
        for p in 0..<n where starts[p] != nil {
            let k = Int(failing[p])
            if k >= 0 {
                if isParticipant[p] { excluded[k].treated += 1 } else { excluded[k].control += 1 }
                continue
            }
            eligible[p] = true
        }
        let exclusions = conditions.indices.map { (conditions[$0].label, excluded[$0].treated, excluded[$0].control) }

        // Baseline characteristics, one row per eligible person.
        progress?("reading baseline characteristics")
        let m = spec.matching
        let isEligible = eligible
        let persons = indices(count: n) { isEligible[$0] }
        // In the narrowest exact form (mostly one byte a value): the whole-country baseline is 6M persons.
        func compact(_ values: [Double]) -> Column { .numeric(NumericColumn(compacting: values)) }
        var columns: [(String, Column)] = [("_person", compact(persons.map(Double.init))),
                                           ("_treated", compact(persons.map { isParticipant[$0] ? 1 : 0 })),
                                           ("_cohort", compact(persons.map { Double(personStart($0)!) }))]
        // Each person's baseline row (calendar year, or relative to the start), found once.
        let baselineRow = persons.map { p in
            panel.row(person: p, year: m.baselineCalendarYear ?? (personStart(p)! + (m.baselineRelativeYear ?? -1)))
        }
        for c in m.covariates {
            let v: NumericColumn
            do { v = try panel.table.numeric(c) } catch let e as DataError { throw PanelError.data(e) }
            columns.append((c, .numeric(v.selecting(baselineRow))))
        }
        let baseline = try Table(columns)
        // The register columns no later stage reads (the matching covariates, the treatment and time columns) are
        // let go, and with them the window conditions' values unless matched controls are checked again at their
        // partner's start: the score model, the matching and the DiD models then reuse their memory instead of
        // faulting in fresh pages (at 54M person-years, about 0.7 GB and 2 s of CPU on a VM whose first touch of a
        // page is dear). Group-time ATTs and treatment effects read more of the register: they keep it all.
        if spec.groupTime == nil && spec.effects == nil {
            panel = panel.keepingColumns(Set(spec.models.flatMap { [spec.outcome(of: $0)] + ($0.controls ?? []) + ($0.factors ?? []) }))
            if spec.controlPool.pseudoStart != .partner { conditionValues = [] }
        }
        let preset = m.preset ?? .default
        var matching = preset.specification
        if let k = m.neighbors { matching.neighbors = k }
        if let c = m.caliper { matching.caliper = c }
        if let s = m.caliperScale { matching.caliperScale = s }
        if let r = m.replacement { matching.replacement = r }
        if let t = m.ties { matching.ties = t }
        let link = m.link ?? preset.defaultLink
        progress?("fitting the propensity score and matching")
        let psm = PropensityScoreMatching(treatment: "_treated", covariates: m.covariates, factors: m.factors ?? [], link: link,
                                          matching: matching, exact: (m.exactCohort ?? false) ? ["_cohort"] : [])
        // The report shows the score model's OIM table (as psmatch2 and `logit` print it), so its
        // design (persons x terms doubles) is not carried through the later stages.
        let match = try psm.run(on: baseline).releasingModelDesign()
        releaseFreedMemory()   // the score model's design and the balance variables are gone

        // Cohorts: matched participants with their start, matched controls with the pseudo start rule.
        var treatedFlag = [Bool](repeating: false, count: n)
        var start = [Int?](repeating: nil, count: n)
        var droppedAfter = 0
        for p in match.result.pairs {
            let tp = persons[match.rows[p.treated]], cp = persons[match.rows[p.control]]
            treatedFlag[tp] = true
            start[tp] = participants.start[tp]
            if start[cp] != nil { continue }   // with replacement: the first partner's start
            switch spec.controlPool.pseudoStart {
            case .fixed:
                start[cp] = pseudo
            case .partner:
                guard let s = participants.start[tp] else { continue }
                if conditions.indices.allSatisfy({ conditions[$0].holds(panel: panel, person: cp, start: s, values: conditionValues[$0]) }) {
                    start[cp] = s
                } else {
                    droppedAfter += 1
                }
            }
        }
        if droppedAfter > 0 {
            notes.append("matched controls that fail the window conditions at their partner's start year are left out (counted in the exclusion flow)")
        }
        if matching.replacement {
            notes.append("controls matched to several participants enter the panel once (with their first partner's start year)")
        }
        let cohorts = Cohorts(treated: treatedFlag, start: start)
        // Matching weights and matched pairs per panel person, when the study asks for them.
        var personWeights: [Double]?
        if spec.weights == .matching {
            var w = [Double](repeating: 0, count: n)
            for (k, row) in match.rows.enumerated() where match.result.weights[k] > 0 { w[persons[row]] = match.result.weights[k] }
            personWeights = w
        }
        var personClusters: [Int]?
        if spec.clusterBy == .pair {
            var c = Array(0..<n)
            for (k, p) in match.result.pairs.enumerated() {
                c[persons[match.rows[p.treated]]] = n + k
                c[persons[match.rows[p.control]]] = n + k
            }
            personClusters = c
        }

        var models: [(String, EventStudyResult)] = []
        let vce = spec.vce ?? .cluster
        for variant in spec.models {
            progress?("estimating \(variant.name)")
            let model = variant.model ?? .logit
            let es = EventStudySpecification(outcome: spec.outcome(of: variant), window: spec.window[0]...spec.window[1],
                                             reference: spec.reference ?? -1, controls: variant.controls ?? [],
                                             factorControls: variant.factors ?? [], baseLevels: variant.baseLevels ?? [:],
                                             model: model)
            let sample = try EventStudySample(panel: panel, cohorts: cohorts, specification: es, personWeights: personWeights,
                                              personClusters: personClusters)
            models.append((variant.name, try EventStudy.estimate(sample, vce: vce)))
            releaseFreedMemory()
        }
        let eligibleTreated = persons.filter { isParticipant[$0] }.count
        let eligibleCounts = (treated: eligibleTreated, control: persons.count - eligibleTreated)
        let participantCount = isParticipant.filter { $0 }.count, poolCount = inPool.filter { $0 }.count
        let disclosure = try DisclosureControl(validating: spec.minimumCellSize ?? 5)
        let cells = StudyResult.disclosureCells(participants: participantCount, pool: poolCount, exclusions: exclusions, eligible: eligibleCounts,
                                                match: match, droppedAfter: droppedAfter, models: models)
        let matchDocument = MatchDocument(match, disclosure: disclosure,
                                              suppressedCounts: cells.suppressed(minimumCellSize: disclosure.minimumCellSize))
        var result = StudyResult(specification: spec, exclusions: exclusions, participants: participantCount, pool: poolCount,
                                 match: match, eligible: eligibleCounts, matchDocument: matchDocument,
                                 controlsDroppedAfterMatching: droppedAfter, models: models, notes: notes)
        if let g = spec.groupTime {
            progress?("estimating group-time ATTs (Callaway & Sant'Anna)")
            result.groupTime = try groupTimeATT(g, panel: panel, cohorts: cohorts, spec: spec)
        }
        if let e = spec.effects {
            progress?("estimating treatment effects on the baseline cross-section")
            result.effects = try treatmentEffects(e, spec: spec, panel: panel, persons: persons, starts: persons.map { personStart($0)! },
                                                  baselineRow: baselineRow, treated: persons.map { isParticipant[$0] ? 1 : 0 })
        }
        return result
    }

    /// Group-time ATTs on the persons of the event studies: matched participants with their start
    /// year as group, matched controls never treated (group 0), every year of the register.
    /// - Throws: ``StaggeredError``.
    static func groupTimeATT(_ g: StudySpecification.GroupTimeOptions, panel: PersonYearPanel, cohorts: Cohorts,
                             spec: StudySpecification) throws -> GroupTimeATT {
        var rows: [Int] = [], unit: [Double] = [], group: [Double] = []
        for p in 0..<panel.personCount {
            guard let s = cohorts.start[p] else { continue }
            for r in panel.rows(ofPerson: p) {
                rows.append(r)
                unit.append(Double(p))
                group.append(cohorts.treated[p] ? Double(s) : 0)
            }
        }
        var table = panel.table.selectingRows(rows)
        try table.setColumn("_unit", .numeric(unit))
        try table.setColumn("_group", .numeric(group))
        let data = try StaggeredData(table: table, id: "_unit", time: spec.time, outcome: spec.outcome, group: "_group",
                                     covariates: g.covariates ?? [], factors: g.factors ?? [])
        return try GroupTimeATT(data, options: g.options)
    }
}
