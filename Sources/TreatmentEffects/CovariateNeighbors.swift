import Estimation
import Linalg

/// The distance of `teffects nnmatch`: `(x_i - x_j)' W (x_i - x_j)` with `W` the inverse sample covariance
/// of the matching covariates (`mahalanobis`, Stata's default) or the inverse of its diagonal (`ivariance`).
public enum MatchingMetric: String, StrictOption {
    case mahalanobis
    case ivariance

    public static let optionName = "metric"
}

/// Nearest neighbours on covariates, with replacement and ties. The covariates are transformed once by the
/// Cholesky factor of `W` (`u = L' x`, `W = L L'`), so a distance is a squared Euclidean distance of `u`s.
///
/// Distances within `tieTolerance` (relative) of the `m`-th are ties, as Stata's `dtolerance()`.
/// - Complexity: `O(n k^2)` to transform; `O(n_arm k)` per query (brute force: `O(n1 n0 k)` for all matches).
struct CovariateNeighbors {
    /// Transformed covariates, row-major `n x k`.
    let u: [Double]
    let k: Int
    static let tieTolerance = 1e-10

    /// - Throws: ``TreatmentEffectsError/matchingCovariates(_:)`` when a covariate is constant or the covariance singular.
    init(x: Matrix, names: [String], metric: MatchingMetric) throws {
        let n = x.rows
        k = x.columns
        var mean = [Double](repeating: 0, count: k)
        for j in 0..<k { for i in 0..<n { mean[j] += x[i, j] } ; mean[j] /= Double(n) }
        var cov = Matrix(rows: k, columns: k)
        for a in 0..<k {
            for b in 0...a {
                var s = 0.0
                for i in 0..<n { s += (x[i, a] - mean[a]) * (x[i, b] - mean[b]) }
                cov[a, b] = s / Double(n - 1)
                cov[b, a] = cov[a, b]
            }
        }
        for j in 0..<k where !(cov[j, j] > 0) {
            throw TreatmentEffectsError.matchingCovariates("the matching covariate '\(names[j])' is constant: drop it")
        }
        var w: Matrix
        switch metric {
        case .ivariance:
            w = Matrix.diagonal((0..<k).map { 1 / cov[$0, $0] })
        case .mahalanobis:
            do { w = try CholeskyFactor(cov).inverse() } catch {
                throw TreatmentEffectsError.matchingCovariates(
                    "the matching covariates are collinear, so the Mahalanobis metric does not exist: drop one or use --metric ivariance")
            }
        }
        // W = L L' with L lower: the transpose of the upper Cholesky factor U (W = U'U); u = U x.
        let upper: Matrix
        do { upper = try CholeskyFactor(w).upper } catch {
            throw TreatmentEffectsError.matchingCovariates("the matching metric is not positive definite: drop collinear covariates")
        }
        var u = [Double](repeating: 0, count: n * k)
        for i in 0..<n {
            for a in 0..<k {
                var s = 0.0
                for b in a..<k { s += upper[a, b] * x[i, b] }
                u[i * k + a] = s
            }
        }
        self.u = u
    }

    @inline(__always)
    func distance(_ i: Int, _ j: Int) -> Double {
        var s = 0.0
        for a in 0..<k { let d = u[i * k + a] - u[j * k + a]; s += d * d }
        return s
    }

    /// The `m` nearest of `candidates` to person `i` (ties included), excluding `i`; and the `m`-th distance.
    /// One pass keeps the distances and the `m` smallest in a sorted buffer; a second collects every candidate within the tie limit.
    func nearest(_ i: Int, among candidates: [Int], m: Int) -> (persons: [Int], distance: Double) {
        var best: [Double] = []
        best.reserveCapacity(m + 1)
        var all = [Double](repeating: .infinity, count: candidates.count)
        for (c, j) in candidates.enumerated() where j != i {
            let dist = distance(i, j)
            all[c] = dist
            if best.count < m || dist < best[best.count - 1] {
                var pos = best.count
                while pos > 0 && best[pos - 1] > dist { pos -= 1 }
                best.insert(dist, at: pos)
                if best.count > m { best.removeLast() }
            }
        }
        guard best.count == m else { return ([], .infinity) }
        let cut = best[m - 1]
        let limit = cut + CovariateNeighbors.tieTolerance * Swift.max(cut, 1e-300)
        var out: [Int] = []
        for (c, j) in candidates.enumerated() where j != i && all[c] <= limit { out.append(j) }
        return (out, cut)
    }
}
