import CReadStat
import Tabular

/// The part of a parse's state that the per-cell value handler touches, in one
/// raw allocation that ReadStat receives as `ctx`: reaching it costs no
/// reference counting and no exclusivity check (a class's stored properties
/// would cost both, per cell).
struct ValueCursor {
    /// By variable index (the file's, skipped ones included).
    var sinks: UnsafeMutablePointer<ColumnSink>
    /// Rows each buffer can hold.
    var capacity = 0
    /// One more than the largest row index delivered (in the file's numbering).
    var rowsSeen = 0
    /// The file's row number of ReadStat's row 0 (a part of a parallel read starts there; else 0).
    var rowBase = 0
    /// Whether the buffers may be reallocated to hold more rows (not when parts share them).
    var growable = true
    /// The first problem found by a handler (the parse is then aborted).
    var failure: DataError?
    /// The state that owns this cursor (for the rare paths: growth, names in messages).
    let owner: Unmanaged<ReadState>
}

/// What ReadStat's callbacks fill while one file is parsed: the variables, their
/// sinks, the value-label sets and the first problem found. ReadStat's `ctx`
/// is its ``ValueCursor``; the state lives for the duration of one parse.
final class ReadState {
    let path: String
    let format: RegisterFormat
    let kinds: [String: ColumnKind]
    let defaultKind: ColumnKind

    /// The rows the file declares (-1: unknown, as in XPORT files).
    var declaredRows = -1
    /// The sinks, capacity and rows seen (see ``ValueCursor``).
    let cursor: UnsafeMutablePointer<ValueCursor>
    var sinks: UnsafeMutablePointer<ColumnSink> { cursor.pointee.sinks }
    var capacity: Int {
        get { cursor.pointee.capacity }
        set { cursor.pointee.capacity = newValue }
    }
    var rowsSeen: Int {
        get { cursor.pointee.rowsSeen }
        set { cursor.pointee.rowsSeen = newValue }
    }

    /// By variable index: name, requested kind, label-set name ("" for none), ReadStat type.
    var names: [String] = []
    var columnKinds: [ColumnKind] = []
    var labelSetNames: [String] = []
    var sinkCapacity = 0
    /// Value labels by label-set name: value -> label.
    var labelSets: [String: [Double: String]] = [:]

    /// The first problem found by a handler (the parse is then aborted).
    var failure: DataError? {
        get { cursor.pointee.failure }
        set { cursor.pointee.failure = newValue }
    }
    /// ReadStat's last error message, for the parse error's sentence.
    var lastMessage: String?

    init(path: String, format: RegisterFormat, kinds: [String: ColumnKind], defaultKind: ColumnKind) {
        self.path = path
        self.format = format
        self.kinds = kinds
        self.defaultKind = defaultKind
        cursor = .allocate(capacity: 1)
        sinkCapacity = 1
        cursor.initialize(to: ValueCursor(sinks: .allocate(capacity: 1), owner: .passUnretained(self)))
    }

    deinit {
        for j in 0..<names.count { sinks[j].release() }
        sinks.deallocate()
        cursor.deinitialize(count: 1)
        cursor.deallocate()
    }

    /// Room for variable `index` in `sinks`.
    func reserveSink(_ index: Int) {
        guard index >= sinkCapacity else { return }
        let wider = UnsafeMutablePointer<ColumnSink>.allocate(capacity: max(index + 1, sinkCapacity * 2))
        wider.moveInitialize(from: sinks, count: names.count)
        sinks.deallocate()
        cursor.pointee.sinks = wider
        sinkCapacity = max(index + 1, sinkCapacity * 2)
    }

    /// Registers variable `index` (called in index order) and allocates its buffer;
    /// `definedMissing`: the variable has user-defined missing values (SPSS).
    /// - Returns: false when the variable is not stored.
    func addVariable(index: Int, name: String, type: readstat_type_t, labelSet: String, definedMissing: Bool) -> Bool {
        reserveSink(index)
        let kind = kinds[name] ?? defaultKind
        names.append(name)
        columnKinds.append(kind)
        labelSetNames.append(labelSet)
        var sink = ColumnSink.skipped
        if kind == .skip {
            sinks.advanced(by: index).initialize(to: sink)
            return false
        }
        switch type {
        case READSTAT_TYPE_STRING, READSTAT_TYPE_STRING_REF:
            if kind == .numeric {
                failure = .wrongColumnType(column: name, expected: "numeric, but '\(path)' stores it as text: convert it to numbers first (Stata: destring) or declare it as a factor or id")
            }
            let builder = UnsafeMutablePointer<TextBuilder>.allocate(capacity: 1)
            builder.initialize(to: TextBuilder(capacity: max(capacity, 0)))
            sink = ColumnSink(storage: .text, buffer: nil, text: builder)
        case READSTAT_TYPE_INT8: sink = ColumnSink(storage: .int8, buffer: nil)
        case READSTAT_TYPE_INT16: sink = ColumnSink(storage: .int16, buffer: nil)
        case READSTAT_TYPE_INT32: sink = ColumnSink(storage: .int32, buffer: nil)
        default: sink = ColumnSink(storage: .double, buffer: nil)
        }
        sink.definedMissing = definedMissing
        if sink.stride > 0 {
            sink.buffer = .allocate(byteCount: max(capacity, 1) * sink.stride, alignment: 8)
        }
        sinks.advanced(by: index).initialize(to: sink)
        return failure == nil
    }

    /// Grows every buffer to hold row `row` (files without a row count, or one that understated it).
    func grow(toHold row: Int) {
        let wanted = max(row + 1, capacity * 2, 1024)
        for j in 0..<names.count where sinks[j].stride > 0 {
            let stride = sinks[j].stride
            let wider = UnsafeMutableRawPointer.allocate(byteCount: wanted * stride, alignment: 8)
            if let old = sinks[j].buffer {
                wider.copyMemory(from: old, byteCount: min(capacity, rowsSeen) * stride)
                old.deallocate()
            }
            sinks[j].buffer = wider
        }
        capacity = wanted
    }
}
