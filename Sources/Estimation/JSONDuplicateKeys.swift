import Foundation

/// The first key that an object of a JSON text holds twice, with the path of that object (`models[1]`, empty for
/// the top level), or nil.
///
/// Why by hand: `JSONDecoder` and `JSONSerialization` keep one of two equal keys and drop the other without a word,
/// so a study file with `"outcome"` twice ran on one of them (the second hostile-input sweep). This scan reads only
/// the structure (strings, brackets, commas, colons); the text is known to be JSON when the decoder accepts it, so a
/// malformed text just gives nil here and the decoder's own message. Keys compare as written (escapes not decoded).
/// - Complexity: `O(n)` in the text's bytes.
public func firstDuplicateKey(in data: Data) -> (key: String, path: String)? {
    enum Container { case object(keys: Set<[UInt8]>, path: String), array(index: Int, path: String) }
    let bytes = [UInt8](data)
    var stack: [Container] = []
    var expectingKey = false
    var pendingKey: String?
    var i = 0
    func childPath() -> String {
        switch stack.last {
        case .object(_, let p): return p.isEmpty ? (pendingKey ?? "") : "\(p).\(pendingKey ?? "")"
        case .array(let k, let p): return "\(p)[\(k)]"
        case nil: return ""
        }
    }
    while i < bytes.count {
        let b = bytes[i]
        switch b {
        case UInt8(ascii: "\""):
            var j = i + 1
            while j < bytes.count && bytes[j] != UInt8(ascii: "\"") { j += bytes[j] == UInt8(ascii: "\\") ? 2 : 1 }
            guard j < bytes.count else { return nil }
            if expectingKey, case .object(var keys, let p) = stack.last {
                let key = Array(bytes[(i + 1)..<j])
                let name = String(decoding: key, as: UTF8.self)
                if !keys.insert(key).inserted { return (name, p) }
                stack[stack.count - 1] = .object(keys: keys, path: p)
                pendingKey = name
                expectingKey = false
            }
            i = j + 1
            continue
        case UInt8(ascii: "{"):
            stack.append(.object(keys: [], path: childPath()))
            expectingKey = true
        case UInt8(ascii: "["):
            stack.append(.array(index: 0, path: childPath()))
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            _ = stack.popLast()
            expectingKey = false
        case UInt8(ascii: ","):
            switch stack.last {
            case .object: expectingKey = true
            case .array(let k, let p): stack[stack.count - 1] = .array(index: k + 1, path: p)
            case nil: break
            }
        default: break
        }
        i += 1
    }
    return nil
}
