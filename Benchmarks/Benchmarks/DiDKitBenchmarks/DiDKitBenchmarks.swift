import Benchmark
import DiDKit

/// Random logit data: `n` rows, `p` covariates plus an intercept (SplitMix64, seeded).
func logitData(rows n: Int, covariates p: Int, seed: UInt64) -> (Matrix, [Double], [String]) {
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

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(10)
    Benchmark.defaultConfiguration.maxIterations = 20

    for (rows, terms) in [(100_000, 26), (1_000_000, 26), (100_000, 37), (1_000_000, 37)] {
        Benchmark("IRLS logit fit \(rows) x \(terms)",
                  configuration: .init(metrics: [.wallClock, .peakMemoryResident],
                                       thresholds: [.wallClock: .relaxed])) { benchmark, data in
            for _ in benchmark.scaledIterations {
                blackHole(try LogisticRegression().fit(data.0, y: data.1, names: data.2))
            }
        } setup: {
            logitData(rows: rows, covariates: terms - 1, seed: 1)
        }
    }

    for (pool, treated) in [(150_000, 3_000), (1_500_000, 30_000), (6_000_000, 120_000)] {
        Benchmark("NN matching 1:1 caliper, pool \(pool), \(treated) treated",
                  configuration: .init(metrics: [.wallClock, .peakMemoryResident])) { benchmark, data in
            for _ in benchmark.scaledIterations {
                blackHole(try NearestNeighborMatcher(MatchingSpecification(caliper: 0.01)).match(scores: data.0, treated: data.1))
            }
        } setup: {
            var rng = SplitMix64(seed: 2)
            let n = pool + treated
            let t = (0..<n).map { $0 < treated }
            let s = (0..<n).map { i in t[i] ? 0.3 + 0.5 * rng.uniform() : rng.uniform() * rng.uniform() }
            return (s, t)
        }
    }
}
