import Foundation
import CReadStat
import Tabular

/// ReadStat's callbacks. Each receives the parse's ``ValueCursor`` as `ctx`, returns
/// `READSTAT_HANDLER_OK`, or `ABORT` after recording a failure in the ``ReadState``.
enum ReadStatHandlers {
    static func cursor(_ ctx: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<ValueCursor>? {
        ctx?.assumingMemoryBound(to: ValueCursor.self)
    }

    static func state(_ ctx: UnsafeMutableRawPointer?) -> ReadState? {
        cursor(ctx)?.pointee.owner.takeUnretainedValue()
    }

    static let ok = Int32(READSTAT_HANDLER_OK)
    static let abort = Int32(READSTAT_HANDLER_ABORT)
    static let skipVariable = Int32(READSTAT_HANDLER_SKIP_VARIABLE)

    /// The declared row count sizes the buffers (XPORT files declare none: they grow).
    static let metadata: readstat_metadata_handler = { metadata, ctx in
        guard let s = state(ctx) else { return abort }
        let rows = Int(readstat_get_row_count(metadata))
        s.declaredRows = rows
        s.capacity = rows > 0 ? rows : 1024
        return ok
    }

    static let variable: readstat_variable_handler = { index, variable, labelSet, ctx in
        guard let s = state(ctx), let variable else { return abort }
        let name = readstat_variable_get_name(variable).map { String(cString: $0) } ?? "var\(index + 1)"
        let set = labelSet.map { String(cString: $0) } ?? ""
        let stored = s.addVariable(index: Int(index), name: name, type: readstat_variable_get_type(variable), labelSet: set,
                                   definedMissing: readstat_variable_get_missing_ranges_count(variable) > 0)
        if s.failure != nil { return abort }
        return stored ? ok : skipVariable
    }

    /// Labels of numeric values (string-valued SPSS labels and labels of tagged missing values are not level names).
    static let valueLabel: readstat_value_label_handler = { setName, value, label, ctx in
        guard let s = state(ctx), let setName, let label else { return abort }
        if value.is_tagged_missing != 0 || value.is_system_missing != 0 { return ok }
        let key: Double
        switch value.type {
        case READSTAT_TYPE_INT8: key = Double(value.v.i8_value)
        case READSTAT_TYPE_INT16: key = Double(value.v.i16_value)
        case READSTAT_TYPE_INT32: key = Double(value.v.i32_value)
        case READSTAT_TYPE_FLOAT: key = Double(value.v.float_value)
        case READSTAT_TYPE_DOUBLE: key = value.v.double_value
        default: return ok
        }
        s.labelSets[String(cString: setName), default: [:]][key] = String(cString: label)
        return ok
    }

    static let error: readstat_error_handler = { message, ctx in
        guard let s = state(ctx), let message else { return }
        s.lastMessage = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One cell: stored straight into its column's buffer (missing: the integer
    /// sentinel or NaN). System, tagged (Stata .a-.z, SAS .A-.Z and ._) and SPSS
    /// user-defined missing values all become missing.
    ///
    /// The hot path of the reader (once per cell): a pointer to the cursor, the
    /// variable's index, one store and a range update; no reference counting, no
    /// exclusivity check, no lookup by name. ReadStat's own missing test
    /// (`readstat_value_is_missing`) converts every value to double to compare it
    /// with user-defined ranges, so it is called only for variables that have them.
    static let value: readstat_value_handler = { obs, variable, value, ctx in
        guard let c = cursor(ctx), let variable else { return abort }
        let row = c.pointee.rowBase + Int(obs)
        if row >= c.pointee.capacity {
            guard c.pointee.growable else { return rowBeyondCapacity(c) }
            c.pointee.owner.takeUnretainedValue().grow(toHold: row)
        }
        if row >= c.pointee.rowsSeen { c.pointee.rowsSeen = row + 1 }
        let sink = c.pointee.sinks + Int(readstat_variable_get_index(variable))
        var missing = value.is_system_missing != 0 || value.is_tagged_missing != 0
        if !missing && sink.pointee.definedMissing { missing = readstat_value_is_defined_missing(value, variable) != 0 }
        switch sink.pointee.storage {
        case .skip:
            break
        case .int8:
            let x = value.v.i8_value
            sink.pointee.buffer?.storeBytes(of: missing ? Int8.min : x, toByteOffset: row, as: Int8.self)
            if !missing { widen(sink, Int32(x)) }
        case .int16:
            let x = value.v.i16_value
            sink.pointee.buffer?.storeBytes(of: missing ? Int16.min : x, toByteOffset: row << 1, as: Int16.self)
            if !missing { widen(sink, Int32(x)) }
        case .int32:
            let x = value.v.i32_value
            // Int32.min is the missing sentinel; Stata's long stops at -2,147,483,647.
            if !missing && x == .min { return reservedMinimum(c, variable) }
            sink.pointee.buffer?.storeBytes(of: missing ? Int32.min : x, toByteOffset: row << 2, as: Int32.self)
            if !missing { widen(sink, x) }
        case .double:
            let x: Double
            if missing { x = .nan } else {
                switch value.type {
                case READSTAT_TYPE_DOUBLE: x = value.v.double_value
                case READSTAT_TYPE_FLOAT: x = Double(value.v.float_value)
                case READSTAT_TYPE_INT8: x = Double(value.v.i8_value)
                case READSTAT_TYPE_INT16: x = Double(value.v.i16_value)
                default: x = Double(value.v.i32_value)
                }
            }
            sink.pointee.buffer?.storeBytes(of: x, toByteOffset: row << 3, as: Double.self)
        case .text:
            guard let text = sink.pointee.text else { return abort }
            text.pointee.pad(to: row - c.pointee.rowBase)
            text.pointee.append(missing ? nil : value.v.string_value)
        }
        return ok
    }

    /// Records that `variable` holds -2147483648 (the 4-byte integer columns' missing sentinel) and aborts.
    static func reservedMinimum(_ c: UnsafeMutablePointer<ValueCursor>, _ variable: UnsafeMutablePointer<readstat_variable_t>) -> Int32 {
        let s = c.pointee.owner.takeUnretainedValue()
        c.pointee.failure = .unreadableFile(path: s.path, reason: "column '\(s.names[Int(readstat_variable_get_index(variable))])' holds -2147483648, which DiDKit's 4-byte integer columns reserve for missing: store it as a double")
        return abort
    }

    /// Records that a part of a parallel read got more rows than the file declares (ReadStat
    /// bounds each part by its row limit, so this is a damaged file) and aborts.
    static func rowBeyondCapacity(_ c: UnsafeMutablePointer<ValueCursor>) -> Int32 {
        let s = c.pointee.owner.takeUnretainedValue()
        c.pointee.failure = .unreadableFile(path: s.path, reason: "it holds more rows than the \(c.pointee.capacity) its header declares (a damaged file?): copy or export the file again")
        return abort
    }

    /// A part of a parallel read: the variables are known from the header pass; skipped ones stay skipped.
    static let partVariable: readstat_variable_handler = { index, _, _, ctx in
        guard let c = cursor(ctx) else { return abort }
        return c.pointee.sinks[Int(index)].storage == .skip ? skipVariable : ok
    }

    @inline(__always) static func widen(_ sink: UnsafeMutablePointer<ColumnSink>, _ x: Int32) {
        if x < sink.pointee.low { sink.pointee.low = x }
        if x > sink.pointee.high { sink.pointee.high = x }
    }
}
