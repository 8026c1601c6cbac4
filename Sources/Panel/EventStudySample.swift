import Linalg
import Regression
import Design
import Estimation
import Tabular

/// The person-years of an event study: every person with a start year, their
/// rows inside the window, after window conditions and listwise deletion,
/// with everything excluded counted by reason.
public struct EventStudySample: Sendable {
    public let specification: EventStudySpecification
    /// Panel rows in the sample (sorted by person, so clusters are contiguous).
    public let panelRows: [Int]
    /// Index into `specification.window` of each row's event time.
    public let eventIndex: [Int8]
    public let treated: [Bool]
    /// Person code of each row.
    public let person: [Int32]
    /// The outcome per row.
    public let outcome: [Double]
    /// Per row: the person's weight (matching weights: a control used k times counts k times), or nil.
    public let weights: [Double]?
    /// Per row: the cluster of the person's rows (a matched pair; default the person).
    public let clusters: ClusterIDs
    /// Persons in the sample by group.
    public let treatedPersons: Int
    public let controlPersons: Int
    /// Persons excluded, by reason (in the order checked).
    public let excludedPersons: [(reason: String, treated: Int, control: Int)]
    /// Person-years dropped for missing outcome or controls, by column.
    public let droppedRows: [(column: String, count: Int)]
    /// Baseline control values per person, by column.
    let baselineValues: [String: [Double]]
    /// Time-varying control columns (panel-row indexed).
    let controlColumns: [String: NumericColumn]
    /// Factor level codes per sample row (``panelRows`` order) and the level labels.
    let factorCodes: [String: [Int]]
    let factorLevels: [String: (levels: [String], base: Int)]

    /// Selects the sample.
    /// - Throws: ``PanelError`` for bad windows, uncovered event times, empty cells and empty groups.
    /// - Parameters:
    ///   - personWeights: a weight per panel person (matching weights), finite and >= 0; persons
    ///     of weight 0 leave the sample (counted). nil: every person counts once.
    ///   - personClusters: a cluster code per panel person (the matched pair, Abadie & Spiess
    ///     2022); nil: clusters are persons.
    public init(panel: PersonYearPanel, cohorts: Cohorts, specification spec: EventStudySpecification,
                conditions: [WindowCondition] = [], personWeights: [Double]? = nil, personClusters: [Int]? = nil) throws {
        specification = spec
        if let wts = personWeights {
            precondition(wts.count == panel.personCount, "EventStudySample: one weight per panel person")
            if let bad = wts.first(where: { !($0.isFinite && $0 >= 0) }) { throw PanelError.invalidWeight(value: bad) }
        }
        precondition(personClusters.map { $0.count == panel.personCount } ?? true, "EventStudySample: one cluster per panel person")
        let w = spec.window
        guard w.lowerBound <= w.upperBound else { throw PanelError.invalidWindow(lower: w.lowerBound, upper: w.upperBound) }
        // Bounds first: the count of a range reaching Int.max would overflow.
        guard w.lowerBound >= -EventStudySpecification.maximumEventTime, w.upperBound <= EventStudySpecification.maximumEventTime,
              w.count <= EventStudySpecification.maximumWindowLength else {
            throw PanelError.windowTooWide(lower: w.lowerBound, upper: w.upperBound)
        }
        guard w.contains(spec.reference) else {
            throw PanelError.referenceOutsideWindow(reference: spec.reference, lower: w.lowerBound, upper: w.upperBound)
        }
        precondition(cohorts.treated.count == panel.personCount, "EventStudySample: cohorts must cover every panel person")
        let table = panel.table
        func numeric(_ c: String) throws -> NumericColumn {
            do { return try table.numeric(c) } catch let e as DataError { throw PanelError.data(e) }
        }
        let y = try numeric(spec.outcome)
        var controls: [String: NumericColumn] = [:]
        for c in spec.controls { controls[c] = try numeric(c) }
        var conditionColumns: [String: NumericColumn] = [:]
        for c in conditions where conditionColumns[c.column] == nil { conditionColumns[c.column] = try numeric(c.column) }
        var baseline: [String: [Double]] = [:]
        for c in spec.baselineControls {
            let v = try numeric(c)
            baseline[c] = (0..<panel.personCount).map { p in
                let year: Int?
                switch spec.baseline {
                case .calendar(let yr): year = yr
                case .relative(let k): year = cohorts.start[p].map { $0 + k }
                }
                guard let yr = year, let r = panel.row(person: p, year: yr) else { return .nan }
                return v[r]
            }
        }
        // A factor's levels are learned from the whole panel, so a row's code is missing exactly when its
        // value is: the person loop tests the values, and the codes are made for the sample's rows only
        // (per panel row they were an `Int` per row, 0.4 GB of fresh pages on the whole country's panel).
        let factors: [(coding: FactorCoding, column: Column)]
        do {
            factors = try spec.factorControls.map { f in (try learnFactor(table, f, base: spec.baseLevels[f]), try table.column(f)) }
        } catch let e as DataError { throw PanelError.data(e) }

        let yr = panel.yearRange
        var reasons: [String] = ["start year outside the data (\(yr.lowerBound)-\(yr.upperBound))"]
        reasons += conditions.map(\.label)
        let referenceReason = "no observation in the reference period (event time \(spec.reference))"
        reasons.append(referenceReason)
        let noRowsReason = "no complete person-year in the window"
        reasons.append(noRowsReason)
        let zeroWeight = reasons.count
        reasons.append("weight 0")
        var excludedTreated = [Int](repeating: 0, count: reasons.count)
        var excludedControl = [Int](repeating: 0, count: reasons.count)
        var rows: [Int] = [], eidx: [Int8] = [], tr: [Bool] = [], pers: [Int32] = [], out: [Double] = []
        var missingCounts: [String: Int] = [:]
        var nTreated = 0, nControl = 0
        let windowList = Array(w)
        // The per-row checks read arrays in specification order (no dictionary lookups per row).
        let controlList = spec.controls.map { controls[$0]! }
        let factorList = factors.map(\.column)
        var controlMissing = [Int](repeating: 0, count: controlList.count)
        var factorMissing = [Int](repeating: 0, count: factorList.count)
        personLoop: for p in 0..<panel.personCount {
            guard let s = cohorts.start[p] else { continue }
            if let wts = personWeights, wts[p] == 0 {
                if cohorts.treated[p] { excludedTreated[zeroWeight] += 1 } else { excludedControl[zeroWeight] += 1 }
                continue
            }
            let isTreated = cohorts.treated[p]
            func exclude(_ k: Int) {
                if isTreated { excludedTreated[k] += 1 } else { excludedControl[k] += 1 }
            }
            if !yr.contains(s) { exclude(0); continue }
            for (k, c) in conditions.enumerated() {
                let col = conditionColumns[c.column]!
                for ry in c.relativeYears {
                    guard let r = panel.row(person: p, year: s + ry), c.accepts(col[r]) else { exclude(1 + k); continue personLoop }
                }
            }
            if spec.requireReferenceObservation && panel.row(person: p, year: s + spec.reference) == nil {
                exclude(conditions.count + 1)
                continue
            }
            var personRows = 0
            var baselineMissing = false
            for c in spec.baselineControls where baseline[c]![p].isNaN {
                missingCounts[c, default: 0] += 1
                baselineMissing = true
            }
            if !baselineMissing {
                for r in panel.rows(ofPerson: p) {
                    let e = Int(panel.years[r]) - s
                    guard w.contains(e) else { continue }
                    if y[r].isNaN { missingCounts[spec.outcome, default: 0] += 1; continue }
                    var missing = false
                    for (k, c) in controlList.enumerated() where c[r].isNaN { controlMissing[k] += 1; missing = true }
                    for (k, f) in factorList.enumerated() where f.isMissing(r) { factorMissing[k] += 1; missing = true }
                    if missing { continue }
                    rows.append(r)
                    eidx.append(Int8(e - w.lowerBound))
                    tr.append(isTreated)
                    pers.append(Int32(p))
                    out.append(y[r])
                    personRows += 1
                }
            }
            if personRows == 0 { exclude(conditions.count + 2); continue }
            if isTreated { nTreated += 1 } else { nControl += 1 }
        }
        for (k, c) in spec.controls.enumerated() where controlMissing[k] > 0 { missingCounts[c, default: 0] += controlMissing[k] }
        for (k, f) in spec.factorControls.enumerated() where factorMissing[k] > 0 { missingCounts[f, default: 0] += factorMissing[k] }
        excludedPersons = reasons.indices.compactMap { k in
            excludedTreated[k] + excludedControl[k] > 0 ? (reasons[k], excludedTreated[k], excludedControl[k]) : nil
        }
        let summary = excludedPersons.map { "\($0.reason): \($0.treated) treated, \($0.control) controls" }.joined(separator: "; ")
        if nTreated == 0 { throw PanelError.noTreated(reason: summary.isEmpty ? "no treated person has a start year" : summary) }
        if nControl == 0 { throw PanelError.noControls(reason: summary.isEmpty ? "no control person has a start year" : summary) }
        // Coverage of every event time, for both groups.
        var cellT = [Int](repeating: 0, count: windowList.count), cellC = cellT
        for k in rows.indices { if tr[k] { cellT[Int(eidx[k])] += 1 } else { cellC[Int(eidx[k])] += 1 } }
        let uncovered = windowList.indices.filter { cellT[$0] + cellC[$0] == 0 }.map { windowList[$0] }
        if !uncovered.isEmpty { throw PanelError.windowNotCovered(eventTimes: uncovered, exclusions: summary) }
        for k in windowList.indices {
            if cellT[k] == 0 { throw PanelError.emptyEventCell(eventTime: windowList[k], group: "treated") }
            if cellC[k] == 0 { throw PanelError.emptyEventCell(eventTime: windowList[k], group: "control") }
        }
        panelRows = rows
        eventIndex = eidx
        treated = tr
        person = pers
        outcome = out
        weights = personWeights.map { wts in pers.map { wts[Int($0)] } }
        clusters = personClusters.map { c in ClusterIDs(labels: pers.map { c[Int($0)] }) } ?? ClusterIDs(labels: pers)
        treatedPersons = nTreated
        controlPersons = nControl
        droppedRows = missingCounts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        baselineValues = baseline
        controlColumns = controls
        var fCodes: [String: [Int]] = [:], fLevels: [String: (levels: [String], base: Int)] = [:]
        for (f, factor) in zip(spec.factorControls, factors) {
            do {
                fCodes[f] = try Design.factorCodes(table: Table([(f, factor.column.selecting(rows))]), coding: factor.coding)
            } catch let e as DataError { throw PanelError.data(e) }
            fLevels[f] = (factor.coding.levels, factor.coding.base)
        }
        factorCodes = fCodes
        factorLevels = fLevels
    }

    /// Number of person-years.
    public var count: Int { panelRows.count }

    /// Notes on everything excluded, one sentence each.
    public var notes: [String] {
        var n = excludedPersons.map { "persons excluded, \($0.reason): \($0.treated) treated, \($0.control) controls" }
        n += droppedRows.map { "person-years dropped for missing \($0.column): \($0.count)" }
        return n
    }
}

/// The persons behind one event time of an event study, by group: what the
/// disclosure gate checks an event-time effect against.
public struct EventTimeCell: Sendable, Equatable {
    public let eventTime: Int
    public let treatedPersons: Int
    /// Treated persons with outcome 1 at this event time.
    public let treatedOnes: Int
    public let controlPersons: Int
    public let controlOnes: Int
}

extension EventStudySample {
    /// Persons and outcome-1 counts per event time and group (one row per person and event time).
    /// Complexity: one pass over the sample.
    public var eventTimeCells: [EventTimeCell] {
        let w = Array(specification.window)
        var tp = [Int](repeating: 0, count: w.count), to = tp, cp = tp, co = tp
        for i in 0..<count {
            let k = Int(eventIndex[i])
            let one = outcome[i] == 1 ? 1 : 0
            if treated[i] { tp[k] += 1; to[k] += one } else { cp[k] += 1; co[k] += one }
        }
        return w.indices.map { EventTimeCell(eventTime: w[$0], treatedPersons: tp[$0], treatedOnes: to[$0], controlPersons: cp[$0], controlOnes: co[$0]) }
    }

    /// Whether the model is saturated in (treated, event time): no controls, so every estimate is
    /// a function of the cells' outcome shares.
    public var isSaturated: Bool {
        specification.controls.isEmpty && specification.baselineControls.isEmpty && specification.factorControls.isEmpty
    }
}
