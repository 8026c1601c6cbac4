import Foundation

/// Problems with the folder a report is written to; each names the folder and says what to do.
public enum ReportFolderError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyPath
    case isAFile(String)
    case notAReport(String)
    case cannotWrite(String, reason: String)

    public var description: String {
        switch self {
        case .emptyPath: return "the report folder name is empty: give one, e.g. --out report"
        case .isAFile(let p): return "'\(p)' is a file, not a folder: choose another report folder"
        case .notAReport(let p):
            return "the folder '\(p)' exists and is not a DiDKit report (no index.md and results.json): choose a new folder, or empty it, so that nothing of yours is replaced"
        case .cannotWrite(let p, let why): return "cannot write the report folder '\(p)': \(why); check that its parent folder exists and is writable"
        }
    }
}

/// Writes a report folder so that it is either the old complete report or the
/// new complete one, never a mix: the files go to a fresh temporary folder
/// beside the target, which is moved into place when complete (an interrupted
/// run leaves only a `.didkit-tmp-*` folder). An existing folder is replaced
/// only when it is empty or is a DiDKit report.
public enum ReportFolder {
    /// Checks, before any work, that `path` can receive a report.
    /// - Throws: ``ReportFolderError``.
    public static func check(_ path: String) throws {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw ReportFolderError.emptyPath }
        let url = URL(fileURLWithPath: trimmed).standardizedFileURL
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ReportFolderError.isAFile(path) }
            let contents = (try? fm.contentsOfDirectory(atPath: url.path)) ?? []
            let isReport = contents.contains("index.md") && contents.contains("results.json")
            guard contents.isEmpty || isReport, url.path != "/", url.path != fm.currentDirectoryPath || isReport else {
                throw ReportFolderError.notAReport(path)
            }
        }
        let parent = url.deletingLastPathComponent().path
        guard fm.isWritableFile(atPath: parent) else {
            throw ReportFolderError.cannotWrite(path, reason: "the parent folder '\(parent)' does not exist or is not writable")
        }
    }

    /// Writes through `body` (given the temporary folder) and moves the result into place.
    /// - Returns: what `body` returns (the files written, relative to the folder).
    public static func write(to path: String, _ body: (URL) throws -> [String]) throws -> [String] {
        try check(path)
        let fm = FileManager.default
        let target = URL(fileURLWithPath: path.trimmingCharacters(in: .whitespaces)).standardizedFileURL
        let parent = target.deletingLastPathComponent()
        let temporary = parent.appendingPathComponent(".didkit-tmp-\(UUID().uuidString)")
        do { try fm.createDirectory(at: temporary, withIntermediateDirectories: false) } catch {
            throw ReportFolderError.cannotWrite(path, reason: error.localizedDescription)
        }
        let files: [String]
        do { files = try body(temporary) } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
        do {
            if fm.fileExists(atPath: target.path) {
                let old = parent.appendingPathComponent(".didkit-old-\(UUID().uuidString)")
                try fm.moveItem(at: target, to: old)
                try fm.moveItem(at: temporary, to: target)
                try? fm.removeItem(at: old)
            } else {
                try fm.moveItem(at: temporary, to: target)
            }
        } catch {
            throw ReportFolderError.cannotWrite(path, reason: error.localizedDescription)
        }
        return files
    }
}
