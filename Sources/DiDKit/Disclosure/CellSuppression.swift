/// Primary and secondary suppression of counts linked by additive relations.
///
/// Every count an output publishes, and every count a reader could derive from
/// published ones (a difference of two published counts, such as "matched"
/// minus "persons in the model"), is a cell; each relation says that one cell
/// is the sum of others (`participants = excluded_1 + ... + entering`).
///
/// - Primary: a cell with `0 < value < K` is suppressed, published or not
///   (an unpublished cell is the value a reader would get by subtraction).
/// - Secondary: while some relation has exactly one suppressed cell, the
///   smallest positive published cell of that relation is suppressed too (a
///   relation is safe once two of its cells are unknown: suppressed or never
///   published), so
///   no suppressed value follows from the others by subtraction (the rule
///   statistical offices apply to margins and totals; Statistics Denmark,
///   Statistics Norway). Relations are audited one at a time, not jointly
///   (as tau-argus's hypercube method does), so a value recoverable only by
///   combining several relations is not ruled out: see Docs/DisclosureControl.md.
///
/// Complexity: O(iterations x total relation size); iterations <= cells.
public struct CellSuppression: Sendable {
    public private(set) var values: [String: Int] = [:]
    private var published: Set<String> = []
    private var relations: [[String]] = []
    private var forced: Set<String> = []

    public init() {}

    /// Adds a cell; `published: false` for a value a reader can only derive.
    public mutating func add(_ key: String, _ value: Int, published: Bool = true) {
        values[key] = value
        if published { self.published.insert(key) }
    }

    /// Suppresses a cell whatever its value (a share whose complement is small, a cell of a
    /// saturated model): primary suppression decided elsewhere.
    public mutating func force(_ key: String) { forced.insert(key) }

    /// `total = sum of parts`, over cells added before or after.
    public mutating func relate(total: String, parts: [String]) { relations.append([total] + parts) }

    /// The suppressed cells under minimum cell size `k`.
    public func suppressed(minimumCellSize k: Int) -> Set<String> {
        var out = Set(values.filter { $0.value > 0 && $0.value < k }.map(\.key)).union(forced)
        var changed = true
        while changed {
            changed = false
            for r in relations {
                let cells = r.filter { values[$0] != nil }
                // Unknown to a reader: suppressed or never published. One unknown cell that is
                // suppressed follows from the others; two or more unknowns do not.
                let unknown = cells.filter { out.contains($0) || !published.contains($0) }
                guard unknown.count == 1, out.contains(unknown[0]) else { continue }
                let candidates = cells.filter { !out.contains($0) && published.contains($0) }
                let positive = candidates.filter { (values[$0] ?? 0) > 0 }
                guard let pick = (positive.isEmpty ? candidates : positive).min(by: { (values[$0] ?? 0, $0) < (values[$1] ?? 0, $1) }) else {
                    continue
                }
                out.insert(pick)
                changed = true
            }
        }
        return out
    }
}
