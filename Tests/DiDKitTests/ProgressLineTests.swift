@testable import DiDKitCLI
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// When progress is shown (Docs/CommandLine.md): step lines on a terminal or with `--progress`,
/// the live line only on a terminal, nothing with `--quiet`.
@Suite("Progress line switches")
struct ProgressLineTests {
    @Test("--quiet silences everything; --progress forces step lines but never the live line off a terminal")
    func switches() throws {
        let terminal = isatty(2) != 0
        let quiet = ProgressLine(forced: true, quiet: true)
        #expect(!quiet.steps && !quiet.live)
        let forced = ProgressLine(forced: true, quiet: false)
        #expect(forced.steps && forced.live == terminal)
        let plain = ProgressLine(forced: false, quiet: false)
        #expect(plain.steps == terminal && plain.live == terminal)
        // Off a terminal the library's reports are not even listened to.
        if !terminal { #expect(plain.run { ProgressReportProbe.bound() } == false) }
        _ = try DemoCommand.parse(["--quiet", "--persons", "300"])
        _ = try RunCommand.parse(["study.json", "--quiet"])
        _ = try GenerateCommand.parse(["--out", "x.csv", "--quiet"])
        #expect(ProgressLine.duration(12.4) == "12 s" && ProgressLine.duration(600) == "10 min")
    }
}
