import Estimation
import Matching

extension StudyReport {
    /// The report's data files (`tables/<name>.csv`), by the same names as the presentation tables:
    /// tidy rows (``TidyTable``) with raw numbers from the same gated documents.
    /// - `exclusions`: the exclusion flow, one `count` row per step and arm;
    /// - `balance`: balance before and after matching and the match's counts;
    /// - `models`: every model's coefficients (and odds ratios), pre-trend test and counts;
    /// - `event-study-<model>`, `predicted-<model>`: the event study (and pre-trend test), the
    ///   predicted levels and average marginal effects;
    /// - `group-time`, `group-time-<type>`: the ATT(g,t) cells and pre-test, each aggregation.
    public func tidyTables() -> [(String, TidyTable)] {
        let k = disclosure.minimumCellSize
        var out: [(String, TidyTable)] = [("exclusions", exclusionsTidy()),
                                          ("balance", TidyTable(matchDocument.tidy().rows.filter { $0.component != "propensity-model" }))]
        var models = TidyTable()
        for (name, doc) in modelDocuments {
            let all = doc.tidy(model: name)
            models.rows += all.rows.filter { $0.component == "coefficients" || $0.component == "pre-trend" }
            for (label, n) in [("observations", doc.publishedObservations), ("Persons, treated", doc.persons.treated),
                               ("Persons, control", doc.persons.control)] {
                let row = TidyRow(model: name, component: "counts", label: EffectLabel(name: label), scale: "count",
                                  estimate: n.flatMap { disclosure.count($0) }.map(Double.init))
                models.rows.append(row.estimate == nil ? row.withheld(withheldReason(k)) : row)
            }
        }
        out.append(("models", models))
        for (name, doc) in modelDocuments {
            let slug = StudySpecification.ModelVariant.slug(of: name)
            let all = doc.tidy(model: name)
            out.append(("event-study-\(slug)", TidyTable(all.rows.filter { $0.component == "event-study" || $0.component == "pre-trend" })))
            out.append(("predicted-\(slug)", TidyTable(all.rows.filter { $0.component == "predicted" || $0.component == "marginal-effects" })))
        }
        if let doc = groupTimeDocument {
            let all = doc.tidy(model: "callaway-santanna")
            out.append(("group-time", TidyTable(all.rows.filter { $0.component == "attgt" || $0.component == "pre-trend" })))
            for a in doc.aggregates {
                out.append(("group-time-\(a.type)", TidyTable(all.rows.filter { $0.component == a.type })))
            }
        }
        return out
    }

    /// Every data file's rows in one table (`didkit run/demo --format csv`).
    public func tidy() -> TidyTable { tidyTables().map(\.1).reduce(TidyTable(), +) }

    /// The exclusion flow as tidy count rows, the steps named as in ``exclusionsTable()`` (suppressed
    /// counts withheld with the reason).
    func exclusionsTidy() -> TidyTable {
        var steps: [(String, String?, String?)] = [("Participants in the register", "participants.treated", nil),
                                                  ("Control pool", nil, "pool.control")]
        for (k, e) in result.exclusions.enumerated() {
            steps.append(("Excluded: \(e.reason)", "excluded[\(k)].treated", "excluded[\(k)].control"))
        }
        steps += [("Excluded: missing baseline covariates (or perfectly predicted by them)", "missingBaseline.treated", "missingBaseline.control"),
                  ("Entering the match", "entering.treated", "entering.control"), ("Matched", "matched.treated", "matched.control")]
        for reason in UnmatchedReason.allCases where (result.disclosureCells.values["unmatched[\(reason.rawValue)]"] ?? 0) > 0 {
            steps.append(("Unmatched: \(reason.rawValue)", "unmatched[\(reason.rawValue)]", nil))
        }
        if result.controlsDroppedAfterMatching > 0 { steps.append(("Dropped after matching (conditions at partner's start)", nil, "droppedAfter.control")) }
        var rows: [TidyRow] = []
        for (step, treatedKey, controlKey) in steps {
            for (arm, key) in [(EffectLabel.Arm.treated, treatedKey), (.control, controlKey)] {
                guard let key, let n = result.disclosureCells.values[key] else { continue }
                let row = TidyRow(model: "study", component: "exclusions", label: EffectLabel(arm: arm, name: step), scale: "count",
                                  estimate: Double(n))
                rows.append(suppressedCounts.contains(key) ? row.withheld(withheldReason(disclosure.minimumCellSize)) : row)
            }
        }
        return TidyTable(rows)
    }
}
