// swift-tools-version:6.1
//
// DiDKit: difference-in-differences effect evaluation on register data.
//
// Layers (dependencies point down only; every module declares each module it imports):
//   _DiDKitParallel (parallelMap, ProgressReport: non-API support)
//   CLAPACK (system LAPACKE + OpenBLAS)
//     -> Linalg (column-major matrices, row blocks, BLAS/LAPACK wrappers; the only module with unsafe pointers)
//   Distributions (normal, t, chi-square, F)      Tabular (columnar tables, the CSV reader and writer)
//   CReadStat (system ReadStat) -> RegisterFiles (Stata/SAS/SPSS files into Tabular's Table; TableReader by extension)
//     -> Estimation (the result vocabulary: EffectTable, EffectScale, EffectLabel, VCEKind, strict options and study-file decoding)
//     -> Design (model formulas, term names, factor coding, design matrices: Tabular + Linalg)
//     -> Regression (logit/probit IRLS, OLS, variance estimators, Wald tests)
//     -> Matching (matchers, match results, balance, propensity-score matching)   Panel (person-year registers, event studies)
//        Staggered (Callaway & Sant'Anna group-time ATTs: reg/ipw/dr/drimp, aggregations, multiplier bootstrap)
//        TreatmentEffects (teffects: ra, ipw, aipw, ipwra by stacked M-estimation, psmatch and nnmatch with Abadie-Imbens SEs)
//        ETWFE (Wooldridge's extended TWFE, linear and logit: cohort x period ATTs, emfx aggregations; reads panels through Staggered)
//     -> Plots (standalone SVG; Estimation for event-time labels)   DiDKit (umbrella: study pipeline, documents, reports, demo register)
//     -> DiDKitCLI (argument-parser commands) -> didkit (executable)
// The graph is drawn again, with what each module owns, in Docs/Architecture.md.
// The benchmarks live in the nested package Benchmarks/ so that importing DiDKit never pulls package-benchmark.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "DiDKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "DiDKit", targets: ["DiDKit"]),
        .executable(name: "didkit", targets: ["didkit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLAPACK",
            pkgConfig: "lapacke",
            providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]
        ),
        .systemLibrary(name: "CReadStat", providers: [.apt(["libreadstat-dev"])]),
        .systemLibrary(name: "CMalloc"),
        .target(name: "_DiDKitParallel", swiftSettings: swiftSettings),
        .target(
            name: "Linalg",
            dependencies: ["CLAPACK", "_DiDKitParallel", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Distributions",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: swiftSettings
        ),
        .target(name: "Tabular", dependencies: ["_DiDKitParallel", "CMalloc"], swiftSettings: swiftSettings),
        .target(name: "RegisterFiles", dependencies: ["CReadStat", "Tabular"], swiftSettings: swiftSettings),
        .target(
            name: "Estimation",
            dependencies: ["Distributions", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: swiftSettings
        ),
        .target(name: "Design", dependencies: ["_DiDKitParallel", "Linalg", "Tabular"], swiftSettings: swiftSettings),
        .target(
            name: "Regression",
            dependencies: ["_DiDKitParallel", "Linalg", "Distributions", "Tabular", "Design", "Estimation", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Matching",
            dependencies: ["_DiDKitParallel", "Linalg", "Distributions", "Tabular", "Design", "Estimation", "Regression"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Panel",
            dependencies: ["_DiDKitParallel", "Linalg", "Distributions", "Tabular", "Design", "Estimation", "Regression"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Staggered",
            dependencies: ["_DiDKitParallel", "Linalg", "Distributions", "Tabular", "Design", "Estimation", "Regression"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TreatmentEffects",
            dependencies: ["_DiDKitParallel", "Linalg", "Distributions", "Tabular", "Design", "Estimation", "Regression", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ETWFE",
            dependencies: ["Linalg", "Tabular", "Estimation", "Regression", "Staggered", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: swiftSettings
        ),
        .target(name: "Plots", dependencies: ["Estimation"], swiftSettings: swiftSettings),
        .target(
            name: "DiDKit",
            dependencies: ["_DiDKitParallel", "Linalg", "Distributions", "Tabular", "Design", "Estimation", "Regression", "Matching", "Panel", "Staggered", "TreatmentEffects", "ETWFE", "Plots", "RegisterFiles"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DiDKitCLI",
            dependencies: ["DiDKit", "_DiDKitParallel", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "didkit", dependencies: ["DiDKitCLI"], swiftSettings: swiftSettings),
        // Non-API support for the test targets (synthetic data shared with the fixture scripts).
        .target(name: "_DiDKitTestSupport", dependencies: ["Distributions", "Linalg", "Tabular"], swiftSettings: swiftSettings),

        .testTarget(name: "LinalgTests", dependencies: ["Linalg"], swiftSettings: swiftSettings),
        .testTarget(name: "DistributionsTests", dependencies: ["Distributions"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "TabularTests", dependencies: ["Tabular"], swiftSettings: swiftSettings),
        .testTarget(name: "RegisterFilesTests", dependencies: ["RegisterFiles", "Tabular", "Design", "Regression", "Estimation"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "DesignTests", dependencies: ["_DiDKitParallel", "Design", "Tabular"], swiftSettings: swiftSettings),
        .testTarget(name: "EstimationTests", dependencies: ["Estimation"], swiftSettings: swiftSettings),
        .testTarget(name: "RegressionTests", dependencies: ["_DiDKitTestSupport", "_DiDKitParallel", "Linalg", "Distributions", "Regression", "Design", "Estimation", "Tabular"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "MatchingTests", dependencies: ["_DiDKitTestSupport", "Distributions", "Matching", "Regression", "Design", "Estimation", "Tabular"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "PanelTests", dependencies: ["_DiDKitTestSupport", "Linalg", "Distributions", "Panel", "Regression", "Design", "Estimation", "Tabular"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "StaggeredTests", dependencies: ["Staggered", "Linalg", "Distributions", "Tabular", "Estimation"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "TreatmentEffectsTests", dependencies: ["Distributions", "TreatmentEffects", "Estimation", "Tabular"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "ETWFETests", dependencies: ["ETWFE", "Staggered", "Panel", "Regression", "Linalg", "Distributions", "Tabular", "Estimation"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"], swiftSettings: swiftSettings),
        .testTarget(name: "DiDKitTests", dependencies: ["_DiDKitTestSupport", "DiDKit", "DiDKitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: swiftSettings),
    ]
)
