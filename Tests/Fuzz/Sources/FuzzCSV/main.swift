import Foundation
import FuzzSupport
@_spi(Testing) import DiDKit

/// Differential fuzzing of the CSV reader: every input is read whole and split into 2, 3 and 7
/// chunks (the split a multi-megabyte file gets, forced on small inputs), and whole with every row
/// read by the field scan (no plain row read by words). The reader must not crash; a split read must
/// give what the whole read gives: the same table, or an error (the chunk split once disagreed with
/// the field scanner on stray quotes); the field scan alone must give the same table in the same
/// storage forms, or the same error.
func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = compareSplits(bytes, kinds: [:])
    // The typed paths too, split the same ways (declared text and numeric columns are written to their
    // sinks in a split read): every column as text, and as numbers.
    if case .success(let t) = whole {
        let names = t.columnNames
        _ = compareSplits(bytes, kinds: Dictionary(uniqueKeysWithValues: names.map { ($0, .text) }))
        _ = compareSplits(bytes, kinds: Dictionary(uniqueKeysWithValues: names.map { ($0, .numeric) }))
    }
    return 0
}

/// Reads `bytes` whole and split into 2, 3 and 7 chunks with these kinds (the others auto); traps unless
/// every split read gives the whole read's table, or fails as it does. Returns the whole read.
func compareSplits(_ bytes: [UInt8], kinds: [String: ColumnKind]) -> Result<Table, any Error> {
    let whole = Result { try CSVReader.read(bytes: bytes, source: "fuzz.csv", kinds: kinds) }
    let scanned = Result { try CSVReader.read(bytes: bytes, source: "fuzz.csv", kinds: kinds, splittingInto: 1, wordRows: false) }
    switch (whole, scanned) {
    case (.success(let a), .success(let b)):
        if a != b || storageForms(a) != storageForms(b) { fatalError("the field scan alone gives another table (kinds \(kinds))") }
    case (.failure(let e), .failure(let f)):
        if "\(e)" != "\(f)" { fatalError("the field scan alone fails otherwise: \(f) against \(e) (kinds \(kinds))") }
    default:
        fatalError("the field scan alone: \(scanned) but the whole read: \(whole) (kinds \(kinds))")
    }
    for chunks in [2, 3, 7] {
        let split = Result { try CSVReader.read(bytes: bytes, source: "fuzz.csv", kinds: kinds, splittingInto: chunks) }
        switch (whole, split) {
        case (.success(let a), .success(let b)):
            if a != b { fatalError("split into \(chunks) chunks gives another table than the whole read (kinds \(kinds))") }
        case (.failure, .failure):
            break
        default:
            fatalError("split into \(chunks) chunks: \(split) but the whole read: \(whole) (kinds \(kinds))")
        }
    }
    return whole
}

/// Each column's storage: bytes per value for a numeric column, 0 for text.
func storageForms(_ t: Table) -> [Int] {
    t.columnNames.map { name in
        if case .numeric(let c)? = try? t.column(name) { return c.bytesPerValue }
        return 0
    }
}

runFuzzer { data, size in fuzzCSV(data, size) }
