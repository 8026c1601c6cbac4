import Foundation

/// The statistical-package file formats DiDKit reads through ReadStat, known by
/// their file extension and recognised by their first bytes.
///
/// A file is read in the format its extension names; when its first bytes say
/// it is another format (a Stata file saved as `.sav`), the reader refuses it
/// and says which extension it needs, rather than guessing.
public enum RegisterFormat: String, Sendable, CaseIterable {
    /// Stata `.dta`, format 104 to 119 (Stata 8 is 113, 10 to 12 are 114/115, 13 is 117, 14-15 are 118, 15+ wide files 119).
    case stata
    /// SAS data set `.sas7bdat` (uncompressed, CHAR- or BINARY-compressed).
    case sas7bdat
    /// SAS transport `.xpt` (XPORT version 5 and 8).
    case xport
    /// SPSS `.sav` (uncompressed or bytecode-compressed).
    case spss
    /// SPSS `.zsav` (zlib-compressed).
    case zsav

    /// The format a file extension names (case-insensitive), or nil (CSV and anything else).
    public init?(extension ext: String) {
        switch ext.lowercased() {
        case "dta": self = .stata
        case "sas7bdat": self = .sas7bdat
        case "xpt": self = .xport
        case "sav": self = .spss
        case "zsav": self = .zsav
        default: return nil
        }
    }

    /// The format of the file at `path` by its extension, or nil.
    public init?(path: String) {
        self.init(extension: URL(fileURLWithPath: path).pathExtension)
    }

    /// The usual extension, with its dot.
    public var fileExtension: String {
        switch self {
        case .stata: return ".dta"
        case .sas7bdat: return ".sas7bdat"
        case .xport: return ".xpt"
        case .spss: return ".sav"
        case .zsav: return ".zsav"
        }
    }

    /// The name used in messages.
    public var displayName: String {
        switch self {
        case .stata: return "Stata .dta"
        case .sas7bdat: return "SAS .sas7bdat"
        case .xport: return "SAS transport .xpt"
        case .spss: return "SPSS .sav"
        case .zsav: return "SPSS .zsav"
        }
    }

    /// What a file's first bytes say it is.
    enum Content: Equatable {
        case format(RegisterFormat)
        /// A Stata file of the pre-117 binary layout, with its format number (104-115 are read).
        case oldStata(version: Int)
        /// Text (a CSV file, say): no known header, and the first bytes are UTF-8 without control
        /// characters other than tab and line ends.
        case text
        /// Something else.
        case unknown
    }

    /// The SAS data set's 32-byte magic number, at the start of every `.sas7bdat`.
    static let sasMagic: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xC2, 0xEA, 0x81, 0x60,
                                    0xB3, 0x14, 0x11, 0xCF, 0xBD, 0x92, 0x08, 0x00, 0x09, 0xC7, 0x31, 0x8C, 0x18, 0x1F, 0x10, 0x11]

    /// Recognises a format from a file's first bytes (at least 32 for SAS; fewer give `.unknown` or `.text`).
    /// Complexity: O(prefix).
    static func sniff(_ head: [UInt8]) -> Content {
        func starts(_ s: String) -> Bool { head.starts(with: Array(s.utf8)) }
        if starts("<stata_dta>") { return .format(.stata) }
        if starts("$FL2") { return .format(.spss) }
        if starts("$FL3") { return .format(.zsav) }
        if starts("HEADER RECORD*******LIB") { return .format(.xport) }
        if head.starts(with: sasMagic) { return .format(.sas7bdat) }
        // Stata 104-115: version byte, byte order (1 = big-endian, 2 = little-endian), file type 1, a zero.
        if head.count >= 4, (1...2).contains(head[1]), head[2] == 1, head[3] == 0 { return .oldStata(version: Int(head[0])) }
        if !head.isEmpty, looksLikeText(head) { return .text }
        return .unknown
    }

    /// Whether `head` reads as the start of a text file: no control byte but tab, LF and CR, and valid
    /// UTF-8 but for a character cut at the end. (A NUL-free test alone took most random bytes, a
    /// damaged file's, for text, and the message then advised renaming it .csv.)
    static func looksLikeText(_ head: [UInt8]) -> Bool {
        if head.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D || $0 == 0x7F }) { return false }
        return (0...Swift.min(3, head.count)).contains { cut in String(validating: head.dropLast(cut), as: UTF8.self) != nil }
    }

    /// The first `count` bytes of the file at `path` (fewer when it is shorter).
    static func head(of path: String, count: Int = 64) -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: count)) ?? Data())
    }
}
