/// An option with a fixed set of spellings (`vce`, `model`, `link`, `preset`,
/// ...), decoded strictly from study files and parsed strictly from the command
/// line: an unknown value is an error that names it, the valid ones and the
/// nearest, never a silent default.
public protocol StrictOption: RawRepresentable, CaseIterable, Codable, Sendable where RawValue == String {
    /// The option's name in messages (`vce`, `matching.preset`).
    static var optionName: String { get }
}

/// An option value that is not one of the valid spellings.
public struct UnknownOptionValue: Error, Sendable, Equatable, CustomStringConvertible {
    public let option: String
    public let value: String
    public let valid: [String]

    public var description: String {
        "\(option) '\(value)' is not valid\(didYouMean(value, in: valid)): use one of \(valid.joined(separator: ", "))"
    }
}

extension StrictOption {
    /// The valid spellings, in declaration order.
    public static var validValues: [String] { allCases.map(\.rawValue) }

    /// Parses a spelling.
    /// - Throws: ``UnknownOptionValue`` naming the nearest valid one.
    public static func parse(_ text: String) throws -> Self {
        guard let v = Self(rawValue: text) else { throw UnknownOptionValue(option: optionName, value: text, valid: validValues) }
        return v
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let v = Self(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: UnknownOptionValue(option: Self.optionName, value: text,
                                                                                               valid: Self.validValues).description)
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// The variance estimator chosen after a fit, by name (the cluster ids come from the data).
public enum VCEKind: String, StrictOption {
    /// Model-based: the inverse information (ML) or classical OLS.
    case oim
    /// Huber-White sandwich (HC1 for OLS).
    case robust
    /// Cluster-robust sandwich (CR1 for OLS): by person unless another column is named.
    case cluster

    public static let optionName = "vce"
}
