// swift-tools-version:6.1
//
// libFuzzer targets for DiDKit's input boundaries (the CSV reader with its parallel chunk
// split, and the strict study-file decoder). A nested package, so that the main package never
// builds with -sanitize=fuzzer. Built and run by .ci/run for a bounded time:
//   swift build -c release --package-path Tests/Fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld
//   Tests/Fuzz/.build/release/FuzzCSV -max_total_time=60 <copy of Tests/Fuzz/Corpus/csv>
import PackageDescription

let package = Package(
    name: "DiDKitFuzz",
    dependencies: [.package(name: "DiDKit", path: "../..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzSupport", .product(name: "DiDKit", package: "DiDKit")]),
        .executableTarget(name: "FuzzStudyFile", dependencies: ["FuzzSupport", .product(name: "DiDKit", package: "DiDKit")]),
    ]
)
