import Design
import Linalg
import Tabular
import _DiDKitParallel

/// The estimation sample of a treatment-effect estimate: the rows with no
/// missing value in any column used (listwise deletion, as Stata's
/// `teffects`), the 0/1 treatment, the outcome and the two designs.
///
/// The designs are streamed (``DesignMatrix/streamed(_:_:)``: each row block is made from the table's columns when a
/// pass reads it, so no `n x p` matrix is held) for the estimators that read them in passes (ra, ipw, aipw, ipwra),
/// and materialised once for the matching estimators, which look rows up.
///
/// - Complexity: `O(n c)` time for the `c` columns used; memory `O(n)` beyond the table when streamed,
///   `O(n (p + q))` when materialised (`p`, `q`: outcome and treatment design columns).
struct TreatmentEffectsSample {
    /// Source-table rows used.
    let rows: [Int]
    /// Rows dropped for missing values.
    let droppedRows: Int
    let notes: [String]
    let y: [Double]
    let t: [Double]
    /// Outcome-model design (`n x p`, `_cons` last) as a row-block source, column names.
    let outcomeSource: any RowBlockSource
    let outcomeNames: [String]
    /// Treatment-model design (`n x q`, `_cons` last) as a row-block source, column names.
    let treatmentSource: any RowBlockSource
    let treatmentNames: [String]
    /// Whether the two designs are one (the same terms): a pass over the rows then reads it once.
    let designsShared: Bool

    /// The outcome design as a dense matrix: free when materialised (``init(_:_:materialize:)``), else an `O(n p)` copy.
    var outcomeDesign: Matrix { denseMatrix(outcomeSource) }
    /// The treatment design as a dense matrix: free when materialised, else an `O(n q)` copy.
    var treatmentDesign: Matrix { denseMatrix(treatmentSource) }

    var count: Int { y.count }
    var treatedCount: Int { t.reduce(0) { $0 + ($1 == 1 ? 1 : 0) } }

    /// - Throws: ``TreatmentEffectsError`` (missing columns, text where numbers are needed, a treatment
    ///   that is not 0/1, an empty arm, a non-0/1 outcome for a logit outcome model).
    /// - Parameter materialize: build the designs as dense matrices (the matching estimators) instead of streaming them.
    init(_ table: Table, _ spec: TreatmentEffectsSpecification, materialize: Bool = false) throws {
        let arms = try TreatmentEffectsArms(table, spec)
        do {
            let sample = arms.sample
            let outcomeCovariates = spec.method.usesOutcomeCovariates ? spec.outcomeCovariates : []
            let treatmentCovariates = spec.method.usesTreatmentModel ? spec.treatmentCovariates : []
            let factorsOf: ([String]) -> [String] = { covs in
                spec.factors.filter { f in covs.contains { Term.parse($0, factors: []).columns.contains(f) } }
            }
            // A factor named only in `factors` enters both models; one among a model's covariates only that model.
            let looseFactors = spec.factors.filter { f in factorsOf(outcomeCovariates).contains(f) == false && factorsOf(treatmentCovariates).contains(f) == false }
            let outcomeFactors = factorsOf(outcomeCovariates) + (spec.method.usesOutcomeCovariates ? looseFactors : [])
            let treatmentFactors = factorsOf(treatmentCovariates) + (spec.method.usesTreatmentModel ? looseFactors : [])
            func design(_ s: ModelSpecification) throws -> (names: [String], source: any RowBlockSource) {
                if materialize {
                    let d = try DesignMatrix.build(sample, s)
                    return (d.columnNames, d.matrix)
                }
                let d = try DesignMatrix.streamed(sample, s)
                return (d.layout.columnNames, d.source)
            }
            let od = try design(ModelSpecification(
                outcome: spec.outcome, covariates: outcomeCovariates, factors: outcomeFactors, baseLevels: spec.baseLevels))
            // The same terms give the same design (the outcome and the treatment are numeric and complete here, so
            // the response named in the specification changes nothing): built once, shared.
            let shared = outcomeCovariates == treatmentCovariates && outcomeFactors == treatmentFactors
            let td = shared ? od
                : try design(ModelSpecification(
                    outcome: spec.treatment, covariates: treatmentCovariates, factors: treatmentFactors, baseLevels: spec.baseLevels))
            // Listwise deletion was done above, so the designs keep every sample row.
            let n = table.rowCount, rows = arms.rows
            guard od.source.rows == rows.count && td.source.rows == rows.count else {
                throw TreatmentEffectsError.data(.noRowsAfterDeletion(dropped: n - Swift.min(od.source.rows, td.source.rows),
                                                                      reasons: "rows lost while building the designs"))
            }
            self.rows = rows
            self.droppedRows = n - rows.count
            self.notes = arms.notes
            self.y = arms.y
            self.t = arms.t
            self.outcomeSource = od.source
            self.outcomeNames = od.names
            self.treatmentSource = td.source
            self.treatmentNames = td.names
            self.designsShared = shared
        } catch let e as DataError {
            throw TreatmentEffectsError.data(e)
        }
    }
}

/// The first stage of ``TreatmentEffectsSample``: listwise deletion over every column used, the checked 0/1
/// treatment and the outcome, without the designs (what the disclosure cells need).
/// - Complexity: `O(n c)` for `c` columns used (one scan of each column's storage); no copy when no row is dropped.
struct TreatmentEffectsArms {
    /// Source-table rows used.
    let rows: [Int]
    let notes: [String]
    /// The table restricted to ``rows`` (the table itself when none is dropped).
    let sample: Table
    let t: [Double]
    let y: [Double]

    /// - Throws: as ``TreatmentEffectsSample/init(_:_:)`` for the deletion, the treatment and the outcome.
    init(_ table: Table, _ spec: TreatmentEffectsSpecification) throws {
        do {
            let n = table.rowCount
            var keep = [Bool](repeating: true, count: n)
            var notes: [String] = []
            // Most columns have no missing value: the columns are scanned in parallel, and only those with one mark rows.
            let names = spec.usedColumns
            let columns = try names.map { try table.column($0) }
            let missingCounts = parallelMap(count: columns.count) { columns[$0].missingCount }
            for (k, name) in names.enumerated() where missingCounts[k] > 0 {
                let missing = columns[k].markMissing(clearing: &keep).cleared
                if missing > 0 { notes.append("\(missing) rows dropped for a missing value of '\(name)'") }
            }
            let rows = (0..<n).filter { keep[$0] }
            if rows.isEmpty { throw TreatmentEffectsError.noObservations }
            let sample = rows.count == n ? table : table.selectingRows(rows)

            guard case .numeric(let tcol) = try sample.column(spec.treatment) else {
                throw TreatmentEffectsError.data(.wrongColumnType(column: spec.treatment, expected: "numeric 0/1"))
            }
            let t = tcol.doubles
            if let bad = nonBinaryValues(t) {
                throw TreatmentEffectsError.treatmentNotBinary(column: spec.treatment, value: bad.example, count: bad.count)
            }
            for arm in [1, 0] where !t.contains(Double(arm)) { throw TreatmentEffectsError.emptyArm(column: spec.treatment, arm: arm) }

            guard case .numeric(let ycol) = try sample.column(spec.outcome) else {
                throw TreatmentEffectsError.data(.wrongColumnType(column: spec.outcome, expected: "numeric"))
            }
            let y = ycol.doubles
            if spec.method.usesOutcomeModel && spec.outcomeModel == .logit {
                if let bad = nonBinaryValues(y) {
                    throw TreatmentEffectsError.outcomeNotBinary(column: spec.outcome, value: bad.example, count: bad.count)
                }
            }
            self.rows = rows
            self.notes = notes
            self.sample = sample
            self.t = t
            self.y = y
        } catch let e as DataError {
            throw TreatmentEffectsError.data(e)
        }
    }
}

/// `source` as a dense matrix: itself when it is one, else filled block by block into one column-major array
/// (peak memory: the matrix and one block, not the two full copies of ``RowBlockSource/materialized()``).
/// - Complexity: `O(n p)`.
func denseMatrix(_ source: any RowBlockSource) -> Matrix {
    if let m = source as? Matrix { return m }
    let n = source.rows, p = source.columns
    let blocks = RowBlocks(count: n)
    var out = [Double](repeating: 0, count: n * p)
    var block = RowBlock(capacity: Swift.max(1, Swift.min(n, blocks.blockSize)), columns: p)
    out.withUnsafeMutableBufferPointer { dst in
        for b in 0..<blocks.blockCount {
            let r = blocks.block(b)
            source.fill(&block, rows: r)
            for j in 0..<p {
                block.readColumn(j) { col in
                    for k in 0..<r.count { dst[j * n + r.lowerBound + k] = col[k] }
                }
            }
        }
    }
    return Matrix(rows: n, columns: p, columnMajor: out)
}
