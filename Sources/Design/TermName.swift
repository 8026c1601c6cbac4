/// Term names, made in this one place (the CLI contract's naming, used in
/// every table and JSON document): the intercept `_cons`; a numeric column by
/// its name; a factor level `name=level`; an interaction its parts joined by
/// `:`; the event study's `treated`, `event=e`, `treated:event=e` and the
/// pooled `treated:post`. Reports never parse these back: estimators carry
/// the parts in ``EffectLabel``s and design column roles.
public enum TermName {
    public static let intercept = "_cons"
    public static let treated = "treated"
    public static let treatedPost = interaction([treated, "post"])

    public static func factorLevel(_ factor: String, _ level: String) -> String { "\(factor)=\(level)" }
    public static func interaction(_ parts: [String]) -> String { parts.joined(separator: ":") }
    /// The event-time dummy `event=e`.
    public static func event(_ e: Int) -> String { factorLevel("event", String(e)) }
    /// The treated x event-time interaction `treated:event=e`.
    public static func treatedEvent(_ e: Int) -> String { interaction([treated, event(e)]) }
}
