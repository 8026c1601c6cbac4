import Tabular

/// Turns a finished parse's buffers into ``Column``s: integers narrowed to
/// their narrowest form, doubles compacted as the CSV reader compacts them,
/// labelled or id columns rendered as text, text checked for UTF-8.
struct ColumnAssembly {
    let state: ReadState

    init(_ state: ReadState) { self.state = state }

    /// The table, or the first problem (a truncated file, no rows, an infinite number, text that is not UTF-8).
    func table() throws -> Table {
        let stored = state.names.indices.filter { state.sinks[$0].storage != .skip }
        let rows = max(state.declaredRows, state.rowsSeen)
        if !stored.isEmpty && state.declaredRows > 0 && state.rowsSeen < state.declaredRows {
            throw DataError.unreadableFile(path: state.path, reason: "it ends after \(state.rowsSeen) of the \(state.declaredRows) rows its header declares (a truncated copy?): copy or export the file again and check its size")
        }
        if rows <= 0 { throw DataError.noDataRows(path: state.path) }
        var columns: [(String, Column)] = []
        columns.reserveCapacity(stored.count)
        for j in stored { columns.append((state.names[j], try column(j, rows: rows))) }
        return try Table(columns)
    }

    func column(_ j: Int, rows: Int) throws -> Column {
        let sink = state.sinks[j]
        let name = state.names[j]
        let labels = state.columnKinds[j] == .numeric ? nil : state.labelSets[state.labelSetNames[j]].flatMap { $0.isEmpty ? nil : $0 }
        let asText = state.columnKinds[j] == .text || labels != nil
        let numbers: NumericColumn
        switch sink.storage {
        case .skip:
            return .numeric(NumericColumn([]))
        case .text:
            var builder = sink.text?.pointee ?? TextBuilder(capacity: rows)
            builder.pad(to: rows)
            let text = builder.column
            if let i = text.firstInvalidUTF8() {
                throw DataError.unreadableFile(path: state.path, reason: "column '\(name)', row \(i + 1) is not UTF-8 text in its declared encoding: save the file again as UTF-8 (Stata 14+: unicode translate) so that no two values are merged")
            }
            return .text(text)
        case .int8: numbers = integers(Int8.self, sink, rows)
        case .int16: numbers = integers(Int16.self, sink, rows)
        case .int32: numbers = integers(Int32.self, sink, rows)
        case .double:
            guard let buffer = sink.buffer else { return .numeric(NumericColumn([Double](repeating: .nan, count: rows))) }
            let values = Array(UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: Double.self), count: rows))
            if let i = values.firstIndex(where: { $0.isInfinite }) {
                throw DataError.unreadableFile(path: state.path, reason: "column '\(name)', row \(i + 1) holds \(values[i]), not a finite number: replace it by a value or by missing")
            }
            numbers = NumericColumn(compacting: values)
        }
        return asText ? .text(Self.text(numbers, labels: labels ?? [:])) : .numeric(numbers)
    }

    /// An integer buffer stored in the narrowest form its value range allows (the sentinel of each form is missing).
    func integers<T: FixedWidthInteger & SignedInteger>(_: T.Type, _ sink: ColumnSink, _ rows: Int) -> NumericColumn {
        guard let buffer = sink.buffer else { return NumericColumn(storage: .int8([Int8](repeating: .min, count: rows))) }
        let source = UnsafeBufferPointer(start: buffer.assumingMemoryBound(to: T.self), count: rows)
        let low = Int64(sink.low), high = Int64(sink.high)
        func narrowed<U: FixedWidthInteger>(_: U.Type) -> [U] {
            if U.self == T.self { return Array(source) as? [U] ?? source.map { U(truncatingIfNeeded: $0) } }
            return source.map { $0 == T.min ? U.min : U(truncatingIfNeeded: $0) }
        }
        if low > Int64(Int8.min) && high <= Int64(Int8.max) { return NumericColumn(storage: .int8(narrowed(Int8.self))) }
        if low > Int64(Int16.min) && high <= Int64(Int16.max) { return NumericColumn(storage: .int16(narrowed(Int16.self))) }
        return NumericColumn(storage: .int32(narrowed(Int32.self)))
    }

    /// Numbers as text: the value's label where it has one, else the number as Stata prints it; missing stays missing.
    static func text(_ numbers: NumericColumn, labels: [Double: String]) -> TextColumn {
        var bytes: [UInt8] = []
        var offsets = [0]
        var missing: [Bool] = []
        offsets.reserveCapacity(numbers.count + 1)
        missing.reserveCapacity(numbers.count)
        var lastValue = Double.nan
        var lastBytes: [UInt8] = []
        for x in numbers {
            if x.isNaN {
                missing.append(true)
            } else {
                if x != lastValue {
                    lastValue = x
                    lastBytes = Array((labels[x] ?? formatLevel(x)).utf8)
                }
                bytes.append(contentsOf: lastBytes)
                missing.append(false)
            }
            offsets.append(bytes.count)
        }
        return TextColumn(bytes: bytes, offsets: offsets, missing: missing)
    }
}
