import Estimation
import Foundation
import Testing

private struct Inner: Codable, Equatable {
    var caliper: Double?
    var replacement: Bool?
}

private struct Outer: Codable, Equatable {
    var name: String
    var year: Int
    var vce: VCEKind?
    var inner: Inner
    var list: [Inner]?
}

private func decode(_ json: String) throws -> Outer {
    try StrictJSONDecoder.decode(Outer.self, from: Data(json.utf8))
}

@Suite("Strict study-file decoding")
struct StrictDecodingTests {
    @Test("a valid file decodes as JSONDecoder decodes it")
    func validFileDecodes() throws {
        let json = #"{"name": "a", "year": 2012, "vce": "robust", "inner": {"caliper": 0.01}, "list": [{"replacement": true}]}"#
        let strict = try decode(json)
        let plain = try JSONDecoder().decode(Outer.self, from: Data(json.utf8))
        #expect(strict == plain)
    }

    /// The second hostile-input sweep: `"outcome"` twice ran on one of the two values without a word.
    @Test("a key given twice in one object is an error naming it and the object; the same key in two objects is fine")
    func duplicateKeyNamed() throws {
        let cases: [(String, String)] = [
            (#"{"name": "a", "name": "b", "year": 1, "inner": {}}"#, "has the key 'name' twice at the top level"),
            (#"{"name": "a", "year": 1, "inner": {"caliper": 1, "caliper": 2}}"#, "has the key 'caliper' twice in 'inner'"),
            (#"{"name": "a", "year": 1, "inner": {}, "list": [{}, {"replacement": true, "replacement": false}]}"#,
             "has the key 'replacement' twice in 'list[1]'"),
        ]
        for (json, expected) in cases {
            do { _ = try decode(json); Issue.record("accepted \(json)") } catch {
                #expect(String(describing: error).contains(expected), "\(error)")
            }
        }
        // Equal keys in different objects, and a key's name inside a string value, are not duplicates.
        _ = try decode(#"{"name": "caliper, caliper", "year": 1, "inner": {"caliper": 1}, "list": [{"caliper": 2}, {"caliper": 3}]}"#)
        #expect(firstDuplicateKey(in: Data(#"{"a": {"b": 1}, "c": {"b": 2}, "d": "\"a\": 1"}"#.utf8)) == nil)
    }

    @Test("an unknown key is an error naming it, its path and the nearest valid key")
    func unknownKeyNamed() {
        #expect(throws: StrictDecodingError.self) { try decode(#"{"name": "a", "year": 1, "inner": {"calliper": 0.01}}"#) }
        do {
            _ = try decode(#"{"name": "a", "year": 1, "inner": {}, "list": [{}, {"replacment": false}]}"#)
            Issue.record("no error")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("list[1].replacment"))
            #expect(text.contains("did you mean 'replacement'"))
        }
    }

    @Test("a misspelt required key is reported as the misspelling")
    func misspeltRequiredKey() {
        do {
            _ = try decode(#"{"nme": "a", "year": 1, "inner": {}}"#)
            Issue.record("no error")
        } catch {
            #expect(String(describing: error).contains("'nme' is not a known key (did you mean 'name'?)"))
        }
    }

    @Test("an unknown option value names the valid ones and the nearest")
    func unknownOptionValue() throws {
        do {
            _ = try decode(#"{"name": "a", "year": 1, "vce": "clustr", "inner": {}}"#)
            Issue.record("no error")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("'vce'"))
            #expect(text.contains("did you mean 'cluster'"))
            #expect(text.contains("oim, robust, cluster"))
        }
        #expect(throws: UnknownOptionValue.self) { try VCEKind.parse("OIM") }
        #expect(try VCEKind.parse("oim") == .oim)
    }

    @Test("a fractional or out-of-range whole number is refused")
    func wholeNumbersExact() {
        #expect(throws: StrictDecodingError.self) { try decode(#"{"name": "a", "year": 2012.5, "inner": {}}"#) }
        #expect(throws: StrictDecodingError.self) { try decode(#"{"name": "a", "year": 1e30, "inner": {}}"#) }
        #expect(throws: StrictDecodingError.self) { try decode(#"{"name": "a", "year": "2012", "inner": {}}"#) }
        #expect(throws: StrictDecodingError.self) { try decode(#"{"name": "a", "year": 1, "inner": {}"#) }
    }

    @Test("nearest names: a close misspelling is suggested, a distant word is not")
    func nearestNames() {
        #expect(nearestName(to: "calliper", in: ["caliper", "neighbors"]) == "caliper")
        #expect(nearestName(to: "minimumCelSize", in: ["minimumCellSize", "title"]) == "minimumCellSize")
        #expect(nearestName(to: "xyzzy", in: ["caliper", "neighbors"]) == nil)
    }
}
