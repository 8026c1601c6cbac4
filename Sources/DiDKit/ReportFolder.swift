import Foundation

/// Problems with the folder a report is written to; each names the folder and says what to do.
public enum ReportFolderError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyPath
    case isAFile(String)
    case notAReport(String)
    /// A report folder that also holds files the report did not write (`files`: some of them, relative).
    case holdsOtherFiles(String, files: [String], count: Int)
    case cannotWrite(String, reason: String)

    public var description: String {
        switch self {
        case .emptyPath: return "the report folder name is empty: give one, e.g. --out report"
        case .isAFile(let p): return "'\(p)' is a file, not a folder: choose another report folder"
        case .notAReport(let p):
            return "the folder '\(p)' exists and is not a DiDKit report (no \(ReportFolder.manifestName) list of the files DiDKit wrote there): choose a new folder, or empty it, so that nothing of yours is replaced"
        case .holdsOtherFiles(let p, let files, let count):
            let more = count > files.count ? " and \(count - files.count) more" : ""
            return "the report folder '\(p)' also holds \(count) file\(count == 1 ? "" : "s") DiDKit did not write there (\(files.joined(separator: ", "))\(more)), which replacing the report would delete: move \(count == 1 ? "it" : "them") out, or choose a new folder"
        case .cannotWrite(let p, let why): return "cannot write the report folder '\(p)': \(why); check that its parent folder exists and is writable"
        }
    }
}

/// Writes a report folder so that it is either the old complete report or the
/// new complete one, never a mix: the files go to a fresh temporary folder
/// beside the target, which is moved into place when complete (an interrupted
/// run leaves only a `.didkit-tmp-*` folder). An existing folder is replaced
/// only when it is empty or is a DiDKit report holding nothing else: every report
/// lists its files in ``manifestName``, and a folder without that list, or with a
/// file not on it (notes of the user's added beside the tables), is refused by name.
public enum ReportFolder {
    /// The list of a report's files and folders (relative paths, folders ending in `/`, one a line), written last
    /// into every report folder.
    public static let manifestName = ".didkit-manifest"

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
            let isReport = contents.contains(manifestName)
            guard contents.isEmpty || isReport, url.path != "/", url.path != fm.currentDirectoryPath || isReport else {
                throw ReportFolderError.notAReport(path)
            }
            if isReport {
                let listed = Set(((try? String(contentsOf: url.appendingPathComponent(manifestName), encoding: .utf8)) ?? "")
                    .split(separator: "\n").map(String.init))
                let others = files(under: url).filter { $0 != manifestName && !listed.contains($0) }
                if !others.isEmpty { throw ReportFolderError.holdsOtherFiles(path, files: Array(others.prefix(3)), count: others.count) }
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
        do {
            files = try body(temporary)
            // The list of what is there (not of what `body` says it wrote), so that a later run replaces exactly this.
            let manifest = Self.files(under: temporary).joined(separator: "\n") + "\n"
            try manifest.write(to: temporary.appendingPathComponent(manifestName), atomically: true, encoding: .utf8)
        } catch {
            try? fm.removeItem(at: temporary)
            throw error
        }
        // Again just before the swap: the run can take minutes, and a file put into the old report meanwhile
        // must stop it too.
        do { try check(path) } catch {
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

    /// Everything below `folder`, as paths relative to it, sorted: files as they are, folders with a trailing `/` (so
    /// that an empty folder of the user's inside a report counts too).
    static func files(under folder: URL) -> [String] {
        let base = folder.standardizedFileURL.path
        guard let walk = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let rel = walk.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: base + "/" + rel, isDirectory: &isDirectory) else { continue }
            out.append(isDirectory.boolValue ? rel + "/" : rel)
        }
        return out.sorted()
    }
}
