import Distributions
import Foundation
import Tabular

/// A synthetic person-year panel with known treated x event-time odds ratios.
///
/// `Tests/PanelTests/Fixtures/make_panel_fixtures.py` regenerates it exactly
/// (same counter-based SplitMix64 stream, 21 draws per person in this order):
/// `u0` treated = [u0 < 0.3]; `u1` start = 2012 + floor(4 u1) (the pseudo
/// start for controls too); `u2` x = 2 (u2 - 0.5); then for each year
/// 2008...2016: z = u - 0.5, y = [u < logistic(eta)] with
/// `eta = -1 + 0.3 treated + delta_e + theta_e treated + 0.5 x + 0.4 z`,
/// `e = year - start`; `delta = (-0.4, -0.2, 0, 0.3, 0.6)` and `theta` the
/// log of the reference study's model-2 odds ratios `(0.635, 0.927, 1, 3.271, 2.577)`
/// for e = -3...1 (0 outside the window).
public struct SyntheticEventPanel: Sendable {
    public static let years = 2008...2016
    public static let delta: [Int: Double] = [-3: -0.4, -2: -0.2, -1: 0, 0: 0.3, 1: 0.6]
    public static let trueOddsRatios: [Int: Double] = [-3: 0.635, -2: 0.927, -1: 1, 0: 3.271, 1: 2.577]
    public let table: Table

    public init(persons n: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var ids: [String?] = [], year: [Double] = [], treated: [Double] = [], start: [Double] = []
        var x: [Double] = [], z: [Double] = [], y: [Double] = []
        let perPerson = n * Self.years.count
        ids.reserveCapacity(perPerson)
        for p in 0..<n {
            let t = rng.uniform() < 0.3
            let s = 2012 + Int((4 * rng.uniform()).rounded(.down))
            let xv = 2 * (rng.uniform() - 0.5)
            for yr in Self.years {
                let zv = rng.uniform() - 0.5
                let e = yr - s
                let theta = Self.trueOddsRatios[e].map { Foundation.log($0) } ?? 0
                let eta = -1 + 0.3 * (t ? 1 : 0) + (Self.delta[e] ?? 0) + theta * (t ? 1 : 0) + 0.5 * xv + 0.4 * zv
                let yv: Double = rng.uniform() < 1 / (1 + Foundation.exp(-eta)) ? 1 : 0
                ids.append(String(format: "P%06d", p))
                year.append(Double(yr))
                treated.append(t ? 1 : 0)
                start.append(Double(s))
                x.append(xv)
                z.append(zv)
                y.append(yv)
            }
        }
        table = try! Table([("id", .text(TextColumn(ids))), ("year", .numeric(year)), ("treated", .numeric(treated)),
                            ("start", .numeric(start)), ("x", .numeric(x)), ("z", .numeric(z)), ("y", .numeric(y))])
    }
}
