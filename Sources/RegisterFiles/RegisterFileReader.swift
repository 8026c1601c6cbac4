import CReadStat
import Foundation
import Tabular

/// Reads Stata (`.dta`), SAS (`.sas7bdat`, `.xpt`) and SPSS (`.sav`, `.zsav`)
/// files into the same columnar ``Table`` the CSV reader makes, through the C
/// library ReadStat.
///
/// ## The columns
/// - Numbers are stored as the CSV reader stores them (``NumericColumn``): in
///   the narrowest exact form, 1-, 2- or 4-byte integers or `Double`. Stata's
///   byte, int and long are read straight into 1-, 2- and 4-byte buffers and
///   narrowed further when their values allow (a `long` year becomes 2 bytes);
///   float and double values (every SAS and SPSS number) into `Double`, then
///   compacted as the CSV reader compacts. Stata's `float` is widened exactly
///   (0.1f reads as 0.100000001490116...), as pandas and haven do.
/// - Missing: system missing, Stata's extended missing values `.a` to `.z`,
///   SAS's `.A` to `.Z` and `._`, and SPSS user-defined missing values and
///   ranges all become missing (NaN). A text value is missing when empty.
/// - Value labels (a labelled numeric column): the column's kind decides.
///   `.numeric` keeps the codes (as Stata and haven compute with them);
///   `.auto` (factors, and every column of `didkit read`) and `.text` give
///   the labels as text, so that factor levels are named by their labels
///   exactly as in a CSV written by Stata's `export delimited`; a value
///   without a label reads as its number (`4`). An unlabelled numeric column
///   read as `.text` (an id such as pnr) is formatted as Stata prints it:
///   integers without a decimal point (`3000000007`, not `3000000007.0`).
/// - Text is UTF-8: ReadStat converts from the file's declared encoding;
///   Stata files before format 118 (Stata 13 and older) declare none and are
///   read as Windows-1252, Stata's own assumption for them.
///
/// ## Errors
/// Every problem is a ``DataError`` with one sentence naming the file: a
/// missing file, a folder, contents that are another format than the
/// extension says (with the extension to use), a damaged or truncated file, an
/// unsupported format version, a text column asked for as numeric, a column
/// that is not in the file. Nothing traps on a bad file.
///
/// ## Complexity
/// O(rows x stored columns) time, in ReadStat's parse (one C callback per cell,
/// storing one value; a `.dta` of 32 MB or more is parsed in row ranges on all
/// cores, see ``parseInParts(_:encoding:parts:)``), the file read through a
/// 1 MiB buffer (``BufferedInput``); memory: the stored columns at their read
/// width plus one compaction copy per column. Skipped columns
/// (`ColumnKind.skip`) are never converted.
public enum RegisterFileReader {
    /// Reads the file at `path` in the format its extension names.
    /// - Parameters:
    ///   - kinds: the kind by column name (see the type's discussion); names not in the file are an error.
    ///   - defaultKind: the kind of every other column.
    /// - Throws: ``DataError``.
    public static func read(path: String, kinds: [String: ColumnKind] = [:], defaultKind: ColumnKind = .auto) throws -> Table {
        guard let format = RegisterFormat(path: path) else {
            throw DataError.unreadableFile(path: path, reason: "its extension is not one of .dta, .sas7bdat, .xpt, .sav or .zsav")
        }
        return try read(path: path, format: format, kinds: kinds, defaultKind: defaultKind)
    }

    /// Reads the file at `path` as `format`.
    public static func read(path: String, format: RegisterFormat, kinds: [String: ColumnKind] = [:],
                            defaultKind: ColumnKind = .auto) throws -> Table {
        try read(path: path, format: format, kinds: kinds, defaultKind: defaultKind, parts: nil)
    }

    /// ``read(path:format:kinds:defaultKind:)`` with the number of row ranges a Stata file
    /// is parsed in (nil: ``defaultParts(_:)``; other formats are always parsed whole).
    static func read(path: String, format: RegisterFormat, kinds: [String: ColumnKind], defaultKind: ColumnKind,
                     parts: Int?) throws -> Table {
        try checkExists(path, format)
        let encoding = try checkContents(path, format)
        let state = ReadState(path: path, format: format, kinds: kinds, defaultKind: defaultKind)
        let parts = format == .stata ? (parts ?? defaultParts(path)) : 1
        let status = parts > 1 ? parseInParts(state, encoding: encoding, parts: parts) : parse(state, encoding: encoding)
        if let failure = state.failure { throw failure }
        if status != READSTAT_OK { throw parseError(status, state) }
        for name in kinds.keys.sorted() where !state.names.contains(name) {
            throw DataError.unknownColumn(name, available: state.names)
        }
        return try ColumnAssembly(state).table()
    }

    /// Runs ReadStat's parser for the state's format: the header, the variables, the
    /// value labels and (with `values`) every cell into the state's cursor.
    static func parse(_ state: ReadState, encoding: String?, values: Bool = true) -> readstat_error_t {
        guard let parser = readstat_parser_init() else { return READSTAT_ERROR_MALLOC }
        defer { readstat_parser_free(parser) }
        readstat_set_metadata_handler(parser, ReadStatHandlers.metadata)
        readstat_set_variable_handler(parser, ReadStatHandlers.variable)
        if values { readstat_set_value_handler(parser, ReadStatHandlers.value) }
        readstat_set_value_label_handler(parser, ReadStatHandlers.valueLabel)
        readstat_set_error_handler(parser, ReadStatHandlers.error)
        return withExtendedLifetime(state) { run(parser, state.format, state.path, encoding, state.cursor) }
    }

    /// Runs `parser` (its handlers set) on the file with ``BufferedInput``, `cursor` as ReadStat's `ctx`.
    static func run(_ parser: UnsafeMutablePointer<readstat_parser_t>, _ format: RegisterFormat, _ path: String,
                    _ encoding: String?, _ cursor: UnsafeMutablePointer<ValueCursor>) -> readstat_error_t {
        if let encoding { readstat_set_file_character_encoding(parser, encoding) }
        let input = BufferedInput.install(on: parser)
        defer { BufferedInput.release(input) }
        let ctx = UnsafeMutableRawPointer(cursor)
        switch format {
        case .stata: return readstat_parse_dta(parser, path, ctx)
        case .sas7bdat: return readstat_parse_sas7bdat(parser, path, ctx)
        case .xport: return readstat_parse_xport(parser, path, ctx)
        case .spss, .zsav: return readstat_parse_sav(parser, path, ctx)
        }
    }

    /// A missing path or a folder, said as the CSV reader says it.
    static func checkExists(_ path: String, _ format: RegisterFormat) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw DataError.fileNotFound(path: path) }
        if isFolder.boolValue {
            throw DataError.unreadableFile(path: path, reason: "it is a folder; give the path of the \(format.displayName) file in it")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DataError.unreadableFile(path: path, reason: "it cannot be opened for reading (check its permissions)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        if size == 0 { throw DataError.emptyFile(path: path) }
    }

    /// Checks that the file's first bytes are the format its extension names.
    /// - Returns: the character encoding to assume (Windows-1252 for Stata files before format 118), or nil.
    static func checkContents(_ path: String, _ format: RegisterFormat) throws -> String? {
        let head = RegisterFormat.head(of: path)
        let named = "'\(path)' is named as a \(format.displayName) file"
        switch RegisterFormat.sniff(head) {
        case .format(let actual) where actual == format:
            // An XPORT file is a sequence of 80-byte records and declares no row count: a file cut
            // anywhere but at a record boundary is caught here (ReadStat would return the rows before the cut).
            if format == .xport, let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int, size % 80 != 0 {
                throw DataError.unreadableFile(path: path, reason: "it is \(size) bytes, not a whole number of the format's 80-byte records (a truncated copy?): copy or export the file again and check its size")
            }
            if format == .stata, let release = stataRelease(head), release < 118 { return "WINDOWS-1252" }
            return nil
        case .format(.spss) where format == .zsav, .format(.zsav) where format == .spss:
            return nil  // ReadStat reads both from either extension
        case .format(let actual):
            throw DataError.unreadableFile(path: path, reason: "\(named) but its contents are \(actual.displayName): rename it with the extension \(actual.fileExtension)")
        case .oldStata where format == .stata:
            return "WINDOWS-1252"
        case .oldStata:
            throw DataError.unreadableFile(path: path, reason: "\(named) but its contents are Stata .dta: rename it with the extension .dta")
        case .text where head.isEmpty:
            throw DataError.emptyFile(path: path)
        case .text:
            throw DataError.unreadableFile(path: path, reason: "\(named) but it holds text (a CSV file?): rename it .csv if it is one, or export the data again from \(format.displayName.split(separator: " ")[0])")
        case .unknown:
            throw DataError.unreadableFile(path: path, reason: "\(named) but its first bytes are not a \(format.displayName) header: check that the file is complete and is what its extension says, or export it again (or as CSV)")
        }
    }

    /// The format number of a Stata file from its first bytes (`<release>118</release>` or the first byte).
    static func stataRelease(_ head: [UInt8]) -> Int? {
        if case .oldStata(let version) = RegisterFormat.sniff(head) { return version }
        let text = String(decoding: head, as: UTF8.self)
        guard let open = text.range(of: "<release>") else { return nil }
        return Int(text[open.upperBound...].prefix(3))
    }

    /// ReadStat's status as one sentence naming the file and what to do.
    static func parseError(_ status: readstat_error_t, _ state: ReadState) -> DataError {
        let what = state.format.displayName
        let detail = state.lastMessage.map { " (ReadStat: \($0))" } ?? ""
        let reason: String
        switch status {
        case READSTAT_ERROR_UNSUPPORTED_FILE_FORMAT_VERSION:
            reason = "its \(what) format version is not supported\(detail): save it again in a current format (Stata: saveold with version(13) or later; SAS: xport version 5 or 8; SPSS: save)"
        case READSTAT_ERROR_UNSUPPORTED_COMPRESSION:
            reason = "it uses a compression ReadStat cannot read\(detail): save it uncompressed or export it as CSV"
        case READSTAT_ERROR_UNSUPPORTED_CHARSET, READSTAT_ERROR_CONVERT, READSTAT_ERROR_CONVERT_BAD_STRING,
             READSTAT_ERROR_CONVERT_SHORT_STRING, READSTAT_ERROR_CONVERT_LONG_STRING:
            reason = "its text is not in the character encoding it declares\(detail): save it again as UTF-8 (Stata 14+: unicode translate) or export it as CSV"
        case READSTAT_ERROR_OPEN:
            reason = "it cannot be opened\(detail): check its permissions"
        case READSTAT_ERROR_MALLOC:
            reason = "there is not enough memory to read it: read fewer columns or use a machine with more memory"
        default:
            let message = String(cString: readstat_error_message(status))
            reason = "it is damaged or truncated (ReadStat: \(state.lastMessage ?? message)): copy or export the file again from \(what.split(separator: " ")[0]) and check its size"
        }
        return .unreadableFile(path: state.path, reason: reason)
    }
}
