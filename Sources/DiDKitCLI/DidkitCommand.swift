import ArgumentParser
import DiDKit
import Foundation

/// The `didkit` command: its subcommands follow `shared/cli-contract.md`.
public struct DidkitCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "didkit",
        abstract: "Difference-in-differences effect evaluation on register data: propensity-score matching, person-year panels and logit event studies reported as odds ratios.",
        version: DiDKitVersion.current,
        subcommands: [LogitCommand.self, OLSCommand.self, MatchCommand.self, DiDCommand.self, ATTGTCommand.self, ETWFECommand.self, EffectsCommand.self, TableCommand.self, RunCommand.self, DemoCommand.self, GenerateCommand.self, ReadCommand.self]
    )

    public init() {}
}

/// A subcommand that produces its whole output as one string, so that nothing
/// reaches stdout when it fails and tests can call it directly.
public protocol OutputCommand: ParsableCommand {
    func output() throws -> String
}

extension OutputCommand {
    public mutating func run() throws {
        let text: String
        do {
            text = try output()
        } catch let e as ValidationError {
            throw e
        } catch let e as ExitCode {
            throw e
        } catch {
            // Bad data or a model that cannot be estimated: one sentence on stderr, exit 1.
            FileHandle.standardError.write(Data(("didkit: " + String(describing: error) + "\n").utf8))
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Splits a comma-separated flag value.
func commaList(_ s: String?) -> [String] {
    guard let s else { return [] }
    return s.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

extension OutputFormat: ExpressibleByArgument {}

/// Parses repeated `--base f=LEVEL` flags.
/// `--base f=LEVEL` flags as a dictionary. Each `f` must be one of `factors` (a base for another column would be
/// silently ignored) and given once (a second level would silently win).
func parseBaseLevels(_ flags: [String], factors: [String]) throws -> [String: String] {
    var out: [String: String] = [:]
    for b in flags {
        let parts = b.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("--base takes f=LEVEL, got '\(b)'") }
        guard factors.contains(parts[0]) else {
            throw ValidationError("--base \(b) names '\(parts[0])', which is not in --factors: add it to --factors, or drop --base")
        }
        guard out[parts[0]] == nil else { throw ValidationError("--base names '\(parts[0])' twice: give one base level per factor") }
        out[parts[0]] = parts[1]
    }
    return out
}

/// Each column plays one role: `--id participant --treatment participant` is a usage error
/// naming both flags, not a crash or a silently odd model.
func requireDistinctRoles(_ roles: [(flag: String, column: String?)]) throws {
    let given = roles.compactMap { r in r.column.map { (r.flag, $0) } }
    for i in given.indices {
        for j in given.indices where j > i && given[i].1 == given[j].1 {
            throw ValidationError("the column '\(given[i].1)' is given two roles (\(given[i].0) and \(given[j].0)): each role needs its own column")
        }
    }
}
