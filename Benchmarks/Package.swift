// swift-tools-version:6.1
//
// DiDKit's benchmarks, in a nested package so that importing DiDKit never
// pulls package-benchmark. Run from this folder: `swift package benchmark`.
import PackageDescription

let package = Package(
    name: "DiDKitBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        // The path package is named explicitly: otherwise it is known by its folder's name, which differs between clones.
        .package(name: "DiDKit", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DiDKitBenchmarks",
            dependencies: [
                .product(name: "DiDKit", package: "DiDKit"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/DiDKitBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ]
)
