import Estimation

// The rows `attgt` and `etwfe` publish, in JSON and in tables, from one effect and the disclosure
// rule: written once here so that both estimators gate a cell the same way (a value resting on fewer
// than K treated persons is withheld, every number with it).

extension ATTGTDocument.Cell {
    /// Cell `e` (its label's group and time) under the disclosure rule: when it rests on fewer than
    /// `minimumCellSize` persons every number and the count are `nil` and `suppressed` is true;
    /// otherwise a non-finite number is `nil`.
    init(_ e: Effect, minimumCellSize k: Int) {
        let s = (e.persons ?? 0) < k
        self.init(group: e.label.group ?? 0, time: e.label.time ?? 0, att: s ? nil : finite(e.estimate),
                  standardError: s ? nil : e.standardError.flatMap(finite), ciLower: s ? nil : e.ciLower.flatMap(finite),
                  ciUpper: s ? nil : e.ciUpper.flatMap(finite), units: s ? nil : e.persons, suppressed: s)
    }
}

extension ATTGTDocument.AggregateEffect {
    /// Effect `e` of an aggregation, keyed by `keyName` (`event`, `group` or `time`; the key is the
    /// label's event, else group, else time), gated as ``ATTGTDocument/Cell/init(_:minimumCellSize:)``.
    init(_ e: Effect, keyName: String, minimumCellSize k: Int) {
        let s = (e.persons ?? 0) < k
        self.init(keyName: keyName, key: e.label.event ?? e.label.group ?? e.label.time ?? 0, att: s ? nil : finite(e.estimate),
                  standardError: s ? nil : e.standardError.flatMap(finite), ciLower: s ? nil : e.ciLower.flatMap(finite),
                  ciUpper: s ? nil : e.ciUpper.flatMap(finite), suppressed: s)
    }
}

extension ATTGTDocument.Overall {
    /// An aggregation's overall effect (`nil`: none, published as suppressed with null numbers), gated
    /// as ``ATTGTDocument/Cell/init(_:minimumCellSize:)``.
    init(_ e: Effect?, minimumCellSize k: Int) {
        let s = (e?.persons ?? 0) < k
        self.init(att: s ? nil : e.flatMap { finite($0.estimate) }, standardError: s ? nil : e?.standardError.flatMap(finite),
                  suppressed: s)
    }
}

/// The text of group-time effect rows in the report tables of `attgt` and `etwfe`: estimates, SEs and
/// interval ends to four decimals, p-values as ``Format/pValue(_:)``, the treated count through the
/// disclosure gate; every number of a row resting on fewer than K persons shown as `<K`, a reference
/// row as `reference`.
struct GroupTimeRowFormat {
    let disclosure: DisclosureControl

    var k: Int { disclosure.minimumCellSize }

    /// Whether `e` rests on fewer than K persons (no effect or no count: withheld).
    func hidden(_ e: Effect?) -> Bool { (e?.persons ?? 0) < k }

    func number(_ v: Double?, hidden: Bool) -> String { hidden ? "<\(k)" : Format.fixed(v ?? .nan, 4) }

    func interval(_ lower: Double?, _ upper: Double?, hidden: Bool) -> String {
        hidden ? "<\(k)" : "[" + Format.fixed(lower ?? .nan, 4) + ", " + Format.fixed(upper ?? .nan, 4) + "]"
    }

    /// `label`, estimate, SE, interval, p-value and treated count of `e`.
    func row(_ label: String, _ e: Effect) -> [String] {
        if e.isReference { return [label, "reference", "", "", "", disclosure.countText(e.persons ?? 0)] }
        let h = hidden(e)
        return [label, number(e.estimate, hidden: h), number(e.standardError, hidden: h), interval(e.ciLower, e.ciUpper, hidden: h),
                h ? "<\(k)" : Format.pValue(e.pValue ?? .nan), treatedText(e)]
    }

    /// The treated count of a row that is not a reference: through the gate (`<K` below K), and empty
    /// for an average the secondary suppression withheld (``GroupTimeDisclosure/isWithheld(_:)``): "0"
    /// there would be false, and its true count beside the published ones would help give the
    /// suppressed cell back.
    func treatedText(_ e: Effect) -> String {
        GroupTimeDisclosure.isWithheld(e) ? "" : disclosure.countText(e.persons ?? 0)
    }

    /// The columns of ``row(_:_:)`` under table `t`: the ATT in percentage points when `t` is, the
    /// interval named a uniform band when `t`'s is one; the level as `t`'s (one decimal when not whole).
    func columns(_ first: String, _ t: EffectTable) -> [String] {
        [first, t.scale == .percentagePoints ? "ATT (pp)" : "ATT", "Std. err.",
         "[\(Self.levelText(t.level))% \(t.uniformBand ? "uniform band" : "conf. interval")]", "P>|z|", "Treated"]
    }

    static func levelText(_ level: Double) -> String { Format.fixed(level, level == level.rounded() ? 0 : 1) }
}
