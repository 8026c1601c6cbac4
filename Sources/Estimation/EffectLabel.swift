/// What an effect is of, as structured parts rather than a name to parse:
/// a model term, a treatment cohort (group: its first treated period), a
/// calendar period, an event time (period minus start), an arm. Only the
/// parts that apply are set; ``text`` renders them for tables.
public struct EffectLabel: Hashable, Codable, Sendable {
    /// The treatment arm of a predicted level.
    public enum Arm: String, Codable, Sendable { case treated, control }

    /// A model term in the CLI contract's naming (``TermName``), when the effect is one coefficient.
    public var term: String?
    public var group: Int?
    public var time: Int?
    public var event: Int?
    public var arm: Arm?
    /// A free description (an aggregate's name such as `overall`), shown when nothing else is set.
    public var name: String?

    public init(term: String? = nil, group: Int? = nil, time: Int? = nil, event: Int? = nil, arm: Arm? = nil, name: String? = nil) {
        self.term = term
        self.group = group
        self.time = time
        self.event = event
        self.arm = arm
        self.name = name
    }

    /// The event time as evaluators write it: `start`, `start+1`, `start-2`.
    public static func eventText(_ e: Int) -> String { e == 0 ? "start" : (e > 0 ? "start+\(e)" : "start\(e)") }

    /// The label as a table shows it.
    public var text: String {
        var parts: [String] = []
        if let term { parts.append(term) }
        if let group { parts.append("group \(group)") }
        if let time { parts.append("time \(time)") }
        if let event { parts.append(Self.eventText(event)) }
        if let arm { parts.append(arm.rawValue) }
        if parts.isEmpty, let name { parts.append(name) }
        return parts.joined(separator: ", ")
    }
}
