import Foundation

/// Decodes JSON into a `Decodable` type and rejects every key the type does
/// not read: study files are decoded strictly, so a misspelt `"calliper"` is
/// an error naming it and the nearest valid key instead of a run without a
/// caliper.
///
/// Why by hand: Foundation's `JSONDecoder` ignores unknown keys and has no
/// option to refuse them, and a list of valid keys per type would have to be
/// kept beside each type's properties. This decoder records which keys each
/// object's decoding asks for (synthesised `Decodable` asks for every declared
/// key, `decodeIfPresent` included) and reports the keys of the file that no
/// decoding asked for.
///
/// Complexity: one parse by `JSONDecoder` into a ``JSONValue`` tree, then one
/// walk; O(size of the file).
public enum StrictJSONDecoder {
    /// - Throws: ``StrictDecodingError`` (unknown key, wrong type, bad value), each naming the key path.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw StrictDecodingError(path: "", message: "is not valid JSON (\(syntaxDetail(error)))")
        }
        if let d = firstDuplicateKey(in: data) {
            let at = d.path.isEmpty ? "at the top level" : "in '\(d.path)'"
            throw StrictDecodingError(path: "", message: "has the key '\(d.key)' twice \(at): a JSON reader keeps one of them without a word; remove the other")
        }
        let log = KeyLog()
        let value: T
        do { value = try T(from: JSONValueDecoder(value: root, codingPath: [], log: log)) } catch let e as DecodingError {
            // A required key missing because it is misspelt: name the misspelling.
            if case .keyNotFound(let key, let c) = e, let typo = log.misspelling(of: key.stringValue, at: pathText(c.codingPath)) {
                throw typo
            }
            throw StrictDecodingError(e, log: log)
        }
        if let unknown = log.firstUnknown() { throw unknown }
        return value
    }

    static func syntaxDetail(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let c) = error {
            return (c.underlyingError.map { "\($0.localizedDescription)" } ?? c.debugDescription)
        }
        return String(describing: error)
    }
}

/// A study-file problem, naming the key path (`matching.caliper`, `models[1].name`).
public struct StrictDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    init(_ e: DecodingError, log: KeyLog) {
        switch e {
        case .keyNotFound(let key, let c):
            self.init(path: pathText(c.codingPath + [key]), message: "is required but missing")
        case .typeMismatch(let type, let c):
            self.init(path: pathText(c.codingPath), message: "must be \(typeName(type))")
        case .valueNotFound(let type, let c):
            self.init(path: pathText(c.codingPath), message: "must be \(typeName(type)), not null")
        case .dataCorrupted(let c):
            self.init(path: pathText(c.codingPath), message: c.debugDescription)
        @unknown default:
            self.init(path: "", message: String(describing: e))
        }
    }

    public var description: String { path.isEmpty ? "the file \(message)" : "'\(path)' \(message)" }
}

func typeName(_ t: Any.Type) -> String {
    switch t {
    case is String.Type: return "text in quotes"
    case is Bool.Type: return "true or false"
    case is Double.Type, is Float.Type: return "a number"
    case is Int.Type: return "a whole number"
    default:
        let s = String(describing: t)
        if s.hasPrefix("Array") { return "a list [...]" }
        if s.hasPrefix("Dictionary") { return "an object {...}" }
        return "a \(s)"
    }
}

func pathText(_ path: [any CodingKey]) -> String {
    var s = ""
    for k in path {
        if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
    }
    return s
}

/// A parsed JSON value.
public enum JSONValue: Decodable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

/// Per object (by key path): the keys it has and the keys decoding asked for.
final class KeyLog: @unchecked Sendable {
    private var present: [(path: String, keys: [String])] = []
    private var asked: [String: Set<String>] = [:]

    func register(path: String, keys: [String]) {
        if !present.contains(where: { $0.path == path }) { present.append((path, keys.sorted())) }
    }
    func ask(path: String, key: String) { asked[path, default: []].insert(key) }

    /// The key of the object at `path` that no decoding asked for and that is nearest to the
    /// missing `key`, as an unknown-key error suggesting `key`.
    func misspelling(of key: String, at path: String) -> StrictDecodingError? {
        let known = asked[path] ?? []
        let unasked = (present.first { $0.path == path }?.keys ?? []).filter { !known.contains($0) }
        guard let typo = nearestName(to: key, in: unasked) else { return nil }
        return StrictDecodingError(path: path.isEmpty ? typo : "\(path).\(typo)", message: "is not a known key (did you mean '\(key)'?)")
    }

    /// The first key (in file order of objects, keys sorted) that no decoding asked for.
    func firstUnknown() -> StrictDecodingError? {
        for (path, keys) in present {
            let known = asked[path] ?? []
            if let k = keys.first(where: { !known.contains($0) }) {
                let hint = didYouMean(k, in: known.sorted())
                let valid = known.isEmpty ? "" : ": valid keys here are \(known.sorted().joined(separator: ", "))"
                return StrictDecodingError(path: path.isEmpty ? k : "\(path).\(k)", message: "is not a known key\(hint)\(valid)")
            }
        }
        return nil
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { stringValue = "\(intValue)"; self.intValue = intValue }
}

struct JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let log: KeyLog
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let o) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object"))
        }
        log.register(path: pathText(codingPath), keys: Array(o.keys))
        return KeyedDecodingContainer(KeyedContainer<Key>(object: o, codingPath: codingPath, log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let a) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected a list"))
        }
        return UnkeyedContainer(values: a, codingPath: codingPath, log: log)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValue(value: value, codingPath: codingPath, log: log) }
}

struct SingleValue: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let log: KeyLog

    func mismatch(_ t: Any.Type) -> DecodingError {
        .typeMismatch(t, .init(codingPath: codingPath, debugDescription: "wrong type"))
    }
    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(type) }
        return b
    }
    func decode(_ type: String.Type) throws -> String {
        guard case .string(let s) = value else { throw mismatch(type) }
        return s
    }
    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let d) = value else { throw mismatch(type) }
        return d
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    /// A whole number in the type's range (2012.5 is not a year; 1e30 is not an Int).
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let d = try decode(Double.self)
        guard d == d.rounded(), let v = T(exactly: d) else { throw mismatch(type) }
        return v
    }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: JSONValueDecoder(value: value, codingPath: codingPath, log: log))
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: [String: JSONValue]
    let codingPath: [any CodingKey]
    let log: KeyLog

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool {
        log.ask(path: pathText(codingPath), key: key.stringValue)
        return object[key.stringValue] != nil
    }
    func value(_ key: Key) throws -> JSONValue {
        log.ask(path: pathText(codingPath), key: key.stringValue)
        guard let v = object[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return v
    }
    func decoder(_ key: Key) throws -> JSONValueDecoder {
        JSONValueDecoder(value: try value(key), codingPath: codingPath + [key], log: log)
    }
    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let d = try decoder(key)
        if d.value == .null { throw DecodingError.valueNotFound(type, .init(codingPath: d.codingPath, debugDescription: "null")) }
        if let prim = T.self as? any PrimitiveJSON.Type, let v = try prim.decodePrimitive(SingleValue(value: d.value, codingPath: d.codingPath, log: log)) as? T { return v }
        return try T(from: d)
    }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try decoder(key).unkeyedContainer() }
    func superDecoder() throws -> any Decoder { JSONValueDecoder(value: .object(object), codingPath: codingPath, log: log) }
    func superDecoder(forKey key: Key) throws -> any Decoder { try decoder(key) }
}

struct UnkeyedContainer: UnkeyedDecodingContainer {
    let values: [JSONValue]
    let codingPath: [any CodingKey]
    let log: KeyLog
    var currentIndex = 0

    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    mutating func next() throws -> JSONValueDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the list ended early"))
        }
        defer { currentIndex += 1 }
        return JSONValueDecoder(value: values[currentIndex], codingPath: codingPath + [AnyKey(intValue: currentIndex)], log: log)
    }
    mutating func decodeNil() throws -> Bool {
        if !isAtEnd && values[currentIndex] == .null { currentIndex += 1; return true }
        return false
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let d = try next()
        if d.value == .null { throw DecodingError.valueNotFound(type, .init(codingPath: d.codingPath, debugDescription: "null")) }
        if let prim = T.self as? any PrimitiveJSON.Type, let v = try prim.decodePrimitive(SingleValue(value: d.value, codingPath: d.codingPath, log: log)) as? T { return v }
        return try T(from: d)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}

/// The standard library's primitives decode through ``SingleValue`` (whole numbers checked exactly).
protocol PrimitiveJSON { static func decodePrimitive(_ c: SingleValue) throws -> Self }
extension Bool: PrimitiveJSON { static func decodePrimitive(_ c: SingleValue) throws -> Bool { try c.decode(Bool.self) } }
extension String: PrimitiveJSON { static func decodePrimitive(_ c: SingleValue) throws -> String { try c.decode(String.self) } }
extension Double: PrimitiveJSON { static func decodePrimitive(_ c: SingleValue) throws -> Double { try c.decode(Double.self) } }
extension Int: PrimitiveJSON { static func decodePrimitive(_ c: SingleValue) throws -> Int { try c.integer(Int.self) } }
