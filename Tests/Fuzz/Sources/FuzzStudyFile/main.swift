import DiDKit
import Foundation

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

// SwiftPM gives an executable its own entry point, so libFuzzer's main is not used: this one
// hands the arguments and the callback to libFuzzer's driver (LLVMFuzzerRunDriver, libFuzzer's
// API for programs with their own main).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzStudyFile(data, size) })
