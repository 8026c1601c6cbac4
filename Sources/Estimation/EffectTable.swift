/// The one result vocabulary of every estimator: a titled list of effects on
/// one scale, with the confidence level, the variance estimator's name and
/// notes. Documents, tables, plots and the disclosure gate render these
/// without parsing names (each row's ``EffectLabel`` has the parts).
public struct EffectTable: Sendable, Equatable {
    public var title: String
    public var scale: EffectScale
    /// Confidence level in percent.
    public var level: Double
    /// The variance estimator (`oim`, `robust`, `cluster`, `bootstrap`, ...).
    public var vce: String?
    public var rows: [Effect]
    /// Whether the intervals are simultaneous (uniform) bands rather than pointwise.
    public var uniformBand: Bool
    public var notes: [String]

    public init(title: String, scale: EffectScale, level: Double, vce: String? = nil, rows: [Effect], uniformBand: Bool = false,
                notes: [String] = []) {
        self.title = title
        self.scale = scale
        self.level = level
        self.vce = vce
        self.rows = rows
        self.uniformBand = uniformBand
        self.notes = notes
    }

    /// The row with the given label parts, if any.
    public func row(event: Int) -> Effect? { rows.first { $0.label.event == event } }
    public func row(group: Int?, time: Int?) -> Effect? { rows.first { $0.label.group == group && $0.label.time == time } }

    /// The table on the odds-ratio scale (every row exponentiated); a log-odds table only.
    public var oddsRatios: EffectTable {
        precondition(scale == .logOdds, "EffectTable.oddsRatios: only a log-odds table has odds ratios")
        var t = self
        t.scale = .oddsRatio
        t.rows = rows.map(\.exponentiated)
        return t
    }
}
