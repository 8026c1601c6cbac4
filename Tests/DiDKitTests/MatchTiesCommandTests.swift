import DiDKit
@testable import DiDKitCLI
import Foundation
import Testing

/// `didkit match --ties` (psmatch2's ties): every control at the nearest distance is matched and the treated unit's
/// weight is shared among them, in the pairs file whose `weight` column feeds `did --weights`.
@Suite("Command line: match --ties")
struct MatchTiesCommandTests {
    /// One 0/1 covariate, so the score takes two values: x = 1 (2 treated, 3 controls) and x = 0 (1 treated,
    /// 2 controls); distances are 0 within a value. Treated with x = 1 take all 3 controls with x = 1 (1/3 each, so
    /// each such control has weight 2 x 1/3 = 2/3); the treated with x = 0 takes both controls with x = 0 (1/2 each).
    static let csv = "id,t,x\na,1,1\nb,1,1\nc,1,0\nd,0,1\ne,0,1\nf,0,1\ng,0,0\nh,0,0\n"


    @Test("tied controls share the treated unit's weight in the pairs file")
    func sharedWeights() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ties-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("d.csv").path, pairs = dir.appendingPathComponent("pairs-MICRODATA.csv").path
        try Self.csv.write(toFile: data, atomically: true, encoding: .utf8)
        _ = try run(["match", "--data", data, "--id", "id", "--treatment", "t", "--covariates", "x", "--preset", "psmatch2",
                     "--ties", "--pairs-out", pairs, "--minimum-cell-size", "1", "--format", "json"])
        let lines = try String(contentsOfFile: pairs, encoding: .utf8).split(separator: "\n").dropFirst()
        var controls: [String: Set<String>] = [:], weight: [String: Double] = [:]
        for l in lines {
            let f = l.split(separator: ",").map(String.init)
            controls[f[0], default: []].insert(f[1])
            weight[f[1]] = Double(f[3])
        }
        #expect(controls == ["a": ["d", "e", "f"], "b": ["d", "e", "f"], "c": ["g", "h"]])
        for c in ["d", "e", "f"] { #expect(Swift.abs((weight[c] ?? 0) - 2.0 / 3) < 1e-12) }
        for c in ["g", "h"] { #expect(Swift.abs((weight[c] ?? 0) - 0.5) < 1e-12) }
    }

    @Test("--ties with --no-replacement is refused with a sentence naming the flags")
    func needsReplacement() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ties-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("d.csv").path
        try Self.csv.write(toFile: data, atomically: true, encoding: .utf8)
        do {
            _ = try run(["match", "--data", data, "--id", "id", "--treatment", "t", "--covariates", "x", "--preset", "psmatch2",
                         "--ties", "--no-replacement"])
            Issue.record("accepted --ties without replacement")
        } catch {
            #expect(String(describing: error).contains("--replacement"))
        }
    }
}
