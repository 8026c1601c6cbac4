import CReadStat
import Dispatch
import Foundation

/// Reading a Stata file's rows in contiguous ranges on several threads.
///
/// A `.dta` stores its rows as fixed-length records, so ReadStat reaches row `k`
/// by one seek (`readstat_set_row_offset`) and stops after `n` rows
/// (`readstat_set_row_limit`). The read is then:
///
/// 1. a header pass on this thread (no value handler): the row count, the
///    variables (their buffers allocated for every row), the value labels;
/// 2. `parts` parsers, one per thread, each with its own input, cursor and
///    text builders, writing rows `[start, start + n)` into the shared column
///    buffers (disjoint ranges: no locks, no races);
/// 3. a merge: each column's integer range is the union of the parts', each
///    text column the parts' texts in row order.
///
/// The table is the one a single parser gives (`RegisterFileReaderPartsTests`
/// compares them). The first problem in row order wins; ReadStat's error
/// handler is not set on the parts (one state, many threads), so a part's
/// parse error is said with ReadStat's generic message for its status.
///
/// Complexity: the parse time divided by `parts` (on as many free cores), plus
/// one header pass (each parser reads the header and, in format 117+, the strL
/// section: a file with many long strLs holds them once per parser) and one
/// copy of the text columns.
extension RegisterFileReader {
    /// Files below this size are read by one parser (the header passes cost more than they save).
    static let bytesPerPart = 16 << 20

    /// One part per core, at most one per `bytesPerPart` of file, at most 8.
    static func defaultParts(_ path: String) -> Int {
        let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
        return max(1, min(ProcessInfo.processInfo.activeProcessorCount, size / bytesPerPart, 8))
    }

    /// Parses a Stata file in `parts` row ranges (see the extension's discussion); returns
    /// the first non-OK status in row order, the failure (if any) left in `state`.
    static func parseInParts(_ state: ReadState, encoding: String?, parts: Int) -> readstat_error_t {
        let header = parse(state, encoding: encoding, values: false)
        let rows = state.declaredRows
        guard header == READSTAT_OK, state.failure == nil, rows > 0 else { return header }
        let count = min(parts, rows)
        let cursors = (0..<count).map { k in partCursor(state, rows: rows, range: range(k, of: count, rows: rows)) }
        defer { cursors.forEach(releasePartCursor) }
        let statuses = PartStatuses(count: count)
        let sendable = SendableCursors(cursors: cursors)
        let path = state.path
        let format = state.format
        withExtendedLifetime(state) {
            DispatchQueue.concurrentPerform(iterations: count) { k in
                statuses.set(k, parsePart(sendable.cursors[k], format: format, path: path, encoding: encoding,
                                          range: range(k, of: count, rows: rows)))
            }
        }
        return merge(cursors, statuses.values, into: state)
    }

    /// Rows of part `k` of `count` (the first `rows % count` parts one row longer).
    static func range(_ k: Int, of count: Int, rows: Int) -> Range<Int> {
        let size = rows / count, extra = rows % count
        let start = k * size + min(k, extra)
        return start..<(start + size + (k < extra ? 1 : 0))
    }

    /// A cursor over the state's buffers for `range`: its own sink records (integer ranges) and text builders.
    static func partCursor(_ state: ReadState, rows: Int, range: Range<Int>) -> UnsafeMutablePointer<ValueCursor> {
        let n = state.names.count
        let sinks = UnsafeMutablePointer<ColumnSink>.allocate(capacity: max(n, 1))
        for j in 0..<n {
            var sink = state.sinks[j]
            if sink.storage == .text {
                sink.text = .allocate(capacity: 1)
                sink.text?.initialize(to: TextBuilder(capacity: range.count))
            }
            (sinks + j).initialize(to: sink)
        }
        let cursor = UnsafeMutablePointer<ValueCursor>.allocate(capacity: 1)
        cursor.initialize(to: ValueCursor(sinks: sinks, capacity: rows, rowsSeen: range.lowerBound, rowBase: range.lowerBound,
                                          growable: false, failure: nil, owner: state.cursor.pointee.owner))
        return cursor
    }

    /// Frees a part cursor's sink records and text builders (the column buffers belong to the state).
    static func releasePartCursor(_ cursor: UnsafeMutablePointer<ValueCursor>) {
        let n = cursor.pointee.owner.takeUnretainedValue().names.count
        for j in 0..<n {
            if let text = cursor.pointee.sinks[j].text {
                text.deinitialize(count: 1)
                text.deallocate()
            }
        }
        cursor.pointee.sinks.deallocate()
        cursor.deinitialize(count: 1)
        cursor.deallocate()
    }

    /// Parses rows `range` into the part's cursor with a parser of its own.
    static func parsePart(_ cursor: UnsafeMutablePointer<ValueCursor>, format: RegisterFormat, path: String,
                          encoding: String?, range: Range<Int>) -> readstat_error_t {
        guard let parser = readstat_parser_init() else { return READSTAT_ERROR_MALLOC }
        defer { readstat_parser_free(parser) }
        readstat_set_variable_handler(parser, ReadStatHandlers.partVariable)
        readstat_set_value_handler(parser, ReadStatHandlers.value)
        readstat_set_row_offset(parser, range.lowerBound)
        readstat_set_row_limit(parser, range.count)
        return run(parser, format, path, encoding, cursor)
    }

    /// Folds the parts into the state: the first failure or status in row order, the rows
    /// delivered up to the first short part, each integer column's range, each text column.
    static func merge(_ cursors: [UnsafeMutablePointer<ValueCursor>], _ statuses: [readstat_error_t],
                      into state: ReadState) -> readstat_error_t {
        let rows = state.declaredRows
        let count = cursors.count
        for (k, cursor) in cursors.enumerated() {
            if let failure = cursor.pointee.failure { state.failure = failure; return statuses[k] }
            if statuses[k] != READSTAT_OK { return statuses[k] }
        }
        state.rowsSeen = rows
        for (k, cursor) in cursors.enumerated() where cursor.pointee.rowsSeen < range(k, of: count, rows: rows).upperBound {
            state.rowsSeen = cursor.pointee.rowsSeen
            break
        }
        for j in 0..<state.names.count {
            let target = state.sinks + j
            for cursor in cursors {
                let part = cursor.pointee.sinks[j]
                target.pointee.low = min(target.pointee.low, part.low)
                target.pointee.high = max(target.pointee.high, part.high)
            }
            guard let text = target.pointee.text else { continue }
            for (k, cursor) in cursors.enumerated() {
                guard let part = cursor.pointee.sinks[j].text else { continue }
                part.pointee.pad(to: range(k, of: count, rows: rows).count)
                text.pointee.append(part.pointee)
            }
        }
        return READSTAT_OK
    }
}

/// The parts' statuses, each slot written by one thread.
private final class PartStatuses: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<readstat_error_t>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: READSTAT_OK, count: count)
    }
    func set(_ k: Int, _ status: readstat_error_t) { slots[k] = status }
    var values: [readstat_error_t] { Array(UnsafeBufferPointer(start: slots, count: count)) }
    deinit { slots.deallocate() }
}

/// The part cursors, handed to the threads (each touches only its own).
private struct SendableCursors: @unchecked Sendable {
    let cursors: [UnsafeMutablePointer<ValueCursor>]
}
