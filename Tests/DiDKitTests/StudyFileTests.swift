import DiDKit
import Foundation
import Testing

/// Study files are decoded strictly and validated before any data are read.
@Suite("Study files: strict decoding and validation")
struct StudyFileTests {
    /// The shipped example (Docs/examples/reference-study.json), edited by `change`, written to a
    /// temporary file and loaded; returns the error text, or nil when it loads.
    func loadError(_ change: (inout [String: Any]) -> Void) throws -> String? {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Docs/examples/reference-study.json")
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: example)) as? [String: Any])
        change(&json)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("study-\(UUID().uuidString).json").path
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try StudySpecification.load(path: path); return nil } catch { return String(describing: error) }
    }

    func matching(_ json: inout [String: Any], _ key: String, _ value: Any) {
        var m = json["matching"] as! [String: Any]
        m[key] = value
        json["matching"] = m
    }

    @Test("the shipped example loads")
    func exampleLoads() throws { #expect(try loadError { _ in } == nil) }

    @Test("a misspelt key is an error naming it and the key it resembles, never ignored")
    func misspeltKeys() throws {
        let caliper = try loadError { self.matching(&$0, "calliper", 0.01) }
        #expect(caliper?.contains("matching.calliper") == true && caliper?.contains("did you mean 'caliper'") == true)
        let cell = try loadError { $0["minimumCelSize"] = 3 }
        #expect(cell?.contains("did you mean 'minimumCellSize'") == true)
    }

    @Test("a bad option value is an error naming the valid values, never a default")
    func badValues() throws {
        let vce = try loadError { $0["vce"] = "clustr" }
        #expect(vce?.contains("did you mean 'cluster'") == true)
        let model = try loadError { json in
            var models = json["models"] as! [[String: Any]]
            models[0]["model"] = "logti"
            json["models"] = models
        }
        #expect(model?.contains("did you mean 'logit'") == true)
        #expect(try loadError { self.matching(&$0, "preset", "psmatch") }?.contains("did you mean 'psmatch2'") == true)
    }

    @Test("inconsistent options are errors: cell size, duplicate model files, both baselines, roles, empty lists")
    func validation() throws {
        #expect(try loadError { $0["minimumCellSize"] = 0 }?.contains("minimumCellSize must be at least 1") == true)
        #expect(try loadError { json in
            var models = json["models"] as! [[String: Any]]
            models[1]["name"] = "model 1"
            json["models"] = models
        }?.contains("would write the same files") == true)
        #expect(try loadError { self.matching(&$0, "baselineRelativeYear", -1) }?.contains("give one") == true)
        #expect(try loadError { $0["outcome"] = "pnr" }?.contains("two roles") == true)
        #expect(try loadError { $0["window"] = [-130, 1] }?.contains("wider than") == true)
        #expect(try loadError { $0["reference"] = 5 }?.contains("inside the window") == true)
        #expect(try loadError { self.matching(&$0, "caliper", -1) }?.contains("positive") == true)
        #expect(try loadError { $0["window"] = [-3.5, 1] }?.contains("window") == true)
        // From the second hostile-input sweep: these ran and silently did something else.
        #expect(try loadError { $0["window"] = [-1, -1] }?.contains("holds only the reference period") == true)
        func model2(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
            { json in
                var models = json["models"] as! [[String: Any]]
                models[1][key] = value
                json["models"] = models
            }
        }
        #expect(try loadError(model2("baseLevels", ["male": "1"]))?.contains("baseLevels names 'male', which is not among its factors") == true)
        #expect(try loadError(model2("controls", ["age", "participant"]))?.contains("is also the study's treatment.column") == true)
        #expect(try loadError(model2("controls", ["age", "leisure_job"]))?.contains("is also the study's outcome") == true)
    }
}
