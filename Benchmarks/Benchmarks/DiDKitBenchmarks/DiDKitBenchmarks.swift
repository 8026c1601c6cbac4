import Benchmark
import DiDKit
import Foundation

// DiDKit's speed goals (issue 6), measured by package-benchmark. Static
// thresholds live in ../../Thresholds (`swift package benchmark thresholds
// update` writes them, `... thresholds check` fails on a regression); the
// comparison with statsmodels, scikit-learn and pandas is Compare/compare.py.

/// A benchmark's name with its spaces as underscores. package-benchmark 1.38.1
/// writes a static threshold file under the name with spaces and `/` made
/// underscores, but `thresholds check` looks for it under the raw name, so a
/// name with a space never finds its thresholds ("Could not find any matching
/// absolute thresholds"; ordo-one/benchmark issues #301 and #373, open). Names
/// without spaces are the same in both, so the check reads what the update wrote.
func thresholdSafe(_ name: String) -> String {
    name.replacingOccurrences(of: " ", with: "_")
}

/// Random logit data: `n` rows, `p` covariates plus an intercept (SplitMix64, seeded).
func logitData(rows n: Int, covariates p: Int, seed: UInt64) -> (x: Matrix, y: [Double], names: [String]) {
    var rng = SplitMix64(seed: seed)
    var x = Matrix(rows: n, columns: p + 1)
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
        var eta = -0.5
        for j in 0..<p {
            let v = rng.uniform() + rng.uniform() - 1
            x[i, j] = v
            eta += 0.1 * Double(j % 5 - 2) * v
        }
        x[i, p] = 1
        y[i] = rng.uniform() < 1 / (1 + Double.exp(-eta)) ? 1 : 0
    }
    return (x, y, (0..<p).map { "x\($0)" } + ["_cons"])
}

/// Scores and treatment of a matching problem: `treated` participants with
/// scores in [0.3, 0.8), a pool of controls skewed towards 0.
func matchingData(pool: Int, treated: Int) -> (scores: [Double], treated: [Bool]) {
    var rng = SplitMix64(seed: 2)
    let n = pool + treated
    let t = (0..<n).map { $0 < treated }
    let s = (0..<n).map { i in t[i] ? 0.3 + 0.5 * rng.uniform() : rng.uniform() * rng.uniform() }
    return (s, t)
}

/// The demo register at `persons` persons, written to a temporary CSV file.
func registerFile(persons: Int) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("didkit-bench-register-\(persons).csv").path
    if !FileManager.default.fileExists(atPath: path) {
        try CSVWriter.write(DemoRegister(persons: persons).table, to: path)
    }
    return path
}

/// The event-study specification of the comparison harness (model 2 of the reference study).
let didControls = ["male", "age", "age2", "nonwestern", "couple", "no_father", "children", "father_vocational",
                   "mother_vocational", "income", "gp", "specialist", "physio", "psychologist", "mother_young",
                   "father_young", "mother_24_30", "father_employed", "mother_employed", "father_benefit_weeks",
                   "mother_benefit_weeks"]

func eventStudySample(_ table: Table) throws -> EventStudySample {
    let panel = try PersonYearPanel(table, id: "pnr", time: "year")
    let treated = try panel.personValue("participant")
    let start = try panel.personValue("start_year")
    let cohorts = Cohorts(treated: treated.map { $0 == 1 },
                          start: zip(treated, start).map { t, s in s.isNaN ? (t == 1 ? nil : 2014) : Int(s) })
    let spec = EventStudySpecification(outcome: "leisure_job", window: -3...1, reference: -1, controls: didControls,
                                       factorControls: ["municipality"])
    return try EventStudySample(panel: panel, cohorts: cohorts, specification: spec)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(10)
    Benchmark.defaultConfiguration.maxIterations = 10
    // The machine is shared and noisy: a regression is a median 25% slower than the stored threshold.
    // Wall clock: a median 25% slower than the stored threshold fails (the machine is shared and
    // noisy). Peak resident memory: 10% (without a tolerance the check is exact, and a run's peak
    // moves by 1-5 MB between runs of the same code).
    let timed = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident],
                                        thresholds: [.wallClock: BenchmarkThresholds(relative: [.p50: 25.0]),
                                                     .peakMemoryResident: BenchmarkThresholds(relative: [.p90: 10.0])])

    for (rows, terms) in [(100_000, 26), (1_000_000, 26), (100_000, 37), (1_000_000, 37)] {
        Benchmark(thresholdSafe("IRLS logit fit \(rows) x \(terms)"), configuration: timed,
                  closure: { (benchmark: Benchmark, data: (x: Matrix, y: [Double], names: [String])) throws in
            for _ in benchmark.scaledIterations {
                blackHole(try LogisticRegression().fit(data.x, y: data.y, names: data.names))
            }
        }, setup: { logitData(rows: rows, covariates: terms - 1, seed: 1) })
    }

    // One Newton iteration: the survey pass (collinearity, perfect prediction; it also gives the
    // logit's pass at the starting values) and the pass at the first step.
    Benchmark(thresholdSafe("IRLS logit one iteration 1000000 x 37"), configuration: timed,
              closure: { (benchmark: Benchmark, data: (x: Matrix, y: [Double], names: [String])) throws in
        for _ in benchmark.scaledIterations {
            blackHole(try LogisticRegression(maxIterations: 1).fit(data.x, y: data.y, names: data.names))
        }
    }, setup: { logitData(rows: 1_000_000, covariates: 36, seed: 1) })

    for (pool, treated) in [(150_000, 3_000), (1_500_000, 30_000), (6_000_000, 120_000)] {
        Benchmark(thresholdSafe("NN matching 1:1 caliper, pool \(pool), \(treated) treated"), configuration: timed,
                  closure: { (benchmark: Benchmark, data: (scores: [Double], treated: [Bool])) throws in
            for _ in benchmark.scaledIterations {
                blackHole(try NearestNeighborMatcher(MatchingSpecification(caliper: 0.01)).match(scores: data.scores, treated: data.treated))
            }
        }, setup: { matchingData(pool: pool, treated: treated) })
    }

    Benchmark(thresholdSafe("Panel and event-study sample, 150000 persons"), configuration: timed,
              closure: { (benchmark: Benchmark, table: Table) throws in
        for _ in benchmark.scaledIterations { blackHole(try eventStudySample(table)) }
    }, setup: { DemoRegister(persons: 150_000).table })

    Benchmark(thresholdSafe("DiD logit event study, 150000 persons"), configuration: timed,
              closure: { (benchmark: Benchmark, sample: EventStudySample) throws in
        for _ in benchmark.scaledIterations { blackHole(try EventStudy.estimate(sample, vce: .oim)) }
    }, setup: { try eventStudySample(DemoRegister(persons: 150_000).table) })

    Benchmark(thresholdSafe("CSV ingest, register of 150000 persons (1.35M rows x 30)"), configuration: timed,
              closure: { (benchmark: Benchmark, path: String) throws in
        for _ in benchmark.scaledIterations { blackHole(try CSVReader.read(path: path)) }
    }, setup: { try registerFile(persons: 150_000) })
}
