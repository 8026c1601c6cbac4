import _DiDKitParallel
import Design
import Estimation
import Linalg

/// One stripe's share of an IRLS pass, with its scratch buffers.
struct IRLSPartial: Sendable {
    var ll = 0.0
    var grad: [Double]
    var info: Matrix
    /// The stripe's first row, and the linear predictor and scores of its rows, in order.
    let firstRow: Int
    var eta: [Double]
    var scores: [Double]
    var blockEta: [Double]
    var weightedScore: [Double]
    var rootWeight: [Double]

    init(columns p: Int, blockSize: Int, rows: Range<Int>) {
        grad = [Double](repeating: 0, count: p)
        info = Matrix(rows: p, columns: p)
        firstRow = rows.lowerBound
        eta = [Double](repeating: 0, count: rows.count)
        scores = eta
        blockEta = [Double](repeating: 0, count: blockSize)
        weightedScore = blockEta
        rootWeight = blockEta
    }
}

/// The result of one pass over the data at `beta`.
struct IRLSPass: Sendable {
    var logLikelihood: Double
    var gradient: [Double]
    var information: Matrix
    /// `X beta` and the scores `dl/deta` of every row: kept by every pass,
    /// since the last pass is not known in advance, and joined only for the
    /// reported one.
    var perRow: PerRow

    enum PerRow: Sendable {
        /// Each stripe's rows (stripes in order).
        case stripes(eta: [[Double]], scores: [[Double]])
        /// The same `eta` for every row, so a score for `y = 1` and one for `y = 0`.
        case constant(eta: Double, scoreOfOne: Double, scoreOfZero: Double)
    }

    /// The linear predictor of every row.
    func eta(rows: Int) -> [Double] {
        switch perRow {
        case .stripes(let eta, _): return Self.joined(eta)
        case .constant(let eta, _, _): return [Double](repeating: eta, count: rows)
        }
    }

    /// The score `dl/deta` of every row (`y`: the outcomes the pass was made on).
    func scores(y: [Double]) -> [Double] {
        switch perRow {
        case .stripes(_, let scores): return Self.joined(scores)
        case .constant(_, let one, let zero): return y.map { $0 == 1 ? one : zero }
        }
    }

    /// The stripes' values end to end, each stripe copied into place on all cores (a lazy `joined()` copied
    /// them one element at a time on one core: 0.1 s of a 1.5M-row propensity fit, 0.4 s at 6M).
    static func joined(_ stripes: [[Double]]) -> [Double] {
        var starts = [0]
        for s in stripes { starts.append(starts[starts.count - 1] + s.count) }
        return parallelParts(starts: starts) { k, out in
            stripes[k].withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    if let d = dst.baseAddress, let s = src.baseAddress { d.update(from: s, count: src.count) }
                }
            }
        }
    }

    /// One parallel pass: per block, `eta = X_b b` (`dgemv`), the link's
    /// per-row contributions, `g += X_b' (f s)` (`dgemv`), and
    /// `I += X_b' diag(f w) X_b` by `dsyrk` on the block scaled in place by
    /// `sqrt(f w)`. Each core reuses one block buffer and its scratch vectors.
    /// A cell-structured design (``RowBlockSource/cellStructure``) takes the pass of
    /// ``run(_:cells:y:weights:beta:)`` instead.
    static func run<L: LinkKernel>(_ link: L.Type, source: any RowBlockSource, y: [Double], weights: [Double]?,
                                   beta: [Double]) -> IRLSPass {
        if let cells = source.cellStructure { return run(link, cells: cells, y: y, weights: weights, beta: beta) }
        let p = beta.count
        let blockSize = RowBlocks.defaultBlockSize
        var etaParts: [[Double]] = []
        var scoreParts: [[Double]] = []
        let total = source.reduceRowBlocks(blockSize: blockSize,
                                           stripeState: { IRLSPartial(columns: p, blockSize: blockSize, rows: $0) },
                                           body: { part, block, r in
            block.multiply(beta, into: &part.blockEta)
            let lo = r.lowerBound, offset = lo - part.firstRow
            var ll = 0.0
            for k in 0..<r.count {
                let eta = part.blockEta[k]
                let c = L.contributions(y: y[lo + k], eta: eta)
                let f = weights?[lo + k] ?? 1
                ll += f * c.logLik
                part.eta[offset + k] = eta
                part.scores[offset + k] = c.score
                part.weightedScore[k] = f * c.score
                part.rootWeight[k] = (f * Swift.max(0, c.weight)).squareRoot()
            }
            part.ll += ll
            block.accumulateTransposedProduct(part.weightedScore, into: &part.grad)
            block.scaleRows(by: part.rootWeight)
            block.accumulateGram(into: &part.info)
        }, combine: { acc, part in
            acc.ll += part.ll
            for j in 0..<p { acc.grad[j] += part.grad[j] }
            acc.info = acc.info + part.info
            etaParts.append(part.eta)
            scoreParts.append(part.scores)
        })
        var info = total.info
        info.symmetrizeFromUpper()
        return IRLSPass(logLikelihood: total.ll, gradient: total.grad, information: info, perRow: .stripes(eta: etaParts, scores: scoreParts))
    }
}
