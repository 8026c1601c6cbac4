@testable import DiDKit
import Foundation
@testable import DiDKitCLI
import Testing

/// An attacker's view of a written report: only the published files. Every suppressed value
/// must stay unknown under the arithmetic relations among the published numbers (a margin minus
/// its other cells, a share of one minus the other levels, a before count minus an after count).
@Suite("Disclosure: no suppressed value is recoverable from a report", .serialized)
struct DisclosureRecoveryTests {
    /// A small register (4,000 persons, about 77 participants; the one the demo tests use) and a threshold of 15, so that the
    /// flow, the balance table and the event-time cells have many small cells.
    static let k = 15
    static let folder: String = {
        let register = DemoRegister(persons: 4_000, seed: 7)
        var spec = StudySpecification.referenceStudy()
        spec.minimumCellSize = k
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("disclosure-\(UUID().uuidString)").path
        do { try StudyReport(try Study.run(spec, table: register.table)).write(to: path) } catch { return "failed: \(error)" }
        return path
    }()

    /// The exclusion flow from the report's tidy data file (issue #19): per step, each arm's count
    /// (nil inside: withheld; absent: the step has no cell for the arm).
    func exclusionRows() throws -> [(step: String, treated: Int??, control: Int??)] {
        let records = tidyRecords(try String(contentsOfFile: Self.folder + "/tables/exclusions.csv", encoding: .utf8))
        var steps: [String] = []
        for r in records where !steps.contains(r["term"] ?? "") { steps.append(r["term"] ?? "") }
        func cell(_ step: String, _ arm: String) -> Int?? {
            guard let r = records.first(where: { $0["term"] == step && $0["arm"] == arm }) else { return .none }
            if r["suppressed"] != "" { return .some(nil) }
            return Int(r["estimate"] ?? "").map { .some($0) }
        }
        #expect(steps.contains("Matched") && steps.contains("Entering the match"))
        return steps.map { ($0, cell($0, "treated"), cell($0, "control")) }
    }

    @Test("the exclusion flow: no margin has exactly one suppressed cell, no small difference of published counts")
    func flow() throws {
        #expect(!Self.folder.hasPrefix("failed"), "\(Self.folder)")
        let rows = try exclusionRows()
        func relation(_ total: String, _ parts: [String], treated: Bool) {
            // Per published cell: nil when suppressed; rows without this column's cell are left out.
            let cells: [Int?] = ([total] + parts).compactMap { name -> Int?? in
                guard let r = rows.first(where: { $0.step.hasPrefix(name) }) else { return .none }
                return treated ? r.treated : r.control
            }
            let hidden = cells.filter { $0 == nil }.count
            #expect(hidden != 1, "\(total) = \(parts): one suppressed cell follows from the others")
            if hidden == 0, cells.count == parts.count + 1 {
                let rest = (cells[0] ?? 0) - cells.dropFirst().reduce(0) { $0 + ($1 ?? 0) }
                #expect(rest == 0 || rest >= Self.k, "\(total) minus its parts is \(rest), below \(Self.k)")
            }
        }
        let exclusions = rows.map(\.step).filter { $0.hasPrefix("Excluded:") }
        relation("Participants in the register", exclusions + ["Entering the match"], treated: true)
        relation("Control pool", exclusions + ["Entering the match"], treated: false)
        let unmatched = rows.map(\.step).filter { $0.hasPrefix("Unmatched:") }
        relation("Entering the match", ["Matched"] + unmatched, treated: true)
        // Matched persons minus each model's persons (the models table) must not be a small number.
        let models = tidyRecords(try String(contentsOfFile: Self.folder + "/tables/models.csv", encoding: .utf8))
        let matched = rows.first { $0.step == "Matched" }
        var compared = 0
        for (label, matchedCount) in [("Persons, treated", matched?.treated), ("Persons, control", matched?.control)] {
            guard let m = matchedCount ?? nil else { continue }
            for row in models where row["component"] == "counts" && row["term"] == label {
                guard row["suppressed"] == "", let persons = Int(row["estimate"] ?? "") else { continue }
                compared += 1
                let dropped = rows.first { $0.step.hasPrefix("Dropped after matching") }.flatMap { $0.control ?? nil } ?? 0
                let gap = m - (label == "Persons, control" ? dropped : 0) - persons
                #expect(gap == 0 || gap >= Self.k, "\(label): matched minus persons in the model is \(gap), below \(Self.k)")
            }
        }
        #expect(compared > 0, "the models data file holds no published persons count to compare")
    }

    @Test("balance: no factor has exactly one suppressed level, and every suppressed table cell is null in JSON")
    func balance() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.folder + "/results.json"))) as? [String: Any])
        let match = try #require(json["match"] as? [String: Any])
        let rows = try #require(match["balance"] as? [[String: Any]])
        for factor in ["father_edu", "mother_edu"] {
            let levels = rows.filter { ($0["name"] as? String)?.hasPrefix(factor + "=") == true }
            for period in ["before", "after"] {
                for group in ["treatedMean", "controlMean"] {
                    let hidden = levels.filter { (($0[period] as? [String: Any])?[group] as? NSNumber) == nil }.count
                    #expect(hidden != 1, "\(factor) \(period) \(group): one suppressed level share is 1 minus the others")
                }
            }
        }
        // The data file is tidy (issue #19): a withheld mean has an empty estimate and a reason, and is null in JSON;
        // a published one is the JSON's number.
        let table = tidyRecords(try String(contentsOfFile: Self.folder + "/tables/balance.csv", encoding: .utf8))
        var withheld = 0
        for row in table where row["component"]?.hasPrefix("balance-") == true && ["treated-mean", "control-mean"].contains(row["scale"] ?? "") {
            let name = row["term"] ?? ""
            guard let doc = rows.first(where: { $0["name"] as? String == name }) else { Issue.record("\(name) not in JSON"); continue }
            let period = row["component"] == "balance-before" ? "before" : "after"
            let key = row["scale"] == "treated-mean" ? "treatedMean" : "controlMean"
            let value = (doc[period] as? [String: Any])?[key] as? NSNumber
            if row["suppressed"] != "" {
                withheld += 1
                #expect(row["estimate"] == "" && value == nil, "\(name) \(period) \(key) suppressed in the data file but in the JSON")
            } else if let v = value {
                #expect(Swift.abs((Double(row["estimate"] ?? "") ?? .nan) - v.doubleValue) <= 1e-12 * Swift.max(1, Swift.abs(v.doubleValue)))
            }
        }
        #expect(withheld > 0, "the recovery fixture should suppress some balance cells")
        let histogram = try #require(match["histogram"] as? [String: Any])
        for series in ["treatedBefore", "controlBefore", "treatedAfter", "controlAfter"] {
            let counts = (histogram[series] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
            #expect(counts.allSatisfy { $0 == 0 || $0 >= Self.k }, "\(series) publishes a bin below \(Self.k)")
            let shares = (histogram[series + "Share"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue }
            if !shares.isEmpty { #expect(Swift.abs(shares.reduce(0, +) - 1) < 1e-9, "\(series) shares are not of the group's whole total") }
        }
    }

    @Test("notes and footnotes print no count below the threshold")
    func notes() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder + "/tables").filter { $0.hasSuffix(".txt") }
        let pattern = try NSRegularExpression(pattern: "(persons excluded[^:]*: |dropped for missing [^:]*: |: )(\\d+) (treated|controls)")
        for f in files {
            let text = try String(contentsOfFile: Self.folder + "/tables/" + f, encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let r = Range(m.range(at: 2), in: text), let n = Int(text[r]) else { continue }
                #expect(n == 0 || n >= Self.k, "\(f): a note prints \(n)")
            }
        }
    }
}

@Suite("Disclosure: the rules on constructed cases")
struct DisclosureRuleTests {
    /// The second sweep's match: 39 treated, 38 matched 1:1 without replacement, one unmatched. The unmatched 1 is
    /// suppressed, so the 38 matched treated are (entering = matched + unmatched); the 38 matched controls equal
    /// them and must go too; and the after-matching treated mean of age (38 persons) beside the before mean
    /// (39) would give the unmatched person's age.
    @Test("one unmatched treated person: the matched counts and every after-matching treated mean are withheld")
    func oneUnmatchedPerson() {
        let pairs = (0..<38).map { MatchedPair(treated: $0, control: 39 + $0, distance: 0.001) }
        var weights = [Double](repeating: 0, count: 39 + 60)
        for p in pairs { weights[p.treated] = 1; weights[p.control] = 1 }
        let r = MatchResult(pairs: pairs, weights: weights, unmatched: [(row: 38, reason: .noControlWithinCaliper)], treatedCount: 39,
                            controlCount: 60, caliper: 0.01)
        var cells = CellSuppression()
        MatchDocument.addCountCells(of: r, to: &cells)
        let hidden = cells.suppressed(minimumCellSize: 5)
        #expect(hidden.isSuperset(of: ["unmatched.treated", "matched.treated", "matched.control"]), "\(hidden)")
        let treated = (0..<99).map { $0 < 39 }
        let age = (0..<99).map { Double(20 + $0 % 13) }
        let table = BalanceTable(variables: [("age", age)], treated: treated, weights: weights, convention: .matchit)
        let rows = MatchDocument.gatedBalance(table, disclosure: DisclosureControl(minimumCellSize: 5))
        #expect(rows[0].after.treatedMean == nil && rows[0].before.treatedMean != nil)
    }

    /// The review's 2:1 case: 3 treated matched with 2 controls each, 30 unmatched: the 6 matched controls would give
    /// the suppressed 3 back to a reader who knows the design.
    @Test("k:1 matching: the matched controls go with the suppressed matched treated")
    func kToOneMatchedControls() {
        let pairs = (0..<3).flatMap { t in [MatchedPair(treated: t, control: 33 + 2 * t, distance: 0.001),
                                            MatchedPair(treated: t, control: 34 + 2 * t, distance: 0.002)] }
        var r = MatchResult(pairs: pairs, weights: [Double](repeating: 0, count: 100),
                            unmatched: (3..<33).map { (row: $0, reason: UnmatchedReason.noControlWithinCaliper) }, treatedCount: 33,
                            controlCount: 67, caliper: 0.01)
        r.neighbors = 2
        var cells = CellSuppression()
        MatchDocument.addCountCells(of: r, to: &cells)
        #expect(cells.suppressed(minimumCellSize: 5).isSuperset(of: ["matched.treated", "matched.control"]))
    }

    /// 40 treated and 40 controls; factor f: treated have level a 3 times (below K = 5), b 17
    /// times, c 20 times; controls 10/15/15. Level a's treated share is suppressed (primary), so
    /// one more level must be (else a = 1 - b - c).
    @Test("a factor never has exactly one suppressed level share")
    func factorLevels() {
        let treated = (0..<80).map { $0 < 40 }
        let level = (0..<80).map { i -> String in
            let j = i % 40
            return i < 40 ? (j < 3 ? "a" : (j < 20 ? "b" : "c")) : (j < 10 ? "a" : (j < 25 ? "b" : "c"))
        }
        let variables = ["a", "b", "c"].map { l in ("f=\(l)", level.map { $0 == l ? 1.0 : 0 }) }
        let table = BalanceTable(variables: variables, treated: treated, weights: [Double](repeating: 1, count: 80), convention: .matchit,
                                 factors: ["f", "f", "f"])
        let rows = MatchDocument.gatedBalance(table, disclosure: DisclosureControl(minimumCellSize: 5))
        let hiddenTreated = rows.filter { $0.before.treatedMean == nil }.map(\.name)
        #expect(hiddenTreated.count == 2 && hiddenTreated.contains("f=a"))
        #expect(rows.allSatisfy { $0.before.controlMean != nil })
    }

    /// Relations: total 20 = 3 + 17. The 3 is suppressed (primary), so 17 must be too.
    @Test("a margin with one suppressed cell gets a second; unpublished differences count as cells")
    func secondary() {
        var cells = CellSuppression()
        cells.add("total", 20); cells.add("small", 3); cells.add("big", 17)
        cells.relate(total: "total", parts: ["small", "big"])
        #expect(cells.suppressed(minimumCellSize: 5) == ["small", "big"])
        var derived = CellSuppression()
        derived.add("matched", 56); derived.add("model", 55); derived.add("gap", 1, published: false)
        derived.relate(total: "matched", parts: ["model", "gap"])
        #expect(derived.suppressed(minimumCellSize: 5).contains("model"))
        var safe = CellSuppression()
        safe.add("total", 20); safe.add("a", 3); safe.add("b", 9, published: false); safe.add("c", 8)
        safe.relate(total: "total", parts: ["a", "b", "c"])
        #expect(safe.suppressed(minimumCellSize: 5) == ["a"])
    }

    /// Docs/DisclosureControl.md, "Zeros are published": 0 is not `0 < n < K`, and a positive cell is the
    /// complement of a suppressed one before a zero is.
    @Test("a zero cell is published, and a positive cell, not the zero, complements a suppressed one")
    func zerosArePublished() {
        var cells = CellSuppression()
        cells.add("total", 23); cells.add("none", 0); cells.add("small", 3); cells.add("big", 20)
        cells.relate(total: "total", parts: ["none", "small", "big"])
        #expect(cells.suppressed(minimumCellSize: 5) == ["small", "big"])
        var onlyZero = CellSuppression()
        onlyZero.add("total", 0); onlyZero.add("a", 0); onlyZero.add("b", 0)
        onlyZero.relate(total: "total", parts: ["a", "b"])
        #expect(onlyZero.suppressed(minimumCellSize: 5).isEmpty)
    }
}

/// RFC 4180 fields of one line (quotes doubled inside quoted fields).
func parseCSVLine(_ line: String) -> [String] {
    var fields: [String] = [], field = "", quoted = false, chars = Array(line), i = 0
    while i < chars.count {
        let c = chars[i]
        if quoted {
            if c == "\"" { if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false } } else { field.append(c) }
        } else if c == "\"" { quoted = true } else if c == "," { fields.append(field); field = "" } else { field.append(c) }
        i += 1
    }
    fields.append(field)
    return fields
}

@Suite("Disclosure: counts in notes")
struct NoteGatingTests {
    @Test("counts of persons, rows and observations below K are shown as <K; other numbers are left alone")
    func notes() {
        let dc = DisclosureControl(minimumCellSize: 5)
        #expect(dc.gatingCounts(in: "x != 0 predicts failure perfectly; x dropped and 3 obs not used")
                == "x != 0 predicts failure perfectly; x dropped and <5 obs not used")
        #expect(dc.gatingCounts(in: "2 failures and 7 successes completely determined") == "<5 failures and 7 successes completely determined")
        #expect(dc.gatingCounts(in: "4 of 500 units dropped") == "<5 of 500 units dropped")
        #expect(dc.gatingCounts(in: "convergence not achieved after 3 iterations; chi2(2) = 4.1; event=-1; 1,200 rows")
                == "convergence not achieved after 3 iterations; chi2(2) = 4.1; event=-1; 1,200 rows")
    }
}

@Suite("Disclosure: no suppressed value is recoverable from a match's JSON")
struct MatchOutputRecoveryTests {
    @Test("didkit match with a caliper that leaves small cells: counts, balance levels and histogram pass the gate")
    func matchJSON() throws {
        let register = DemoRegister(persons: 3_000, seed: 3)
        let year = try register.table.numeric("year")
        let baseline = register.table.selectingRows(year.indices.filter { year[$0] == 2010 })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("match-\(UUID().uuidString).csv").path
        try CSVWriter.write(baseline, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let k = 12
        let command = try DidkitCommand.parseAsRoot(["match", "--data", path, "--id", "pnr", "--treatment", "participant",
                                                     "--covariates", "age,nonwestern,income,father_edu", "--factors", "father_edu",
                                                     "--caliper", "0.002", "--minimum-cell-size", "\(k)", "--format", "json"])
        let out = try #require(command as? any OutputCommand).output()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        func cell(_ key: String) -> Int?? { json[key] is NSNull ? .some(nil) : (json[key] as? Int).map { .some($0) } }
        // entering = matched + unmatched; unmatched = sum of the reasons.
        let reasons = (json["unmatchedByReason"] as? [String: Any] ?? [:]).values.map { $0 is NSNull ? nil : $0 as? Int }
        for relation in [[cell("treated"), cell("matchedTreated"), cell("unmatchedTreated")].compactMap { $0 },
                         [cell("unmatchedTreated")].compactMap { $0 } + reasons] {
            #expect(relation.filter { $0 == nil }.count != 1, "one suppressed count follows from the others: \(relation) \(json["unmatchedByReason"] ?? "")")
            let shown = relation.compactMap { $0 }
            shown.forEach { #expect($0 == 0 || $0 >= k) }
        }
        let balance = json["balance"] as? [[String: Any]] ?? []
        for period in ["before", "after"] {
            for group in ["treatedMean", "controlMean"] {
                let levels = balance.filter { ($0["name"] as? String)?.hasPrefix("father_edu=") == true }
                let hidden = levels.filter { ($0[period] as? [String: Any])?[group] as? NSNumber == nil }.count
                #expect(hidden != 1, "father_edu \(period) \(group): one suppressed level")
            }
        }
        let histogram = json["histogram"] as? [String: Any] ?? [:]
        for series in ["treatedBefore", "controlBefore", "treatedAfter", "controlAfter"] {
            let counts = (histogram[series] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
            #expect(counts.allSatisfy { $0 == 0 || $0 >= k })
        }
    }
}
