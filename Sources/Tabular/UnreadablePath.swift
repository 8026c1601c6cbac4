import Foundation

/// Why the file at `path` cannot be read, as the end of a sentence ("it does not exist", "it is a folder, not a
/// file", "it cannot be opened for reading"), for messages that name a study file or a saved result (Foundation's
/// own text is "The operation could not be completed. (NSCocoaErrorDomain error 256.)").
public func whyUnreadable(_ path: String) -> String {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "it does not exist" }
    if isFolder.boolValue { return "it is a folder, not a file" }
    return FileManager.default.isReadableFile(atPath: path) ? "it cannot be read" : "it cannot be opened for reading (permissions)"
}
