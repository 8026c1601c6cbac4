import Foundation
import CReadStat
import Tabular

/// ReadStat's callbacks. Each receives the ``ReadState`` as `ctx`, returns
/// `READSTAT_HANDLER_OK`, or `ABORT` after recording a failure in the state.
enum ReadStatHandlers {
    static func state(_ ctx: UnsafeMutableRawPointer?) -> ReadState? {
        guard let ctx else { return nil }
        return Unmanaged<ReadState>.fromOpaque(ctx).takeUnretainedValue()
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
        let stored = s.addVariable(index: Int(index), name: name, type: readstat_variable_get_type(variable), labelSet: set)
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
    static let value: readstat_value_handler = { obs, variable, value, ctx in
        guard let s = state(ctx), let variable else { return abort }
        let row = Int(obs)
        if row >= s.capacity { s.grow(toHold: row) }
        if row >= s.rowsSeen { s.rowsSeen = row + 1 }
        let sink = s.sinks.advanced(by: Int(readstat_variable_get_index(variable)))
        let missing = readstat_value_is_missing(value, variable) != 0
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
            if !missing && x == .min {
                s.failure = .unreadableFile(path: s.path, reason: "column '\(s.names[Int(readstat_variable_get_index(variable))])' holds -2147483648, which DiDKit's 4-byte integer columns reserve for missing: store it as a double")
                return abort
            }
            sink.pointee.buffer?.storeBytes(of: missing ? Int32.min : x, toByteOffset: row << 2, as: Int32.self)
            if !missing { widen(sink, x) }
        case .double:
            let x: Double
            if missing { x = .nan } else {
                switch value.type {
                case READSTAT_TYPE_FLOAT: x = Double(value.v.float_value)
                case READSTAT_TYPE_DOUBLE: x = value.v.double_value
                case READSTAT_TYPE_INT8: x = Double(value.v.i8_value)
                case READSTAT_TYPE_INT16: x = Double(value.v.i16_value)
                default: x = Double(value.v.i32_value)
                }
            }
            sink.pointee.buffer?.storeBytes(of: x, toByteOffset: row << 3, as: Double.self)
        case .text:
            let t = s.texts[sink.pointee.text]
            t.pad(to: row)
            t.append(missing ? nil : value.v.string_value)
        }
        return ok
    }

    @inline(__always) static func widen(_ sink: UnsafeMutablePointer<ColumnSink>, _ x: Int32) {
        if x < sink.pointee.low { sink.pointee.low = x }
        if x > sink.pointee.high { sink.pointee.high = x }
    }
}
