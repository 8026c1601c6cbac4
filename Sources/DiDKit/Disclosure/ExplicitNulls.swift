/// JSON with every key of a document present: a suppressed or missing number is `null`, not an
/// absent key (the CLI contract: "a suppressed number is null and its object carries
/// "suppressed": true"). Foundation's synthesised encoding omits nil optionals, so the result
/// documents encode their stored properties in declaration order through a mirror instead;
/// `suppressed` is written only when true.
protocol EncodesNulls: Encodable {}

extension EncodesNulls {
    func encodeWithNulls(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: DocumentKey.self)
        for child in Mirror(reflecting: self).children {
            guard let label = child.label, let value = child.value as? any Encodable else { continue }
            if label == "suppressed", (value as? Bool?) ?? nil != true { continue }
            try c.encode(value, forKey: DocumentKey(stringValue: label))
        }
    }
}

struct DocumentKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
