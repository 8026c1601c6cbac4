/// Problems with input data: each case names the file, column, row or value
/// involved and says what to do. Rows are numbered as in the CSV file: 1-based,
/// the header being row 1.
public enum DataError: Error, Sendable, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case unreadableFile(path: String, reason: String)
    case emptyFile(path: String)
    case noDataRows(path: String)
    case duplicateColumnName(String)
    case emptyColumnName(position: Int)
    /// A row with another number of fields than the header (`path`: the file, or the source name of bytes).
    case raggedRow(path: String, row: Int, expected: Int, found: Int)
    case unterminatedQuote(path: String, row: Int)
    case unknownColumn(String, available: [String])
    case nonNumeric(column: String, row: Int, value: String)
    case nonFinite(column: String, row: Int, value: String)
    case wrongColumnType(column: String, expected: String)
    case columnLengthMismatch(column: String, expected: Int, found: Int)
    case noRowsAfterDeletion(dropped: Int, reasons: String)
    case unknownFactorLevel(column: String, level: String, known: [String])
    case unknownBaseLevel(column: String, level: String, known: [String])
    /// A weight that is negative or (frequency weights) not a whole number.
    case invalidWeight(column: String, row: Int, value: Double, kind: WeightKind)
    case notUTF8(column: String, row: Int)
    case cannotWrite(path: String, reason: String)
    /// A file to be written exists and is not one of DiDKit's own (`what`: what it would have to be to be replaced).
    case wouldReplace(path: String, what: String)
    /// An output file named like the data file the command reads.
    case outputIsInput(path: String)
    /// An id that must be one per row (a cross-section's person) repeats (`rows`: the first two, 1-based file rows).
    case duplicateID(column: String, value: String, firstRow: Int, secondRow: Int)
    /// An id cell that is empty where every row needs one.
    case missingID(column: String, row: Int)
    case unsupportedEncoding(path: String, encoding: String)
    case wrongDelimiter(path: String, delimiter: String)

    public var description: String {
        switch self {
        case .fileNotFound(let p):
            return "cannot find the data file '\(p)': check the path (relative paths start from the current directory)"
        case .unreadableFile(let p, let r):
            return "cannot read the data file '\(p)': \(r)"
        case .emptyFile(let p):
            return "the data file '\(p)' is empty: it needs a header row and at least one data row"
        case .noDataRows(let p):
            return "the data file '\(p)' has a header but no data rows"
        case .duplicateColumnName(let n):
            return "the header names column '\(n)' twice: column names must be unique"
        case .emptyColumnName(let pos):
            return "column \(pos) of the header has no name: give every column a name"
        case .raggedRow(let p, let row, let expected, let found):
            return "'\(p)': row \(row) has \(found) fields but the header has \(expected): check for unquoted commas or missing separators"
        case .unterminatedQuote(let p, let row):
            return "'\(p)': a quoted field starting in row \(row) is never closed: check the quotes"
        case .unknownColumn(let n, let available):
            let shown = available.prefix(12).joined(separator: ", ")
            return "there is no column '\(n)' in the data (columns: \(shown)\(available.count > 12 ? ", ..." : "")): check the spelling"
        case .nonNumeric(let c, let row, let v):
            return "column '\(c)', row \(row): '\(v)' is not a number: numeric columns take numbers, with empty, NA or . for missing (declare text columns as factors or ids)"
        case .nonFinite(let c, let row, let v):
            return "column '\(c)', row \(row): '\(v)' is not a finite number: replace it by a value or by NA for missing"
        case .wrongColumnType(let c, let expected):
            return "column '\(c)' must be \(expected)"
        case .columnLengthMismatch(let c, let e, let f):
            return "column '\(c)' has \(f) values but the table has \(e) rows"
        case .noRowsAfterDeletion(let d, let reasons):
            if reasons.isEmpty { return "no rows are left to estimate on (\(d) removed): the data have no usable row" }
            return "no rows are left after removing \(d) rows (\(reasons)): check the columns' missing-value coding and the weights"
        case .unknownFactorLevel(let c, let l, let known):
            return "column '\(c)' has level '\(l)', which the fitted model did not see (levels: \(known.joined(separator: ", ")))"
        case .cannotWrite(let p, let why):
            return "cannot write '\(p)': \(why); check that the folder exists and is writable"
        case .outputIsInput(let p):
            return "'\(p)' is the data file this command reads: give the output another file name"
        case .wouldReplace(let p, let what):
            return "'\(p)' exists and is not \(what): choose a new file name, or remove it, so that nothing of yours is replaced"
        case .duplicateID(let c, let v, let r1, let r2):
            return "column '\(c)' holds '\(v)' in rows \(r1) and \(r2), but the data must have one row per person: keep one row per person (for a register, one year's rows)"
        case .missingID(let c, let row):
            return "column '\(c)' is empty in row \(row): every person needs an id; fill it in or drop the row"
        case .notUTF8(let c, let row):
            return "column '\(c)', row \(row) is not UTF-8 text (Latin-1 or Windows-1252?): convert the file to UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 in.csv > out.csv, so that no two values are merged"
        case .unsupportedEncoding(let p, let e):
            return "'\(p)' is \(e) text: save it as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8 in.csv > out.csv)"
        case .wrongDelimiter(let p, let d):
            return "'\(p)' looks \(d)-separated: DiDKit reads comma-separated files with '.' decimals; re-export it as CSV with commas (a semicolon file often has decimal commas too)"
        case .invalidWeight(let c, let row, let v, let kind):
            return "column '\(c)', row \(row): weight \(v) is not valid: \(kind == .frequency ? "frequency weights must be non-negative whole numbers" : "analytic weights must be non-negative")"
        case .unknownBaseLevel(let c, let l, let known):
            return "the base level '\(l)' of factor '\(c)' does not occur in the estimation sample (levels: \(known.joined(separator: ", ")))"
        }
    }
}

extension DataError {
    /// A problem with the file's structure (quotes, field counts) rather than a value.
    var isStructural: Bool {
        switch self {
        case .unterminatedQuote, .raggedRow: return true
        default: return false
        }
    }
}
