import Tabular

/// The one entry point for user data: reads a table from the file at `path`,
/// choosing the reader by the extension.
///
/// `.dta`, `.sas7bdat`, `.xpt`, `.sav` and `.zsav` (any case) go to
/// ``RegisterFileReader`` (ReadStat); everything else (`.csv`, `.txt`, no
/// extension, `/dev/stdin`) to ``CSVReader``, as before. A CSV file that is
/// in fact one of these binary formats is named as such, with the extension
/// to give it, instead of the CSV reader's "binary" message.
public enum TableReader {
    /// Reads `path` with the reader its extension names.
    /// - Parameters:
    ///   - kinds: the storage kind by column name; names not in the file are an error.
    ///   - defaultKind: the kind of every other column.
    ///   - storing: for a CSV file, only these columns are stored when all of them are in the file
    ///     (``CSVReader/read(path:kinds:defaultKind:storing:)``); a register file is read whole.
    /// - Throws: ``DataError``.
    public static func read(path: String, kinds: [String: ColumnKind] = [:], defaultKind: ColumnKind = .auto,
                            storing: Set<String>? = nil) throws -> Table {
        if let format = RegisterFormat(path: path) {
            return try RegisterFileReader.read(path: path, format: format, kinds: kinds, defaultKind: defaultKind)
        }
        do {
            return try CSVReader.read(path: path, kinds: kinds, defaultKind: defaultKind, storing: storing)
        } catch DataError.unsupportedEncoding(let p, let encoding) {
            switch RegisterFormat.sniff(RegisterFormat.head(of: path)) {
            case .format(let actual):
                throw DataError.unreadableFile(path: p, reason: "it is a \(actual.displayName) file, not CSV: rename it with the extension \(actual.fileExtension)")
            case .oldStata:
                throw DataError.unreadableFile(path: p, reason: "it is a Stata .dta file, not CSV: rename it with the extension .dta")
            default:
                throw DataError.unsupportedEncoding(path: p, encoding: encoding)
            }
        }
    }

    /// Whether `path`'s extension names a format read through ReadStat.
    public static func isRegisterFile(_ path: String) -> Bool { RegisterFormat(path: path) != nil }
}
