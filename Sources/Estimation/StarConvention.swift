/// Significance stars: a star per threshold the p-value falls below.
/// Default `* p < 0.10, ** p < 0.05, *** p < 0.01` (Stata's `esttab` and the
/// reference study's regression tables).
public struct StarConvention: Sendable, Equatable {
    /// Thresholds in decreasing order, e.g. `[0.10, 0.05, 0.01]`.
    public var thresholds: [Double]
    /// Text for a p-value above every threshold (`""`; balance tables use `"i.s."`).
    public var notSignificant: String

    public init(thresholds: [Double] = [0.10, 0.05, 0.01], notSignificant: String = "") {
        self.thresholds = thresholds.sorted(by: >)
        self.notSignificant = notSignificant
    }

    /// Regression tables: `* <0.10, ** <0.05, *** <0.01`.
    public static let regression = StarConvention()
    /// The reference study's balance tables: `* <0.10, ** <0.05, *** <0.001`, else `i.s.`.
    public static let balance = StarConvention(thresholds: [0.10, 0.05, 0.001], notSignificant: "i.s.")

    /// The stars for `p`.
    public func stars(_ p: Double) -> String {
        guard p.isFinite else { return "" }
        let k = thresholds.filter { p < $0 }.count
        return k == 0 ? notSignificant : String(repeating: "*", count: k)
    }

    /// A note explaining the stars, e.g. `* p<0.10, ** p<0.05, *** p<0.01`.
    public var legend: String {
        thresholds.enumerated().map { "\(String(repeating: "*", count: $0.offset + 1)) p<\(formatThreshold($0.element))" }
            .joined(separator: ", ")
    }

    private func formatThreshold(_ t: Double) -> String {
        var s = String(t)
        if s.hasPrefix("0.") { s = String(s.dropFirst()) }
        return "0" + s
    }
}
