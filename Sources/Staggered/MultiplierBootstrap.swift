import _DiDKitParallel
import Distributions
import Linalg

/// R did's multiplier bootstrap (`mboot`) for a set of estimators with influence functions.
///
/// Replication `b` draws one weight `v_bc` per cluster (unit by default), mean 0 and variance 1
/// (Mammen or Rademacher), and forms `T_bj = sqrt(n) * (1/n) sum_c v_bc S_cj` (R did's
/// `bres = sqrt(n) * colMeans(v * inf.func)`; `S_cj` the cluster sums of `psi_j`). Then, per
/// estimator, `sigma_j = IQR_b(T_bj) / (q(0.75) - q(0.25))` (the robust scale of R did: quantile
/// type 1, normal quartiles), the bootstrap `SE_j = sigma_j / sqrt(n)`, and the simultaneous
/// critical value is the `level` quantile (type 1) of `max_j |T_bj| / sigma_j` over estimators
/// with `sigma_j > 10 sqrt(eps)` (degenerate ones, such as reference cells, are left out as in
/// `mboot`).
///
/// The draws. Both weight laws take two values, `v = low` with probability `p` and `high` otherwise
/// (Mammen: `p = (sqrt 5 + 1)/(2 sqrt 5)`; Rademacher: `p = 1/2`), so a draw is one uniform
/// `U_bc` compared with `p`. Replication `b` has the seed `s_b`, the `b`-th output of a ``SplitMix64``
/// seeded with `seed`; cluster `c`'s uniform is `U_bc = (beta_bc + V_bc) / 256`, where `beta_bc` is byte
/// `c mod 8` of output number `floor(c/8) + 1` of `SplitMix64(seed: s_b)` (eight clusters per 64-bit
/// output) and `V_bc` the 53-bit uniform of output number `c + 1` of `SplitMix64(seed: s_b ^ tieKey)`.
/// `U_bc` is uniform on `[0, 1)` with 61 bits, and `V_bc` is only formed when the byte alone does not
/// decide (`beta_bc = floor(256 p)`, one draw in 256): about one SplitMix64 output per 8 draws, where
/// one per draw (53 bits each) took most of the bootstrap's time at whole-country size.
/// (Earlier builds drew one 53-bit output per cluster: the same laws, other numbers for a given seed; CHANGELOG.)
///
/// Reproducible regardless of the number of cores: the draws depend only on `(seed, b, c)`; blocks of
/// clusters run in parallel stripes fixed by the cluster count and are combined in order. All tables of
/// one estimation use the same draws (common random numbers), as separate runs with one seed would.
///
/// Complexity: `O(B G w / 8 + G w)` additions and `B G / 8` SplitMix64 outputs for `B` replications,
/// `G` clusters and `w` basis columns; `O(B w)` memory.
struct MultiplierBootstrap: Sendable {
    let replications: Int
    let seed: UInt64
    let weights: MultiplierWeights

    struct Result {
        /// Bootstrap SE per estimator (nil when degenerate).
        var standardErrors: [Double?]
        /// Simultaneous critical value (nil if no estimator is non-degenerate).
        var critical: Double?
    }

    /// `T` (`B x width`): `T_bj = sqrt(n)/n sum_c v_bc S_cj` over the cluster-sum blocks of a basis
    /// (see ``InfluenceBasis``).
    ///
    /// The weights take two values, `v_bc = low + (high - low) m_bc` with `m_bc` in {0, 1}, so
    /// `sum_c v_bc S_cj = low sum_c S_cj + (high - low) sum_{c: m_bc = 1} S_cj`. The second sum is
    /// formed by the "four Russians" device: per chunk of 8 clusters, the 256 subset sums of their rows
    /// of `S` are tabulated once, and each replication adds the one row its 8 draws select (32 + `B / 8`
    /// vector additions per cluster instead of `B` multiply-adds, no `n x B` weight matrix); `m_bc = 1`
    /// iff `U_bc >= p` (the draws of the type's documentation). Stripes of blocks are fixed by the cluster
    /// count (block starts are multiples of 8) and summed in order (the same result on any number of cores).
    func draws(blocks: RowBlocks, block: @Sendable (Range<Int>) -> Matrix, width: Int, units: Int) -> Matrix {
        var master = SplitMix64(seed: seed)
        let seeds = (0..<replications).map { _ in master.next() }
        let b = replications
        let (cut, low, high) = Self.twoPoint(weights)
        let tieSeeds = seeds.map { $0 ^ Self.tieKey }
        // Rows of the tables and of the accumulator padded to an even length (whole SSE2 registers).
        let stride = (width + 1) & ~1
        let progress = ProgressCounter(step: "multiplier bootstrap (\(replications) draws)", total: blocks.blockCount)
        let parts = blocks.stripes { ranges -> (sums: [Double], picked: [Double]) in
            var sums = [Double](repeating: 0, count: width)
            var picked = [Double](repeating: 0, count: b * stride)
            let maxChunks = ((ranges.map(\.count).max() ?? 0) + 7) / 8
            var bits = [UInt8](repeating: 0, count: b * maxChunks)
            // Up to four chunks' subset sums side by side: `tables[h][e]`, h = 0..<4.
            var tables = [Double](repeating: 0, count: Self.chunksPerPass * 256 * stride)
            // The block's rows of `S`, row-major (contiguous rows for the tables).
            var rowMajor = [Double](repeating: 0, count: (ranges.map(\.count).max() ?? 0) * stride)
            for r in ranges {
                let u = r.count
                let chunks = (u + 7) / 8
                Self.selections(bits: &bits, chunks: chunks, units: u, first: r.lowerBound, seeds: seeds, tieSeeds: tieSeeds, cut: cut)
                let s = block(r)
                s.storage.withUnsafeBufferPointer { sp in
                    for j in 0..<width {
                        var t = 0.0
                        for a in 0..<u { t += sp[a + j * u] }
                        sums[j] += t
                    }
                    rowMajor.withUnsafeMutableBufferPointer { rm in
                        for j in 0..<width { for a in 0..<u { rm[a * stride + j] = sp[a + j * u] } }
                    }
                    rowMajor.withUnsafeBufferPointer { rm in
                    tables.withUnsafeMutableBufferPointer { tb in
                        picked.withUnsafeMutableBufferPointer { pp in
                            bits.withUnsafeBufferPointer { bp in
                                var q = 0
                                while q < chunks {
                                    let group = Swift.min(Self.chunksPerPass, chunks - q)
                                    for h in 0..<group {
                                        Self.tabulate(tb.baseAddress! + h * 256 * stride, rows: rm.baseAddress!, count: u,
                                                      first: 8 * (q + h), stride: stride)
                                    }
                                    Self.accumulate(tables: UnsafePointer(tb.baseAddress!), count: group, stride: stride,
                                                    bits: bp.baseAddress! + q, chunks: chunks, replications: b, into: pp.baseAddress!)
                                    q += group
                                }
                            }
                        }
                    }
                    }
                }
                progress.add(1)
            }
            return (sums, picked)
        }
        var sums = [Double](repeating: 0, count: width)
        var picked = [Double](repeating: 0, count: b * stride)
        for p in parts {
            for j in 0..<width { sums[j] += p.sums[j] }
            for i in picked.indices { picked[i] += p.picked[i] }
        }
        let n = Double(units)
        let scale = n.squareRoot() / n
        var t = Matrix(rows: b, columns: width)
        for j in 0..<width {
            for rep in 0..<b { t[rep, j] = scale * (low * sums[j] + (high - low) * picked[rep * stride + j]) }
        }
        return t
    }

    /// `bits[rep * chunks + q]`: bit `e` set iff replication `rep`'s weight for cluster `c = first + 8 q + e`
    /// is the high one, `U_bc >= p` with `cut = p 2^61` (see the type's documentation); bits past the
    /// block's `u` clusters are 0. `first` is a multiple of 8. SplitMix64 is counter-based: output number
    /// `m` of `SplitMix64(seed: s)` is `mix(s + m * increment)`.
    static func selections(bits: inout [UInt8], chunks: Int, units u: Int, first: Int, seeds: [UInt64], tieSeeds: [UInt64],
                           cut: UInt64) {
        precondition(first % 8 == 0, "MultiplierBootstrap.selections: a block must start at a multiple of 8 clusters")
        let byteCut = cut >> 53                 // floor(256 p)
        let fractionCut = cut & (1 << 53 - 1)   // the rest of p 2^61, compared with V's 53 bits on a tie
        let bytes = ByteComparison(threshold: byteCut)
        bits.withUnsafeMutableBufferPointer { out in
            for rep in seeds.indices {
                var state = seeds[rep] &+ UInt64(first / 8) &* SplitMix64.increment
                let row = out.baseAddress! + chunks * rep
                for q in 0..<chunks {
                    state &+= SplitMix64.increment
                    let (above, ties) = bytes.compare(SplitMix64.mix(state))
                    var byte = above
                    if _slowPath(ties != 0) {
                        for e in 0..<8 where ties & (1 << e) != 0 {
                            let c = UInt64(first + 8 * q + e)
                            let v = SplitMix64.mix(tieSeeds[rep] &+ (c &+ 1) &* SplitMix64.increment) >> 11
                            if v >= fractionCut { byte |= 1 << UInt64(e) }
                        }
                    }
                    let members = u - 8 * q
                    if members < 8 { byte &= (1 << UInt64(members)) - 1 }
                    row[q] = UInt8(truncatingIfNeeded: byte)
                }
            }
        }
    }

    /// The eight bytes of a word compared with one threshold `T` at once (SWAR, no branch per byte):
    /// bit `e` of `above` is set iff byte `e` is greater than `T`, bit `e` of `ties` iff it equals `T`.
    ///
    /// Per byte, with `H = 0x80`: equality is "`byte ^ T` is zero", read from bit 7 of
    /// `((x & 0x7F) + 0x7F) | x` (no carry leaves a byte); `byte >= t = T + 1` splits into its top bit and
    /// its low seven bits, the latter from bit 7 of `(byte | H) - (t & 0x7F)` (at least 1, so no borrow
    /// leaves a byte). The flags at bits `8e + 7` are gathered into bits `e` by one multiplication.
    struct ByteComparison {
        static let high: UInt64 = 0x8080_8080_8080_8080
        static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        static let ones: UInt64 = 0x0101_0101_0101_0101
        let repeated: UInt64      // T in every byte
        let lowBits: UInt64       // (T + 1) & 0x7F in every byte
        let topBit: Bool          // (T + 1) >= 128
        let none: Bool            // T >= 255: no byte is above
        let beyond: Bool          // T > 255 (p = 1): no byte is above or equal

        init(threshold t: UInt64) {
            beyond = t > 255
            let t = Swift.min(t, 255)
            repeated = t &* Self.ones
            lowBits = ((t + 1) & 0x7F) &* Self.ones
            topBit = t + 1 >= 128
            none = t == 255
        }

        @inline(__always) func compare(_ z: UInt64) -> (above: UInt64, ties: UInt64) {
            let x = z ^ repeated
            let nonzero = ((x & Self.low7) &+ Self.low7) | x
            let equal = ~nonzero & Self.high
            let lowAtLeast = (z | Self.high) &- lowBits
            let top = z & Self.high
            let greater = none ? 0 : (topBit ? top & lowAtLeast : top | lowAtLeast) & Self.high
            return beyond ? (0, 0) : (Self.gather(greater), Self.gather(equal))
        }

        /// Bits `8e + 7` -> bits `e`.
        @inline(__always) static func gather(_ flags: UInt64) -> UInt64 {
            ((flags >> 7) &* 0x0102_0408_1020_4080) >> 56
        }
    }

    /// Distinguishes the tie-breaking stream's seed from the byte stream's (the first 64 fractional bits of sqrt 2).
    static let tieKey: UInt64 = 0x6A09_E667_F3BC_C908

    /// The subset sums of rows `first ..< first + 8` (those below `count`) of a row-major block (rows `stride`
    /// apart, zero-padded): `table[e]` = the sum of the rows whose bits are set in `e` (each entry the entry
    /// without its lowest bit plus that row). Entries beyond the chunk's rows are not written (never selected).
    static func tabulate(_ table: UnsafeMutablePointer<Double>, rows: UnsafePointer<Double>, count u: Int, first: Int, stride: Int) {
        let members = Swift.min(8, u - first)
        for e in 1..<(1 << members) {
            let from = table + (e & (e - 1)) * stride, to = table + e * stride
            let row = rows + (first + e.trailingZeroBitCount) * stride
            for j in 0..<stride { to[j] = from[j] + row[j] }
        }
    }

    /// Chunks whose tables one pass over the replications' accumulator rows adds: the accumulator
    /// (`B x stride` doubles, 300 KB for 999 draws and 37 columns) is read and written once per group of
    /// chunks, so four tables per pass move a quarter of the accumulator traffic of one (the bound of the
    /// loop: it runs from the core's second-level cache) while the four tables (300 KB) stay beside it.
    static let chunksPerPass = 4

    /// Adds to each replication's accumulator row the table entries its draws select, for `count` (1 to 4)
    /// consecutive chunks (`tables` holds `count` tables of 256 entries; `bits` points at the first chunk's
    /// byte of replication 0). The entries are added pairwise, `(t1 + t2) + (t3 + t4)`, then to the row.
    static func accumulate(tables t: UnsafePointer<Double>, count: Int, stride: Int, bits: UnsafePointer<UInt8>, chunks: Int,
                           replications b: Int, into acc: UnsafeMutablePointer<Double>) {
        let t2 = t + 256 * stride, t3 = t2 + 256 * stride, t4 = t3 + 256 * stride
        switch count {
        case 4:
            for rep in 0..<b {
                let row = bits + rep * chunks
                let f1 = t + Int(row[0]) * stride, f2 = t2 + Int(row[1]) * stride
                let f3 = t3 + Int(row[2]) * stride, f4 = t4 + Int(row[3]) * stride
                let to = acc + rep * stride
                for j in 0..<stride { to[j] += (f1[j] + f2[j]) + (f3[j] + f4[j]) }
            }
        case 3:
            for rep in 0..<b {
                let row = bits + rep * chunks
                let f1 = t + Int(row[0]) * stride, f2 = t2 + Int(row[1]) * stride, f3 = t3 + Int(row[2]) * stride
                let to = acc + rep * stride
                for j in 0..<stride { to[j] += (f1[j] + f2[j]) + f3[j] }
            }
        case 2:
            for rep in 0..<b {
                let row = bits + rep * chunks
                let f1 = t + Int(row[0]) * stride, f2 = t2 + Int(row[1]) * stride, to = acc + rep * stride
                for j in 0..<stride { to[j] += f1[j] + f2[j] }
            }
        default:
            for rep in 0..<b {
                let e = Int(bits[rep * chunks])
                if e == 0 { continue }
                let from = t + e * stride, to = acc + rep * stride
                for j in 0..<stride { to[j] += from[j] }
            }
        }
    }

    /// SEs and the simultaneous critical value of the estimates with basis coefficients `coefs`, from
    /// the draws `T`: `sigma_j = IQR_b((T c_j)_b) / (q(0.75) - q(0.25))`, `SE_j = sigma_j / sqrt(n)`,
    /// and the `level` quantile (type 1) of `max_j |(T c_j)_b| / sigma_j` over non-degenerate `j`.
    func summarize(_ t: Matrix, coefs: [[Double]], units: Int, level: Double) -> Result {
        let n = Double(units)
        let columns = coefs.map { t.multiply($0) }
        let qn = Normal.quantile(0.75) - Normal.quantile(0.25)
        let sigma: [Double?] = columns.map { col in
            let sorted = col.sorted()
            let s = (Self.quantileType1(sorted, 0.75) - Self.quantileType1(sorted, 0.25)) / qn
            return s.isFinite && s > 10 * Double.ulpOfOne.squareRoot() ? s : nil
        }
        var maxima: [Double] = []
        if sigma.contains(where: { $0 != nil }) {
            for rep in 0..<t.rows {
                var m = 0.0
                for (a, s) in sigma.enumerated() { if let s { m = Swift.max(m, Swift.abs(columns[a][rep]) / s) } }
                if m.isFinite { maxima.append(m) }
            }
        }
        maxima.sort()
        let crit = maxima.isEmpty ? nil : Self.quantileType1(maxima, level / 100)
        return Result(standardErrors: sigma.map { $0.map { $0 / n.squareRoot() } }, critical: crit)
    }

    /// R's `quantile(type = 1)` of sorted values: the `ceil(m p)`-th smallest (1-based).
    static func quantileType1(_ sorted: [Double], _ p: Double) -> Double {
        let m = sorted.count
        let k = Swift.min(m, Swift.max(1, Int((Double(m) * p - 1e-12).rounded(.up))))
        return sorted[k - 1]
    }

    /// `(p 2^61, low, high)`: the weight is `low` with probability `p`, else `high` (`p 2^61` is an integer:
    /// `p` has 53 significant bits and is below 1).
    static func twoPoint(_ kind: MultiplierWeights) -> (UInt64, Double, Double) {
        switch kind {
        case .mammen:
            let r5 = 5.0.squareRoot()
            return (UInt64((r5 + 1) / (2 * r5) * 0x1p61), (1 - r5) / 2, (1 + r5) / 2)
        case .rademacher:
            return (UInt64(0.5 * 0x1p61), -1, 1)
        }
    }
}
