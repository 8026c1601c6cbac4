import DiDKit
import Foundation
import FuzzSupport

/// Fuzzing of the study-file boundary: strict decoding, then validation. Any input must give a
/// specification or an error with a message; nothing may crash.
func fuzzStudyFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    do {
        let spec = try StrictJSONDecoder.decode(StudySpecification.self, from: bytes)
        try spec.validate()
        _ = spec.models.map(\.slug)
    } catch {
        _ = String(describing: error)
    }
    return 0
}

runFuzzer { data, size in fuzzStudyFile(data, size) }
