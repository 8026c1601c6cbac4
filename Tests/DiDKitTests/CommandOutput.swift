import ArgumentParser
@testable import DiDKitCLI
import Testing

/// The terminal output of `didkit` with `args` (the command-line tests' one runner): the arguments parsed
/// as the tool parses them, the command run in process. A command that prints no output is recorded as an
/// issue and gives "".
func run(_ args: [String]) throws -> String {
    let command = try DidkitCommand.parseAsRoot(args)
    guard let c = command as? any OutputCommand else { Issue.record("not an output command"); return "" }
    return try c.output()
}
