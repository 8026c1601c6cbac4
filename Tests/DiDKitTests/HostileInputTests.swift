import ArgumentParser
import DiDKit
@testable import DiDKitCLI
import Foundation
import Testing

/// Inputs that used to crash or be silently assumed (issue: "nothing crashes, nothing is
/// silently assumed"): each is now one clear error, or a result that says what it did.
@Suite("Hostile inputs at the command line")
struct HostileInputTests {
    func parse(_ args: [String]) throws -> any OutputCommand {
        let command = try DidkitCommand.parseAsRoot(args)
        guard let c = command as? any OutputCommand else { throw ValidationError("not an output command") }
        return c
    }

    /// A small person-year register in a temporary file: 60 persons, 2008-2012, 20 treated
    /// starting in 2011 (controls with pseudo start 2011), municipality as text.
    func register() throws -> String {
        var s = "pnr,year,participant,start,job,age,muni\n"
        var rng = SplitMix64(seed: 11)
        for p in 0..<60 {
            let treated = p < 20
            for y in 2008...2012 {
                let job = rng.uniform() < (treated && y >= 2011 ? 0.6 : 0.35) ? 1 : 0
                s += "P\(p),\(y),\(treated ? 1 : 0),2011,\(job),\(20 + p % 7),\(["north", "south", "east"][p % 3])\n"
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).csv").path
        try s.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("one column in two roles is a usage error naming both flags")
    func twoRoles() throws {
        for args in [["did", "--data", "x.csv", "--id", "participant", "--time", "year", "--outcome", "job", "--treatment", "participant", "--start", "start"],
                     ["did", "--data", "x.csv", "--id", "pnr", "--time", "pnr", "--outcome", "job", "--treatment", "participant", "--start", "start"],
                     ["did", "--data", "x.csv", "--id", "pnr", "--time", "year", "--outcome", "participant", "--treatment", "participant", "--start", "start"],
                     ["match", "--data", "x.csv", "--id", "pnr", "--treatment", "t", "--covariates", "age,t"],
                     ["logit", "--data", "x.csv", "--outcome", "y", "--covariates", "y,x"],
                     ["effects", "--data", "x.csv", "--outcome", "y", "--treatment", "t", "--method", "ra", "--outcome-covariates", "t,age"],
                     ["effects", "--data", "x.csv", "--outcome", "y", "--treatment", "t", "--method", "ipw", "--treatment-covariates", "y,age"],
                     ["effects", "--data", "x.csv", "--outcome", "y", "--treatment", "t", "--method", "aipw", "--outcome-covariates",
                      "age", "--treatment-covariates", "age:t"],
                     ["effects", "--data", "x.csv", "--outcome", "t", "--treatment", "t", "--method", "ra", "--outcome-covariates", "age"]] {
            do { _ = try parse(args); Issue.record("accepted \(args)") } catch {
                #expect(DidkitCommand.message(for: error).contains("two roles"), "\(args): \(DidkitCommand.message(for: error))")
                #expect(DidkitCommand.exitCode(for: error) == .validationFailure)
            }
        }
    }

    @Test("a base level for a column that is not a factor, or given twice, and a window of the reference alone are usage errors")
    func ignoredOptionsAreUsageErrors() throws {
        let cases: [([String], String)] = [
            (["logit", "--data", "x.csv", "--outcome", "y", "--covariates", "age", "--base", "municipality=1"], "which is not in --factors"),
            (["logit", "--data", "x.csv", "--outcome", "y", "--covariates", "age,m", "--factors", "m", "--base", "m=1", "--base", "m=2"],
             "names 'm' twice"),
            (["match", "--data", "x.csv", "--id", "i", "--treatment", "t", "--covariates", "a", "--base", "a=1"], "which is not in --factors"),
            (["did", "--data", "x.csv", "--id", "i", "--time", "y", "--outcome", "o", "--treatment", "t", "--start", "s", "--base", "c=1"],
             "which is not in --factors"),
            (["did", "--data", "x.csv", "--id", "i", "--time", "y", "--outcome", "o", "--treatment", "t", "--start", "s", "--window", "1:1",
              "--reference", "1"], "holds only the reference period"),
        ]
        for (args, expected) in cases {
            do { _ = try parse(args); Issue.record("accepted \(args)") } catch {
                #expect(DidkitCommand.message(for: error).contains(expected), "\(args): \(DidkitCommand.message(for: error))")
                #expect(DidkitCommand.exitCode(for: error) == .validationFailure)
            }
        }
    }

    @Test("a folder given as a study file or a saved result is named as a folder; ties without replacement and weights that are the outcome are usage errors")
    func foldersAndMoreUsageErrors() throws {
        let folder = FileManager.default.temporaryDirectory.path
        for args in [["run", folder], ["table", folder]] {
            let error = #expect(throws: (any Error).self) { _ = try parse(args).output() }
            let message = error.map { DidkitCommand.message(for: $0) } ?? ""
            #expect(message.contains("it is a folder, not a file") && !message.contains("NSCocoaErrorDomain"), "\(args): \(message)")
        }
        for (args, expected) in [
            (["match", "--data", "x.csv", "--id", "i", "--treatment", "t", "--covariates", "a", "--ties", "--no-replacement"], "need matching with replacement"),
            (["logit", "--data", "x.csv", "--outcome", "y", "--covariates", "a", "--weights", "y"], "two roles"),
        ] {
            do { _ = try parse(args); Issue.record("accepted \(args)") } catch {
                #expect(DidkitCommand.message(for: error).contains(expected), "\(args): \(DidkitCommand.message(for: error))")
                #expect(DidkitCommand.exitCode(for: error) == .validationFailure)
            }
        }
    }

    @Test("an infinite caliper, a wide window and a zero cell size are usage errors")
    func badNumbers() throws {
        #expect(throws: (any Error).self) { _ = try parse(["match", "--data", "x", "--id", "i", "--treatment", "t", "--covariates", "a", "--caliper", "inf"]) }
        #expect(throws: (any Error).self) { _ = try parse(["match", "--data", "x", "--id", "i", "--treatment", "t", "--covariates", "a", "--minimum-cell-size", "0"]) }
        #expect(throws: (any Error).self) { _ = try parse(["demo", "--out", ""]) }
        #expect(throws: (any Error).self) { _ = try parse(["demo", "--persons", "9223372036854775807"]) }
        let path = try register()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let wide = try parse(["did", "--data", path, "--id", "pnr", "--time", "year", "--outcome", "job", "--treatment", "participant",
                              "--start", "start", "--window=-130:1"])
        #expect(throws: PanelError.windowTooWide(lower: -130, upper: 1)) { _ = try wide.output() }
    }

    @Test("a negative number after a numeric option is read as its value and meets the option's own check, not 'Missing value'")
    func negativeOptionValues() {
        let attgt = ["attgt", "--data", "x.csv", "--id", "i", "--time", "t", "--outcome", "y", "--group", "g"]
        let cases: [([String], String)] = [
            (attgt + ["--bootstrap", "-1"], "--bootstrap must be 0 or more, got -1"),
            (attgt + ["--anticipation", "-1"], "--anticipation must be 0 or more, got -1"),
            (attgt + ["--minimum-cell-size", "-5"], "--minimum-cell-size must be at least 1, got -5"),
            (["match", "--data", "x.csv", "--id", "i", "--treatment", "t", "--covariates", "x", "--neighbors", "-2"],
             "--neighbors must be at least 1, got -2"),
        ]
        for (args, expected) in cases {
            do {
                _ = try DidkitCommand.parseAsRoot(args)
                Issue.record("\(args) was accepted")
            } catch {
                let message = DidkitCommand.message(for: error)
                #expect(message.contains(expected), "\(args): \(message)")
            }
        }
    }

    @Test("a factor listed among the controls enters as level dummies only, and text levels work")
    func factorsInControls() throws {
        let path = try register()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = try parse(["did", "--data", path, "--id", "pnr", "--time", "year", "--outcome", "job", "--treatment", "participant",
                             "--start", "start", "--window=-3:1", "--controls", "age,muni", "--factors", "muni", "--model", "ols",
                             "--minimum-cell-size", "3", "--format", "json"]).output()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let names = (json["terms"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("muni=north") && names.contains("muni=south") && !names.contains("muni"))
        #expect(!(json["notes"] as? [String] ?? []).contains { $0.contains("collinearity") })
    }

    @Test("did with a suppressed group count withholds the clusters and person-years too, which would give it back")
    func suppressedGroupWithholdsItsSums() throws {
        // The register with only 3 of its 20 treated persons (P0-P2) and its 40 controls.
        let path = try register()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let kept = [lines[0]] + lines.dropFirst().filter { line in
            let f = line.split(separator: ","), p = Int(f[0].dropFirst()) ?? 0
            return f[2] == "0" || p < 3
        }
        try (kept.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let args = ["did", "--data", path, "--id", "pnr", "--time", "year", "--outcome", "job", "--treatment", "participant",
                    "--start", "start", "--window=-3:1", "--model", "ols", "--controls", "age"]
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try parse(args + ["--format", "json"]).output().utf8))
            as? [String: Any])
        let persons = try #require(json["persons"] as? [String: Any])
        #expect(persons["treated"] is NSNull && persons["control"] as? Int == 40)
        #expect(json["clusters"] == nil || json["clusters"] is NSNull)
        #expect(json["observations"] as? Int == 0)
        let text = try parse(args).output()
        #expect(!text.contains("43") && !text.contains("215"), "43 persons, 215 person-years: \(text)")
        #expect(text.contains("person-years withheld") && text.contains("clusters withheld"))
        #expect(!text.contains("Number of obs = 0"), "\(text)")
    }

    /// R did's mpdta (500 counties, 2003-2007) with its rows rewritten by `edit(fields)` (year, countyreal,
    /// lpop, lemp, first.treat, treat), in a temporary file.
    func mpdta(_ edit: (inout [String]) -> Void) throws -> String {
        let lines = try String(contentsOfFile: ATTGTCommandTests.mpdta, encoding: .utf8).split(separator: "\n").map(String.init)
        var out = [lines[0]]
        for line in lines.dropFirst() {
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            edit(&fields)
            out.append(fields.joined(separator: ","))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mpdta-\(UUID().uuidString).csv").path
        try (out.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("attgt and etwfe read the id as text: 7 and 07, or two ids beyond 2^53, are two units, never one")
    func staggeredIDsAreText() throws {
        // County 8001's 2006-2007 rows under the id 08001; counties 8019 and 8029 renamed 2^53 and 2^53 + 1
        // (read as doubles, both are 9007199254740992: 2^53 + 1 has no double of its own).
        let path = try mpdta { f in
            if f[1] == "8001" && (f[0] == "2006" || f[0] == "2007") { f[1] = "08001" }
            if f[1] == "8019" { f[1] = "9007199254740992" }
            if f[1] == "8029" { f[1] = "9007199254740993" }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        for command in ["attgt", "etwfe"] {
            let out = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                 "--group", "first.treat", "--format", "json"]).output()
            let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            // 501 ids: 8001 and 08001 each miss periods and leave the balanced panel; the two large ids stay.
            #expect(json["units"] as? Int == 499, "\(command)")
            #expect(json["observations"] as? Int == 2_495, "\(command)")
        }
    }

    @Test("a constant outcome is an error naming it in attgt and etwfe, not exact zeros with zero standard errors")
    func constantOutcome() throws {
        for value in ["3.5", "0"] {
            let path = try mpdta { f in f[3] = value }
            defer { try? FileManager.default.removeItem(atPath: path) }
            for command in ["attgt", "etwfe"] {
                let c = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                   "--group", "first.treat"])
                let error = #expect(throws: (any Error).self, "\(command) \(value)") { _ = try c.output() }
                #expect(error.map { "\($0)" } == StaggeredError.outcomeConstant(column: "lemp", value: Double(value) ?? .nan).description)
            }
        }
    }

    @Test("etwfe: an outcome constant only in the logit's sample (units treated in the first period left out) names the column")
    func outcomeConstantInTheETWFESample() throws {
        // County 8001 becomes treated in 2003, the first period (ETWFE drops it), and holds the only 0s of a 0/1
        // outcome: the balanced panel varies, the logit's rows are all 1.
        let path = try mpdta { f in
            if f[1] == "8001" { f[4] = "2003"; f[3] = "0" } else { f[3] = "1" }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try parse(["etwfe", "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat"])
        let error = #expect(throws: (any Error).self) { _ = try c.output() }
        #expect(error.map { "\($0)" } == ETWFEError.model(.outcomeConstant(column: "lemp", value: 1)).description)
    }

    @Test("a negative or fractional group is an error naming the group column and the value")
    func badGroupNamesTheColumn() throws {
        let cases: [(String, String)] = [("-3", StaggeredError.negativeGroup(column: "first.treat", value: -3).description),
                                         ("2004.5", StaggeredError.notWholeNumber(column: "first.treat", value: 2004.5).description)]
        for (bad, expected) in cases {
            // County 8001 (first treated in 2007) with the bad group in every row (the group is constant within a unit).
            let path = try mpdta { f in if f[1] == "8001" { f[4] = bad } }
            defer { try? FileManager.default.removeItem(atPath: path) }
            for command in ["attgt", "etwfe"] {
                let c = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                   "--group", "first.treat"])
                let error = #expect(throws: (any Error).self, "\(command) \(bad)") { _ = try c.output() }
                #expect(error.map { "\($0)" } == expected, "\(command) \(bad)")
            }
        }
        #expect(StaggeredError.negativeGroup(column: "g", value: -3).description.contains("column 'g' holds the group -3"))
    }

    @Test("a repeated unit and period is an error naming the data file's row and the period, also after rows left out")
    func duplicateRowNamesTheFileRow() throws {
        var lines = try String(contentsOfFile: ATTGTCommandTests.mpdta, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.append(lines[3])  // county 8001 in 2005 again: file row 2,502 (the header is row 1, then 2,500 rows)
        for missingFirst in [false, true] {
            var rows = lines
            // A missing outcome in file row 3 leaves that row out before the panel is assembled.
            if missingFirst { rows[2] = rows[2].split(separator: ",", omittingEmptySubsequences: false).enumerated()
                .map { $0.offset == 3 ? "" : String($0.element) }.joined(separator: ",") }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("dup-\(UUID().uuidString).csv").path
            try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            for command in ["attgt", "etwfe"] {
                let c = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                   "--group", "first.treat"])
                let error = #expect(throws: (any Error).self, "\(command)") { _ = try c.output() }
                #expect(error.map { "\($0)" } == StaggeredError.duplicateRows(count: 1, firstRow: 2_502, period: 2005).description,
                        "\(command), missing first: \(missingFirst)")
            }
        }
    }

    @Test("a group or cluster that varies within a unit is an error naming the column, the data file's row and the values")
    func varyingGroupOrClusterNamesColumnAndFileRow() throws {
        // County 8001 (first treated in 2007): its 2006 row (file row 5) says 2006; its 2004 row (file row 3) has
        // another lpop, the cluster. Without and with an earlier row left out (a missing outcome in file row 2,
        // county 8001's 2003 row: the unit's first kept row is then 2004, and the group still changes at file row 5).
        for missingFirst in [false, true] {
            let path = try mpdta { f in
                guard f[1] == "8001" else { return }
                if f[0] == "2006" { f[4] = "2006" }
                if f[0] == "2003" && missingFirst { f[3] = "" }
            }
            defer { try? FileManager.default.removeItem(atPath: path) }
            for command in ["attgt", "etwfe"] {
                let c = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                   "--group", "first.treat"])
                let error = #expect(throws: (any Error).self, "\(command)") { _ = try c.output() }
                #expect(error.map { "\($0)" } == StaggeredError.groupVaries(column: "first.treat", units: 1, firstRow: 5, earlier: 2007,
                                                                            found: 2006).description, "\(command), missing first: \(missingFirst)")
            }
        }
        let path = try mpdta { f in if f[1] == "8001" && f[0] == "2004" { f[2] = "99" } }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try parse(["attgt", "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                           "--group", "first.treat", "--cluster", "lpop"])
        let error = #expect(throws: (any Error).self) { _ = try c.output() }
        #expect(error.map { "\($0)" } == StaggeredError.clusterVaries(column: "lpop", units: 1, firstRow: 3).description)
    }

    @Test("rows left out for an empty id or period say how many, by column; few clusters are named with a warning")
    func missingIdsAndFewClustersAreNamedInTheNotes() throws {
        // County 8001's 2005 row loses its id (file row 4), county 8019's 2006 row its year: 2 rows, 2 units incomplete.
        let path = try mpdta { f in
            if f[1] == "8001" && f[0] == "2005" { f[1] = "" }
            if f[1] == "8019" && f[0] == "2006" { f[0] = "" }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        for command in ["attgt", "etwfe"] {
            // Counts below the minimum cell size print as <K: K = 1 shows them.
            let out = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                 "--group", "first.treat", "--format", "json", "--minimum-cell-size", "1"]).output()
            let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let notes = json["notes"] as? [String] ?? []
            #expect(notes.contains("2 rows with a missing value left out (countyreal: 1, year: 1; their units are then incomplete)"),
                    "\(command): \(notes)")
            let gated = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                   "--group", "first.treat", "--format", "json"]).output()
            #expect(gated.contains("<5 rows with a missing value left out (countyreal: <5, year: <5;"), "\(command)")
        }
        // Clustered by treat (2 clusters): the note names the column and warns.
        let out = try parse(["attgt", "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                             "--group", "first.treat", "--cluster", "treat", "--format", "json"]).output()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let notes = json["notes"] as? [String] ?? []
        #expect(notes.contains { $0.hasPrefix("only 2 clusters of 'treat' among the balanced units") }, "\(notes)")
        #expect(notes.contains { $0.hasSuffix("clustered by 'treat' (2 clusters)") }, "\(notes)")
    }

    @Test("generate replaces only a register it wrote, never another file")
    func generateDoesNotOverwriteOtherFiles() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "pnr,income\n1,100\n".write(toFile: path, atomically: true, encoding: .utf8)
        var command = try #require(try DidkitCommand.parseAsRoot(["generate", "--persons", "200", "--out", path, "--quiet"])
            as? GenerateCommand)
        #expect(throws: ExitCode(1)) { try command.run() }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "pnr,income\n1,100\n")
        let header = DemoRegister(persons: 200, seed: 2018).table.columnNames.joined(separator: ",")
        #expect(DemoRegister.columnNames.joined(separator: ",") == header)
        #expect(throws: DataError.wouldReplace(path: path, what: "a register written by didkit generate")) {
            try OutputFile.checkReplaceable(path, firstLine: header, what: "a register written by didkit generate")
        }
        // Its own register is replaced (a second run over the first), and no temporary file is left beside it.
        try FileManager.default.removeItem(atPath: path)
        try command.run()
        try command.run()
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix(header + "\n"))
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(name + ".didkit-tmp") }.isEmpty)
    }

    @Test("match --pairs-out never overwrites the data file or another file, and replaces its own pairs file")
    func pairsOutDoesNotOverwriteOtherFiles() throws {
        // One row per person: the register's 2010 rows.
        let panel = try register()
        defer { try? FileManager.default.removeItem(atPath: panel) }
        let lines = try String(contentsOfFile: panel, encoding: .utf8).split(separator: "\n")
        let data = panel + ".2010.csv"
        try ([String(lines[0])] + lines.filter { $0.split(separator: ",")[1] == "2010" }.map(String.init)).joined(separator: "\n")
            .appending("\n").write(toFile: data, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: data) }
        let before = try String(contentsOfFile: data, encoding: .utf8)
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("mine-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: other) }
        try "keep me\n".write(toFile: other, atomically: true, encoding: .utf8)
        func match(_ out: String) throws -> any OutputCommand {
            try parse(["match", "--data", data, "--id", "pnr", "--treatment", "participant", "--covariates", "age",
                       "--pairs-out", out, "--minimum-cell-size", "1"])
        }
        // The data file itself, and a file of the user's: refused before any work, both left as they were.
        #expect(throws: DataError.outputIsInput(path: data)) { _ = try match(data).output() }
        #expect(throws: DataError.wouldReplace(path: other, what: "a pairs file written by didkit match --pairs-out")) {
            _ = try match(other).output()
        }
        #expect(try String(contentsOfFile: data, encoding: .utf8) == before)
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "keep me\n")
        // Its own pairs file is replaced.
        let pairs = FileManager.default.temporaryDirectory.appendingPathComponent("pairs-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: pairs) }
        _ = try match(pairs).output()
        _ = try match(pairs).output()
        #expect(try String(contentsOfFile: pairs, encoding: .utf8).hasPrefix(MatchCommand.pairsHeader + "\n"))
    }

    /// 200 persons: y about half 1s, age 20-59, rare 1 for the first 3 persons (also coded 0/2 as rare2), x missing
    /// for the 3 last persons (3 rows not used when x is in the model), cat 'a' (the base level) for the first 3, else
    /// 'b' or 'c'. The second sweep's leaks.
    func smallCells() throws -> String {
        var s = "y,age,rare,rare2,x,cat\n"
        var rng = SplitMix64(seed: 3)
        for p in 0..<200 {
            let rare = p < 3 ? 1 : 0
            s += "\(rng.uniform() < 0.5 ? 1 : 0),\(20 + p % 40),\(rare),\(2 * rare),\(p >= 197 ? "" : String(rng.uniform())),"
                + "\(p < 3 ? "a" : (p % 2 == 0 ? "b" : "c"))\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cells-\(UUID().uuidString).csv").path
        try s.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("logit and ols withhold terms resting on few persons however coded, small outcomes, tiny samples and small dropped counts")
    func modelGateCoversCodingsOutcomesAndCounts() throws {
        let path = try smallCells()
        defer { try? FileManager.default.removeItem(atPath: path) }
        func terms(_ args: [String]) throws -> (terms: [String: [String: Any]], json: [String: Any]) {
            let out = try parse(args + ["--data", path, "--format", "json"]).output()
            let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let list = json["terms"] as? [[String: Any]] ?? []
            return (Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) }), json)
        }
        for command in ["logit", "ols"] {
            // rare2 (0/2) and age x rare (3 nonzero) each rest on 3 persons, in models of their own (beside rare they
            // would be collinear and omitted); age on all 200. For the logit, rare predicts perfectly when all 3 share
            // an outcome and is dropped: then the term is absent, which is as safe.
            for covariate in ["rare2", "rare:age"] {
                let r = try terms([command, "--outcome", "y", "--covariates", "age,\(covariate)"])
                let term = r.terms[covariate]
                #expect(term == nil ? command == "logit" : term?["suppressed"] as? Bool == true, "\(command) \(covariate)")
                #expect(r.terms["age"]?["suppressed"] == nil && r.terms["age"]?["coefficient"] as? Double != nil, "\(command)")
            }
            let ols = try terms(["ols", "--outcome", "y", "--covariates", "age,rare2"])
            #expect(ols.terms["rare2"]?["suppressed"] as? Bool == true)
            // A factor whose base level (a) 3 persons hold: its levels and the intercept rest on them.
            let f = try terms([command, "--outcome", "y", "--covariates", "age,cat", "--factors", "cat"])
            for name in ["cat=b", "cat=c", "_cons"] { #expect(f.terms[name]?["suppressed"] as? Bool == true, "\(command) \(name)") }
            #expect(f.terms["age"]?["suppressed"] == nil, "\(command)")
            let fb = try terms([command, "--outcome", "y", "--covariates", "age,cat", "--factors", "cat", "--base", "cat=b"])
            #expect(fb.terms["cat=a"]?["suppressed"] as? Bool == true && fb.terms["_cons"]?["suppressed"] == nil, "\(command)")
            // An outcome with 3 ones: the intercept would give the 3 back.
            let o = try terms([command, "--outcome", "rare", "--covariates", "age"])
            #expect(o.terms.values.allSatisfy { $0["suppressed"] as? Bool == true }, "\(command)")
            #expect(o.json["logLikelihood"] is NSNull || o.json["logLikelihood"] == nil, "\(command)")
            // 3 rows not used (x missing): published as 0 with a note, never 3.
            let d = try terms([command, "--outcome", "y", "--covariates", "age,x"])
            #expect(d.json["droppedRows"] as? Int == 0, "\(command)")
            let notes = d.json["notes"] as? [String] ?? []
            #expect(notes.contains("rows not used: <5"), "\(command)")
            // The per-column count in brackets too ("<5 rows dropped for missing values (x: <5)").
            #expect(!notes.contains { $0.contains("x: 3") } && notes.contains { $0.contains("(x: <5)") }, "\(command): \(notes)")
            #expect(try parse([command, "--data", path, "--outcome", "y", "--covariates", "age,x"]).output().contains("3 rows") == false)
        }
        // effects: 3 rows dropped (x missing) are 0 in JSON with a note, as in its text ('<5'); the JSON said 3.
        let e = try parse(["effects", "--data", path, "--outcome", "age", "--treatment", "y", "--method", "ra",
                           "--outcome-covariates", "x", "--format", "json"]).output()
        let ej = try #require(try JSONSerialization.jsonObject(with: Data(e.utf8)) as? [String: Any])
        #expect(ej["droppedRows"] as? Int == 0 && (ej["notes"] as? [String] ?? []).contains("rows dropped: <5"), "\(ej)")
        // Fewer than K observations: nothing is published.
        let tiny = path + ".tiny.csv"
        defer { try? FileManager.default.removeItem(atPath: tiny) }
        try "y,age\n1,20\n2,31\n4,45\n3,50\n".write(toFile: tiny, atomically: true, encoding: .utf8)
        let out = try parse(["ols", "--data", tiny, "--outcome", "y", "--covariates", "age", "--format", "json"]).output()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect((json["terms"] as? [[String: Any]] ?? []).allSatisfy { $0["suppressed"] as? Bool == true })
        #expect((json["notes"] as? [String] ?? []).contains { $0.hasPrefix("the model rests on fewer than 5 observations") })
        #expect(json["observations"] as? Int == 0 && json["observationsSuppressed"] as? Bool == true)
        let text = try parse(["ols", "--data", tiny, "--outcome", "y", "--covariates", "age"]).output()
        #expect(text.contains("Number of obs = withheld") && !text.contains("Number of obs = 4"))
    }

    @Test("match refuses a repeated or empty id, naming the rows (a panel would count person-years as persons)")
    func matchNeedsOneRowPerPerson() throws {
        let path = try register()   // 60 persons x 5 years: P0 in rows 2-6
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try parse(["match", "--data", path, "--id", "pnr", "--treatment", "participant", "--covariates", "age"])
        #expect(throws: DataError.duplicateID(column: "pnr", value: "P0", firstRow: 2, secondRow: 3)) { _ = try c.output() }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        var cross = [lines[0]] + lines.dropFirst().filter { $0.split(separator: ",")[1] == "2010" }
        cross[4] = "," + cross[4].split(separator: ",", maxSplits: 1)[1]   // the 4th person's id emptied: file row 5
        try (cross.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: DataError.missingID(column: "pnr", row: 5)) { _ = try c.output() }
    }

    /// The third sweep (disclosure): a 1-county group named with '<5 unit (fewer than 2)' (so 1), the unit total
    /// beside the groups' counts giving a small group back, a pre-test summing a suppressed cell's z^2, and units
    /// dropped for balancing 'of 500' beside 'Units = 499'.
    @Test("attgt and etwfe withhold the unit totals beside a small group, a small group's name, and a pre-test over a suppressed cell")
    func groupTimeTotalsAndPreTest() throws {
        // One county (13011) first treated in 2005: a group of 1.
        let one = try mpdta { f in if f[1] == "13011" { f[4] = "2005" } }
        defer { try? FileManager.default.removeItem(atPath: one) }
        for command in ["attgt", "etwfe"] {
            let args = [command, "--data", one, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat"]
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try parse(args + ["--format", "json"]).output().utf8))
                as? [String: Any])
            #expect(json["units"] as? Int == 0 && json["totalsSuppressed"] as? Bool == true, "\(command)")
            let notes = json["notes"] as? [String] ?? []
            #expect(!notes.contains { $0.contains("2005") || $0.contains("fewer than 2") }, "\(command): \(notes)")
            let text = try parse(args).output()
            #expect(text.contains("Units = withheld") && !text.contains("Units = 500"), "\(command)")
        }
        // Three counties first treated in 2005: their cells are suppressed, so the pre-test (which sums every
        // pre-treatment cell) is withheld too.
        let three = try mpdta { f in if ["13011", "13013", "13019"].contains(f[1]) { f[4] = "2005" } }
        defer { try? FileManager.default.removeItem(atPath: three) }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try parse(["attgt", "--data", three, "--id", "countyreal",
            "--time", "year", "--outcome", "lemp", "--group", "first.treat", "--format", "json"]).output().utf8)) as? [String: Any])
        #expect(json["preTest"] is NSNull)
        #expect((json["notes"] as? [String] ?? []).contains { $0.hasPrefix("pre-test withheld by disclosure control") })
        // Only 3 never-treated counties (the others first treated in 2007): with never-treated controls every
        // ATT(g,t) compares with those 3 (each cell's comparison units), so every cell and average is withheld.
        let lines = try String(contentsOfFile: ATTGTCommandTests.mpdta, encoding: .utf8).split(separator: "\n").dropFirst()
        let never = Array(Set(lines.map { $0.split(separator: ",", omittingEmptySubsequences: false) }.filter { $0[4] == "0" }
            .map { String($0[1]) })).sorted()
        let kept = Set(never.prefix(3))
        let fewNever = try mpdta { f in if f[4] == "0" && !kept.contains(f[1]) { f[4] = "2007" } }
        defer { try? FileManager.default.removeItem(atPath: fewNever) }
        let nj = try #require(try JSONSerialization.jsonObject(with: Data(try parse(["attgt", "--data", fewNever, "--id", "countyreal",
            "--time", "year", "--outcome", "lemp", "--group", "first.treat", "--format", "json"]).output().utf8)) as? [String: Any])
        #expect((nj["attgt"] as? [[String: Any]] ?? []).allSatisfy { $0["att"] is NSNull }, "\(nj)")
        #expect((nj["aggregates"] as? [[String: Any]] ?? []).allSatisfy { (($0["overall"] as? [String: Any])?["att"]) is NSNull })
        #expect((nj["notes"] as? [String] ?? []).contains { $0.contains("withheld by disclosure control: the comparison units hold fewer than 5") })
        // A unit dropped for balancing: no total before balancing in the note.
        let unbalanced = try mpdta { f in if f[1] == "8001" && f[0] == "2005" { f[0] = "" } }
        defer { try? FileManager.default.removeItem(atPath: unbalanced) }
        let text = try parse(["attgt", "--data", unbalanced, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                              "--group", "first.treat"]).output()
        #expect(text.contains("<5 unit dropped to balance the panel") && !text.contains("of 500"), "\(text)")
    }

    /// The third sweep: a standalone attgt or effects JSON saved at K = 3 was shown by `table` at its default 5,
    /// and a withheld effects JSON had `"effect": {}` where the contract keeps every key (null).
    @Test("table refuses an attgt or effects result gated below its own size, and names a match result; withheld effects keep their keys")
    func tableReGatesStandaloneResults() throws {
        let mpdtaPath = try mpdta { _ in }
        defer { try? FileManager.default.removeItem(atPath: mpdtaPath) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tbl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let a3 = folder + "/a3.json"
        try parse(["attgt", "--data", mpdtaPath, "--id", "countyreal", "--time", "year", "--outcome", "lemp", "--group", "first.treat",
                   "--format", "json", "--minimum-cell-size", "3"]).output().write(toFile: a3, atomically: true, encoding: .utf8)
        #expect(throws: ModelTableError.gatedBelow(file: a3, size: 3, required: 5)) { _ = try parse(["table", a3]).output() }
        #expect(throws: Never.self) { _ = try parse(["table", a3, "--minimum-cell-size", "3"]).output() }
        // A match result is named as one.
        let cross = folder + "/cross.csv"
        let panel = try register()
        defer { try? FileManager.default.removeItem(atPath: panel) }
        let lines = try String(contentsOfFile: panel, encoding: .utf8).split(separator: "\n")
        try ([String(lines[0])] + lines.filter { $0.split(separator: ",")[1] == "2010" }.map(String.init)).joined(separator: "\n")
            .appending("\n").write(toFile: cross, atomically: true, encoding: .utf8)
        let m = folder + "/m.json"
        try parse(["match", "--data", cross, "--id", "pnr", "--treatment", "participant", "--covariates", "age", "--format", "json"])
            .output().write(toFile: m, atomically: true, encoding: .utf8)
        let error = #expect(throws: ModelTableError.self) { _ = try parse(["table", m]).output() }
        #expect(error.map { "\($0)" }?.contains("is a didkit match result") == true)
        // A withheld effect (3 treated) keeps every key of the contract, as null.
        let small = folder + "/small.csv"
        try ([String(lines[0])] + lines.filter { l in
            let f = l.split(separator: ","); return f[1] == "2010" && (f[2] == "0" || (Int(f[0].dropFirst()) ?? 0) < 3)
        }.map(String.init)).joined(separator: "\n").appending("\n").write(toFile: small, atomically: true, encoding: .utf8)
        let e = try parse(["effects", "--data", small, "--outcome", "age", "--treatment", "participant", "--method", "ra",
                           "--outcome-covariates", "job", "--format", "json"]).output()
        let ej = try #require(try JSONSerialization.jsonObject(with: Data(e.utf8)) as? [String: Any])
        let effect = try #require(ej["effect"] as? [String: Any])
        #expect(Set(effect.keys) == ["estimate", "standardError", "ciLower", "ciUpper", "pValue"] && effect.values.allSatisfy { $0 is NSNull })
        #expect(ej["minimumCellSize"] as? Int == 5)
    }

    @Test("a group cell of NaN or inf is an error naming the column and the row, not a never-treated unit")
    func nonFiniteGroup() throws {
        for bad in ["NaN", "inf", "-Infinity"] {
            // County 8001 (first treated in 2007) with the bad value in its 2003 row (file row 2).
            let path = try mpdta { f in if f[1] == "8001" && f[0] == "2003" { f[4] = bad } }
            defer { try? FileManager.default.removeItem(atPath: path) }
            for command in ["attgt", "etwfe"] {
                let c = try parse([command, "--data", path, "--id", "countyreal", "--time", "year", "--outcome", "lemp",
                                   "--group", "first.treat"])
                // Wrapped by each estimator's error type, with the reader's sentence.
                let error = #expect(throws: (any Error).self, "\(command) \(bad)") { _ = try c.output() }
                #expect(error.map { "\($0)" } == DataError.nonFinite(column: "first.treat", row: 2, value: bad).description)
            }
        }
    }
}

@Suite("Report folders are written whole or not at all")
struct ReportFolderTests {
    func temporary() -> String { FileManager.default.temporaryDirectory.appendingPathComponent("rf-\(UUID().uuidString)").path }

    @Test("a folder that is not a report is never replaced; a report is replaced whole")
    func replaceRules() throws {
        let fm = FileManager.default
        let mine = temporary()
        try fm.createDirectory(atPath: mine, withIntermediateDirectories: true)
        try "thesis".write(toFile: mine + "/chapter1.tex", atomically: true, encoding: .utf8)
        defer { try? fm.removeItem(atPath: mine) }
        #expect(throws: ReportFolderError.notAReport(mine)) { _ = try ReportFolder.write(to: mine) { _ in [] } }
        #expect(fm.fileExists(atPath: mine + "/chapter1.tex"))

        let report = temporary()
        defer { try? fm.removeItem(atPath: report) }
        _ = try ReportFolder.write(to: report) { root in
            for f in ["index.md", "results.json", "old.txt"] { try "v1".write(to: root.appendingPathComponent(f), atomically: true, encoding: .utf8) }
            return []
        }
        struct Interrupted: Error {}
        // A run that fails half way leaves the old report exactly as it was.
        #expect(throws: Interrupted.self) {
            _ = try ReportFolder.write(to: report) { root in
                try "v2".write(to: root.appendingPathComponent("index.md"), atomically: true, encoding: .utf8)
                throw Interrupted()
            }
        }
        #expect(try String(contentsOfFile: report + "/index.md", encoding: .utf8) == "v1")
        _ = try ReportFolder.write(to: report) { root in
            for f in ["index.md", "results.json"] { try "v2".write(to: root.appendingPathComponent(f), atomically: true, encoding: .utf8) }
            return []
        }
        #expect(try String(contentsOfFile: report + "/index.md", encoding: .utf8) == "v2")
        #expect(!fm.fileExists(atPath: report + "/old.txt"))
        // A file of the user's put into a report folder (or a subfolder) stops the replacement, named; so does a
        // folder that only looks like a report (index.md and results.json, but no list of DiDKit's files).
        try fm.createDirectory(atPath: report + "/tables", withIntermediateDirectories: true)
        try "mine".write(toFile: report + "/tables/mine.csv", atomically: true, encoding: .utf8)
        // (This report has no tables/ of its own, so the folder is the user's too.)
        #expect(throws: ReportFolderError.holdsOtherFiles(report, files: ["tables/", "tables/mine.csv"], count: 2)) {
            _ = try ReportFolder.write(to: report) { _ in [] }
        }
        #expect(fm.fileExists(atPath: report + "/tables/mine.csv"))
        let lookalike = temporary()
        defer { try? fm.removeItem(atPath: lookalike) }
        try fm.createDirectory(atPath: lookalike, withIntermediateDirectories: true)
        for f in ["index.md", "results.json", "important.txt"] { try "x".write(toFile: lookalike + "/" + f, atomically: true, encoding: .utf8) }
        #expect(throws: ReportFolderError.notAReport(lookalike)) { _ = try ReportFolder.write(to: lookalike) { _ in [] } }
        #expect(fm.fileExists(atPath: lookalike + "/important.txt"))
        let parent = URL(fileURLWithPath: report).deletingLastPathComponent().path
        #expect(try fm.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(".didkit-") }.isEmpty)
    }
}

@Suite("Disclosure in effects")
struct EffectsDisclosureTests {
    @Test("an arm under K persons withholds both arms' counts (one would give the other from the total) and the treatment model")
    func smallArmCounts() throws {
        // 300 persons, 3 treated: the effect is withheld; publishing 297 controls of 300 would give the 3.
        var s = "y,t,x\n"
        for i in 0..<300 { s += "\(Double(i % 11) / 4),\(i < 3 ? 1 : 0),\(Double(i % 7) / 3)\n" }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("effects-\(UUID().uuidString).csv").path
        try s.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let command = try DidkitCommand.parseAsRoot(["effects", "--data", path, "--outcome", "y", "--treatment", "t", "--method", "aipw",
                                                     "--outcome-covariates", "x", "--treatment-covariates", "x", "--format", "json"])
        let out = try #require(command as? any OutputCommand).output()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(json["suppressed"] as? Bool == true)
        #expect(json["observations"] as? Int == 300)
        #expect(json["treated"] is NSNull || json["treated"] == nil)
        #expect(json["controls"] is NSNull || json["controls"] == nil)
        #expect(json["treatmentModel"] == nil || json["treatmentModel"] is NSNull)
        #expect(!out.contains("297"))
        let notes = json["notes"] as? [String] ?? []
        #expect(notes.contains { $0.hasPrefix("estimates and the treatment model withheld") }, "\(notes)")
    }

    @Test("a 0/1 outcome whose 0s in one arm number fewer than K withholds the estimates")
    func binaryShares() throws {
        // 40 persons, 20 treated; among the treated only 2 have y = 0 (a share 18/20 would reveal them).
        var s = "y,t,x\n"
        for i in 0..<40 {
            let treated = i < 20
            let y = treated ? (i < 2 ? 0 : 1) : i % 2
            s += "\(y),\(treated ? 1 : 0),\(Double(i % 7) / 3)\n"
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("effects-\(UUID().uuidString).csv").path
        try s.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let command = try DidkitCommand.parseAsRoot(["effects", "--data", path, "--outcome", "y", "--treatment", "t", "--method", "ra",
                                                     "--outcome-covariates", "x", "--format", "json"])
        let out = try #require(command as? any OutputCommand).output()
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(json["suppressed"] as? Bool == true)
        #expect((json["effect"] as? [String: Any])?["estimate"] as? NSNumber == nil)
        #expect((json["potentialOutcomeMeans"] as? [String: Any])?["treated"] as? NSNumber == nil)
        // Regression adjustment fits no treatment model: the note names only the estimates.
        #expect((json["notes"] as? [String] ?? []).contains { $0.hasPrefix("estimates withheld by disclosure control") })
    }
}
