import Linalg
import Regression
import _DiDKitParallel

/// The fitted outcome model of one arm: the design columns it kept (collinear ones are omitted,
/// as Stata's `_rmcoll`), its coefficients and its kind.
struct ArmOutcomeModel: Sendable {
    let arm: Int
    let kind: OutcomeModelKind
    /// Indices into the outcome design's columns.
    let columns: [Int]
    let names: [String]
    let coefficients: [Double]

    /// `x_i' b` for row `i` of the full outcome design.
    @inline(__always)
    func linearPredictor(_ x: Matrix, row i: Int) -> Double {
        var s = 0.0
        for (k, j) in columns.enumerated() { s += x[i, j] * coefficients[k] }
        return s
    }

    /// The coefficients on all of the outcome design's `p` columns (omitted columns carry a zero).
    func fullCoefficients(columns p: Int) -> [Double] {
        var full = [Double](repeating: 0, count: p)
        for (k, j) in columns.enumerated() { full[j] = coefficients[k] }
        return full
    }

    /// `X b_j` for every row of the full outcome design and each model, in one parallel pass over its row blocks
    /// (a `dgemv` per block and model).
    /// - Complexity: `O(n p)` per model; the design is read once.
    static func linearPredictors(_ models: [ArmOutcomeModel], design x: any RowBlockSource) -> [[Double]] {
        if models.isEmpty { return [] }
        let betas = models.map { $0.fullCoefficients(columns: x.columns) }
        let blockSize = RowBlocks.defaultBlockSize
        var parts: [[[Double]]] = []
        _ = x.reduceRowBlocks(blockSize: blockSize, stripeState: { rows in
            StripePredictors(first: rows.lowerBound, values: betas.map { _ in [Double](repeating: 0, count: rows.count) },
                             scratch: [Double](repeating: 0, count: blockSize))
        }, body: { state, block, r in
            for (m, b) in betas.enumerated() {
                block.multiply(b, into: &state.scratch)
                let offset = r.lowerBound - state.first
                for k in 0..<r.count { state.values[m][offset + k] = state.scratch[k] }
            }
        }, combine: { _, part in parts.append(part.values) })
        return betas.indices.map { m in Array(parts.map { $0[m] }.joined()) }
    }
}

/// One stripe's linear predictors (``ArmOutcomeModel/linearPredictors(_:design:)``).
private struct StripePredictors: Sendable {
    let first: Int
    var values: [[Double]]
    var scratch: [Double]
}

extension ArmOutcomeModel {
    /// Fits the outcome model on the persons of `arm`, weighted by `weights` (all persons' weights; `nil`: unweighted).
    ///
    /// Linear: (weighted) least squares by ``LinearRegression/fitCoefficients(_:y:names:weights:rows:)`` (a QR streamed
    /// over the arm's rows); logit: (weighted) ML by ``LogisticRegression`` on the arm's rows.
    /// Weights are analytic (only their ratios matter for the coefficients).
    /// - Throws: ``TreatmentEffectsError/outcomeModel(column:treatment:arm:reason:)``, including when a logit
    ///   drops perfectly predicted persons (their outcome would be extrapolated, not modelled).
    /// - Complexity: `O(n_arm p^2)` (times the Newton iterations for a logit).
    /// - Parameter design: the outcome design, materialised.
    static func fit(arm: Int, kind: OutcomeModelKind, sample: TreatmentEffectsSample, design: Matrix, weights: [Double]?,
                    outcome: String, treatment: String) throws -> ArmOutcomeModel {
        let rows = sample.t.indices.filter { sample.t[$0] == Double(arm) }
        let names = sample.outcomeNames
        func fail(_ reason: String) -> TreatmentEffectsError {
            .outcomeModel(column: outcome, treatment: treatment, arm: arm, reason: reason)
        }
        let keptNames: [String]
        let coefficients: [Double]
        do {
            switch kind {
            case .linear:
                // Streamed over the arm's rows (a tall-skinny QR over row blocks): no copy of the arm's design.
                let f = try LinearRegression().fitCoefficients(design, y: sample.y, names: names, weights: weights, rows: rows)
                keptNames = f.names
                coefficients = f.coefficients
            case .logit:
                let x = gatherRows(design, rows)
                let y = rows.map { sample.y[$0] }
                let w = weights.map { all in rows.map { all[$0] } }
                let f = try LogisticRegression(link: .logit).fit(x, y: y, names: names, weights: w, weightKind: .analytic,
                                                                 outcomeName: outcome)
                if f.rowIndices.count < rows.count {
                    throw fail("\(rows.count - f.rowIndices.count) persons' outcomes are predicted perfectly")
                }
                if f.separation.isPresent { throw fail("the outcome is quasi-completely separated") }
                keptNames = f.names
                coefficients = f.coefficients
            }
        } catch let e as TreatmentEffectsError {
            throw e
        } catch let e as RegressionError {
            throw fail(e.description)
        }
        return try model(arm: arm, kind: kind, names: names, keptNames: keptNames, coefficients: coefficients, fail: fail)
    }

    /// The model of `arm` from a fit's kept names and coefficients (`names`: the outcome design's columns).
    /// - Throws: `fail(reason)` for a name not in the design or a non-finite estimate.
    private static func model(arm: Int, kind: OutcomeModelKind, names: [String], keptNames: [String], coefficients: [Double],
                              fail: (String) -> TreatmentEffectsError) throws -> ArmOutcomeModel {
        var columns: [Int] = []
        for name in keptNames {
            guard let j = names.firstIndex(of: name) else { throw fail("term '\(name)' not in the design") }
            columns.append(j)
        }
        if coefficients.contains(where: { !$0.isFinite }) { throw fail("the estimates are not finite") }
        return ArmOutcomeModel(arm: arm, kind: kind, columns: columns, names: keptNames, coefficients: coefficients)
    }
}

/// Rows `rows` of `m`, all columns (the arm's design).
/// - Complexity: `O(rows.count * m.columns)`.
private func gatherRows(_ m: Matrix, _ rows: [Int]) -> Matrix {
    let n = m.rows, k = rows.count
    var out = [Double](repeating: 0, count: k * m.columns)
    m.storage.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
            for j in 0..<m.columns {
                let s = src.baseAddress! + j * n, d = dst.baseAddress! + j * k
                for (ii, i) in rows.enumerated() { d[ii] = s[i] }
            }
        }
    }
    return Matrix(rows: k, columns: m.columns, columnMajor: out)
}

extension ArmOutcomeModel {
    /// Both arms' outcome models, fitted at the same time (one core each; BLAS single-threaded): the same
    /// models as two calls of ``fit(arm:kind:sample:design:weights:outcome:treatment:)``, and the same first error (arm 0's).
    ///
    /// Unweighted linear models (ra, aipw) come from one parallel pass over the design that accumulates both arms'
    /// centred Grams of `[X | y]` (``LinearRegression/fitCoefficientsInTwoGroups(_:y:names:inSecondGroup:)``:
    /// the same collinearity rule, the centred normal equations solved by Cholesky): `O(n p^2)` flops, with `dsyrk`,
    /// instead of two streamed QRs.
    static func fitBoth(kind: OutcomeModelKind, sample: TreatmentEffectsSample, weights: [[Double]?],
                       outcome: String, treatment: String) throws -> [ArmOutcomeModel] {
        useSingleThreadedBLAS()
        if kind == .linear && weights.allSatisfy({ $0 == nil }) {
            let names = sample.outcomeNames
            let fits = LinearRegression().fitCoefficientsInTwoGroups(sample.outcomeSource, y: sample.y, names: names,
                                                                     inSecondGroup: sample.t.map { $0 == 1 })
            return try (0...1).map { arm in
                func fail(_ reason: String) -> TreatmentEffectsError {
                    .outcomeModel(column: outcome, treatment: treatment, arm: arm, reason: reason)
                }
                let f: (names: [String], coefficients: [Double])
                switch fits[arm] {
                case .success(let value): f = value
                case .failure(let e): throw fail(e.description)
                }
                return try model(arm: arm, kind: kind, names: names, keptNames: f.names, coefficients: f.coefficients, fail: fail)
            }
        }
        let design = sample.outcomeDesign  // weighted or logit fits gather each arm's rows from the dense design
        let results = parallelMap(count: 2) { arm in
            Result { try fit(arm: arm, kind: kind, sample: sample, design: design, weights: weights[arm], outcome: outcome, treatment: treatment) }
        }
        return try results.map { try $0.get() }
    }
}

/// The fitted treatment (propensity-score) model.
struct TreatmentModelEstimate: Sendable {
    let link: BinaryLink
    let columns: [Int]
    let names: [String]
    let coefficients: [Double]
    let fit: BinaryModelFit

    @inline(__always)
    func linearPredictor(_ z: Matrix, row i: Int) -> Double {
        var s = 0.0
        for (k, j) in columns.enumerated() { s += z[i, j] * coefficients[k] }
        return s
    }

    /// `z_i' gamma` for every sample person, in sample order: the fit's own linear predictor at the estimate
    /// (the fit uses every person; ``fit(sample:link:treatment:tolerance:)`` stops otherwise).
    var linearPredictors: [Double] { fit.linearPredictor }
    /// `p_i = F(z_i' gamma)` for every sample person, in sample order (computed once, when the fit is checked for overlap).
    let scores: [Double]

    /// Fits `P(t = 1 | z)` by logit or probit ML and checks overlap.
    /// - Throws: ``TreatmentEffectsError/treatmentModel(column:reason:)``; ``TreatmentEffectsError/overlapViolated(column:belowTolerance:aboveTolerance:tolerance:)``
    ///   when a score is within `tolerance` of 0 or 1 or an indicator predicts treatment perfectly
    ///   (those persons have no comparable counterparts; Stata stops with r(459)).
    static func fit(sample: TreatmentEffectsSample, link: BinaryLink, treatment: String, tolerance: Double) throws -> TreatmentModelEstimate {
        let names = sample.treatmentNames
        let fit: BinaryModelFit
        do {
            fit = try LogisticRegression(link: link).fit(sample.treatmentSource, y: sample.t, names: names, outcomeName: treatment)
        } catch let e as RegressionError {
            if case .perfectPrediction = e {
                throw TreatmentEffectsError.overlapViolated(column: treatment, belowTolerance: 0, aboveTolerance: 0, tolerance: tolerance)
            }
            throw TreatmentEffectsError.treatmentModel(column: treatment, reason: e.description)
        }
        if fit.rowIndices.count < sample.count {
            // An indicator predicts treatment perfectly: the persons it determines have scores of 0 or 1.
            let used = Set(fit.rowIndices)
            var below = 0, above = 0
            for i in 0..<sample.count where !used.contains(i) { if sample.t[i] == 1 { above += 1 } else { below += 1 } }
            throw TreatmentEffectsError.overlapViolated(column: treatment, belowTolerance: below, aboveTolerance: above, tolerance: tolerance)
        }
        var columns: [Int] = []
        for name in fit.names {
            guard let j = names.firstIndex(of: name) else {
                throw TreatmentEffectsError.treatmentModel(column: treatment, reason: "term '\(name)' not in the design")
            }
            columns.append(j)
        }
        if !fit.converged { throw TreatmentEffectsError.treatmentModel(column: treatment, reason: "the fit did not converge") }
        let model = TreatmentEffectsModelCheck.self
        let est = TreatmentModelEstimate(link: link, columns: columns, names: fit.names, coefficients: fit.coefficients, fit: fit,
                                         scores: fit.linearPredictor.map(link.mean))
        try model.checkOverlap(est, treatment: treatment, tolerance: tolerance)
        return est
    }
}

enum TreatmentEffectsModelCheck {
    /// Stata's overlap check (`pstolerance(1e-5)`): every score in `[tol, 1 - tol]`.
    static func checkOverlap(_ m: TreatmentModelEstimate, treatment: String, tolerance: Double) throws {
        var below = 0, above = 0
        for p in m.scores {
            if !(p >= tolerance) { below += 1 }
            if !(p <= 1 - tolerance) { above += 1 }
        }
        if below + above > 0 {
            throw TreatmentEffectsError.overlapViolated(column: treatment, belowTolerance: below, aboveTolerance: above, tolerance: tolerance)
        }
    }
}
