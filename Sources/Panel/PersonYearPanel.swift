import _DiDKitParallel
import Linalg
import Design
import Estimation
import Tabular

/// A person-year register: one row per person and year, sorted by person
/// (ids in byte order) and year, with each person's rows contiguous.
///
/// Persons are integer codes `0..<personCount`; `rowStart[p]..<rowStart[p+1]`
/// are person `p`'s rows. No per-person object is allocated: ids live in one
/// `TextColumn`, everything else in flat arrays.
///
/// Validation: duplicate (id, year) rows are an error that counts them and
/// shows a few; gaps in a person's years are allowed and counted; rows with a
/// missing id or year are dropped and counted.
///
/// - Complexity: `O(n)` to group (counting sort by person code) plus the
///   per-person sort of years; memory: the table once more, sorted.
public struct PersonYearPanel: Sendable {
    /// All columns (or those ``keepingColumns(_:)`` kept), rows sorted by (person, year).
    public private(set) var table: Table
    /// The id of each person, in person-code order.
    public let personIDs: TextColumn
    /// Person code of each row.
    public let personOfRow: [Int32]
    /// Year of each row.
    public let years: [Int32]
    /// Row offsets per person (`personCount + 1` entries).
    public let rowStart: [Int]
    /// Missing years inside persons' spans (gaps), summed over persons.
    public let gapYears: Int
    /// Persons with at least one gap.
    public let personsWithGaps: Int
    /// Rows dropped for a missing id or year.
    public let droppedRows: Int
    /// Names of the id and time columns.
    public let idColumn: String
    public let timeColumn: String

    /// Number of persons.
    public var personCount: Int { rowStart.count - 1 }
    /// Number of person-years.
    public var rowCount: Int { years.count }
    /// Rows of person `p`.
    public func rows(ofPerson p: Int) -> Range<Int> { rowStart[p]..<rowStart[p + 1] }
    /// First and last year in the data.
    public var yearRange: ClosedRange<Int> { Int(years.min() ?? 0)...Int(years.max() ?? 0) }

    /// Builds the panel from a long table.
    /// - Parameter keepingIDColumn: whether ``table`` keeps the id column (default); without it, the persons are
    ///   known by their codes and ``personIDs`` only, and the id's memory (0.9 GB of text at 54M rows) is freed
    ///   once no other table holds it.
    /// - Throws: ``PanelError/duplicatePersonYears(count:examples:)``, ``PanelError/nonIntegerYear(column:row:value:)``, ``PanelError/data(_:)``.
    public init(_ input: Table, id: String, time: String, keepingIDColumn: Bool = true) throws {
        let ids: TextColumn
        let yearValues: NumericColumn
        do {
            ids = try input.text(id)
            yearValues = try input.numeric(time)
        } catch let e as DataError { throw PanelError.data(e) }
        // A register sorted by person and year with no missing id or year (the usual extract): its rows are
        // already in panel order, so the table, the person codes and the years are used as they are.
        let (rawCodes, levels) = ids.encoded()
        if let sorted = Self.sortedLayout(codes: rawCodes, persons: levels.count, years: yearValues) {
            table = keepingIDColumn ? input : input.removingColumn(id)
            personIDs = levels
            personOfRow = rawCodes
            years = sorted.years
            rowStart = sorted.rowStart
            gapYears = sorted.gaps
            personsWithGaps = sorted.personsWithGaps
            droppedRows = 0
            idColumn = id
            timeColumn = time
            return
        }
        var keep: [Int] = []
        keep.reserveCapacity(input.rowCount)
        for i in 0..<input.rowCount where rawCodes[i] >= 0 && !yearValues[i].isNaN {
            if yearValues[i] != yearValues[i].rounded() || Swift.abs(yearValues[i]) > 1e6 {
                throw PanelError.nonIntegerYear(column: time, row: i + 2, value: yearValues[i])
            }
            keep.append(i)
        }
        droppedRows = input.rowCount - keep.count
        // Person codes, levels in byte order (above: a register sorted by id is coded without hashing, and the
        // counting sort below then leaves its row order as it is, so the table is not copied).
        let personCount = levels.count
        // Counting sort by person code (stable: data order within a person).
        var counts = [Int](repeating: 0, count: personCount + 1)
        for i in keep { counts[Int(rawCodes[i]) + 1] += 1 }
        for p in 0..<personCount { counts[p + 1] += counts[p] }
        let starts = counts
        var order = [Int](repeating: 0, count: keep.count)
        var fill = counts
        for i in keep {
            let p = Int(rawCodes[i])
            order[fill[p]] = i
            fill[p] += 1
        }
        // Sort each person's rows by year.
        var duplicates = 0
        var examples: [String] = []
        var gaps = 0, withGaps = 0
        for p in 0..<personCount {
            let r = starts[p]..<starts[p + 1]
            if r.count > 1 {
                order[r].sort { yearValues[$0] < yearValues[$1] }   // Swift's sort finds an already sorted run in one scan
                var personGap = 0
                for k in (r.lowerBound + 1)..<r.upperBound {
                    let d = Int(yearValues[order[k]] - yearValues[order[k - 1]])
                    if d == 0 {
                        duplicates += 1
                        // Errors name rows (file rows: header row 1), never a person's id.
                        if examples.count < 5 {
                            let (a, b) = (Swift.min(order[k - 1], order[k]) + 2, Swift.max(order[k - 1], order[k]) + 2)
                            examples.append("rows \(a) and \(b) (year \(Int(yearValues[order[k]])))")
                        }
                    } else if d > 1 {
                        personGap += d - 1
                    }
                }
                gaps += personGap
                if personGap > 0 { withGaps += 1 }
            }
        }
        if duplicates > 0 { throw PanelError.duplicatePersonYears(count: duplicates, examples: examples) }
        let kept = keepingIDColumn ? input : input.removingColumn(id)
        table = order.elementsEqual(0..<input.rowCount) ? kept : kept.selectingRows(order)
        personIDs = levels
        personOfRow = order.map { rawCodes[$0] }
        years = order.map { Int32(yearValues[$0]) }
        rowStart = starts
        gapYears = gaps
        personsWithGaps = withGaps
        idColumn = id
        timeColumn = time
    }

    /// The panel layout of rows already in panel order, or nil (then the general route sorts, and reports
    /// what it finds): no missing id, every year a whole number within +-1e6 (the general route's check),
    /// person codes non-decreasing by one at most from 0 (the rows of each person together, persons in
    /// code order) and years strictly increasing within each person (no duplicate person-year). Returns
    /// the years, each person's first row and the gaps inside persons' spans, as the general route counts
    /// them. One pass over the rows; no `Int` per row (the general route's row lists were 0.9 GB at 54M rows).
    /// A missing id is code -1, which no such layout holds; `missingIDs` (by row, or empty) refuses one besides.
    static func sortedLayout(codes: [Int32], persons: Int, years column: NumericColumn,
                             missingIDs: [Bool] = []) -> (years: [Int32], rowStart: [Int], gaps: Int, personsWithGaps: Int)? {
        let n = codes.count
        guard n > 0, persons > 0, codes[0] == 0, !missingIDs.contains(true), let years = Self.wholeYears(column) else { return nil }
        var rowStart = [Int]()
        rowStart.reserveCapacity(persons + 1)
        rowStart.append(0)
        var gaps = 0, withGaps = 0, personGap = 0
        let ok: Bool = codes.withUnsafeBufferPointer { c in
            years.withUnsafeBufferPointer { y in
                for i in 1..<n {
                    if c[i] == c[i - 1] {
                        let d = Int(y[i]) - Int(y[i - 1])
                        if d <= 0 { return false }
                        personGap += d - 1
                    } else {
                        guard c[i] == c[i - 1] + 1 else { return false }
                        rowStart.append(i)
                        gaps += personGap
                        if personGap > 0 { withGaps += 1 }
                        personGap = 0
                    }
                }
                return true
            }
        }
        guard ok, rowStart.count == persons else { return nil }
        gaps += personGap
        if personGap > 0 { withGaps += 1 }
        rowStart.append(n)
        return (years, rowStart, gaps, withGaps)
    }

    /// The column as `Int32` years when every value is present and a whole number within +-1e6; nil otherwise.
    ///
    /// Checked, then converted, in parts on all cores: the array is fresh memory (0.2 GB on the whole
    /// country's 54M rows), and one thread zeroing its pages and writing them took 0.4 s there.
    /// - Complexity: O(n), spread over the cores.
    static func wholeYears(_ column: NumericColumn) -> [Int32]? {
        let starts = partStarts(count: column.count, minimumPart: 262_144)
        let parts = starts.count - 1
        func convert<T: FixedWidthInteger & Sendable & SendableMetatype>(_ a: [T]) -> [Int32]? {
            // The bound in Int: a literal of 1e6 does not fit every T.
            @Sendable func year(_ v: T) -> Int32? {
                let x = Int(v)
                return v != .min && x >= -1_000_000 && x <= 1_000_000 ? Int32(truncatingIfNeeded: x) : nil
            }
            let valid = parallelMap(count: parts) { k in a[starts[k]..<starts[k + 1]].allSatisfy { year($0) != nil } }
            guard !valid.contains(false) else { return nil }
            return parallelParts(starts: starts) { k, out in
                for i in 0..<out.count { out[i] = year(a[starts[k] + i]) ?? 0 }
            }
        }
        switch column.storage {
        case .int8(let a): return convert(a)
        case .int16(let a): return convert(a)
        case .int32(let a): return convert(a)
        case .double(let a):
            // NaN fails the first test.
            let valid = parallelMap(count: parts) { k in a[starts[k]..<starts[k + 1]].allSatisfy { $0 == $0.rounded() && Swift.abs($0) <= 1e6 } }
            guard !valid.contains(false) else { return nil }
            return parallelParts(starts: starts) { k, out in
                for i in 0..<out.count { out[i] = Int32(a[starts[k] + i]) }
            }
        }
    }

    /// The row of person `p` in `year`, if any (binary search within the person).
    public func row(person p: Int, year: Int) -> Int? {
        var lo = rowStart[p], hi = rowStart[p + 1]
        let y = Int32(year)
        while lo < hi {
            let mid = (lo + hi) / 2
            if years[mid] < y { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowStart[p + 1] && years[lo] == y ? lo : nil
    }

    /// The person code of an id.
    public func person(withID id: String) -> Int? {
        var lo = 0, hi = personCount
        let key = Array(id.utf8)
        while lo < hi {
            let mid = (lo + hi) / 2
            if personIDs.valueBytes(mid).lexicographicallyPrecedes(key) { lo = mid + 1 } else { hi = mid }
        }
        return lo < personCount && personIDs.valueBytes(lo).elementsEqual(key) ? lo : nil
    }

    /// A per-person value: the first non-missing value of a column over the person's rows.
    public func personValue(_ column: String) throws -> [Double] {
        let v: NumericColumn
        do { v = try table.numeric(column) } catch let e as DataError { throw PanelError.data(e) }
        return (0..<personCount).map { p in
            for r in rows(ofPerson: p) where !v[r].isNaN { return v[r] }
            return .nan
        }
    }

    /// The panel with only the named columns left in its table (names it does not have are ignored);
    /// the persons, years and rows are unchanged. A pipeline drops the register columns no later stage
    /// reads, so that their memory goes back to the allocator once no other table holds them and the
    /// later stages reuse it instead of faulting in fresh pages: the peak is then the largest stage, not
    /// the register plus every stage. O(columns); no values are copied.
    public func keepingColumns(_ names: Set<String>) -> PersonYearPanel {
        var out = self
        for name in table.columnNames where !names.contains(name) { out.table = out.table.removingColumn(name) }
        return out
    }

    /// Each person's value of `column`, which must not vary within a person
    /// (missing values aside): a treatment, a start year, a group.
    /// - Throws: ``PanelError/variesWithinPerson(column:persons:firstPerson:values:)`` with the number of persons and
    ///   the first one's id and values.
    public func constantPersonValue(_ column: String) throws -> [Double] {
        let v: NumericColumn
        do { v = try table.numeric(column) } catch let e as DataError { throw PanelError.data(e) }
        // One loop per storage form over the raw values (a subscript per row switched on the form).
        let (values, varying, first): ([Double], Int, (person: Int, value: Double)?)
        switch v.storage {
        case .int8(let a): (values, varying, first) = constantValues(a) { $0 == .min ? nil : Double($0) }
        case .int16(let a): (values, varying, first) = constantValues(a) { $0 == .min ? nil : Double($0) }
        case .int32(let a): (values, varying, first) = constantValues(a) { $0 == .min ? nil : Double($0) }
        case .double(let a): (values, varying, first) = constantValues(a) { $0.isNaN ? nil : $0 }
        }
        if let first {
            throw PanelError.variesWithinPerson(column: column, persons: varying, firstPerson: personIDs[first.person] ?? "",
                                                values: [values[first.person], first.value])
        }
        return values
    }

    /// Each person's first non-missing value (`value` is nil for a missing one; NaN when all are),
    /// the number of persons with another value after it, and the first such person with that other value.
    @inline(__always)
    private func constantValues<T>(_ a: [T], _ value: (T) -> Double?) -> ([Double], Int, (person: Int, value: Double)?) {
        var varying = 0
        var firstVarying: (person: Int, value: Double)?
        let values = a.withUnsafeBufferPointer { v in
            rowStart.withUnsafeBufferPointer { starts in
                (0..<personCount).map { p -> Double in
                    var first = Double.nan
                    for r in starts[p]..<starts[p + 1] {
                        guard let x = value(v[r]) else { continue }
                        if first.isNaN { first = x } else if x != first {
                            if varying == 0 { firstVarying = (p, x) }
                            varying += 1
                            break
                        }
                    }
                    return first
                }
            }
        }
        return (values, varying, firstVarying)
    }
}
