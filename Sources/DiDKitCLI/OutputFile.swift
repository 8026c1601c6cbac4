import Foundation
import Tabular

/// The rule for files the command line writes beside the user's own (`generate --out`, `match --pairs-out`): an
/// existing file is replaced only when it is one DiDKit wrote, told by its first line, as `run --out` replaces only
/// a DiDKit report. Nothing of the user's (the data file itself, a register, a script) is overwritten.
enum OutputFile {
    /// - Parameters:
    ///   - path: the file to be written.
    ///   - firstLine: the first line every file of this kind starts with (a CSV header).
    ///   - what: what the file must be to be replaced, for the message ("a register written by didkit generate").
    ///   - inputs: files the command reads (`--data`): never replaced, whatever they hold.
    /// - Throws: ``DataError/wouldReplace(path:what:)``, ``DataError/outputIsInput(path:)``;
    ///   ``DataError/cannotWrite(path:reason:)`` for a folder or an unreadable file.
    static func checkReplaceable(_ path: String, firstLine: String, what: String, inputs: [String] = []) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return }
        if isFolder.boolValue { throw DataError.cannotWrite(path: path, reason: "it is a folder; give a file name") }
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        for input in inputs where URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath().path == target {
            throw DataError.outputIsInput(path: path)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError.cannotWrite(path: path, reason: "it exists and cannot be read; choose a new file name")
        }
        defer { try? handle.close() }
        let start = (try? handle.read(upToCount: firstLine.utf8.count + 1)) ?? Data()
        if start != Data((firstLine + "\n").utf8) { throw DataError.wouldReplace(path: path, what: what) }
    }
}
