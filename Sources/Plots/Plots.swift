import Estimation
import Foundation

/// One event-study estimate for plotting.
public struct EventStudyPlotPoint: Sendable {
    public var eventTime: Int
    public var estimate: Double
    public var ciLower: Double?
    public var ciUpper: Double?
    public var isReference: Bool
    /// A simultaneous (uniform) confidence band at this event time, drawn shaded behind the
    /// pointwise interval (nil: none).
    public var bandLower: Double?
    public var bandUpper: Double?

    public init(eventTime: Int, estimate: Double, ciLower: Double?, ciUpper: Double?, isReference: Bool,
                bandLower: Double? = nil, bandUpper: Double? = nil) {
        self.eventTime = eventTime
        self.estimate = estimate
        self.ciLower = ciLower
        self.ciUpper = ciUpper
        self.isReference = isReference
        self.bandLower = bandLower
        self.bandUpper = bandUpper
    }
}


public enum Plots {
    /// Propensity-score histograms before and after matching, treated vs
    /// control, as two panels side by side in one SVG. Counts of `nil` are
    /// suppressed cells (disclosure control) and drawn as hatched gaps.
    /// Score histograms before and after matching: per series and bin the share of the group's
    /// total (from the disclosure gate: merged bins carry their group's share spread evenly and
    /// are drawn hatched; a nil share, a group too small to show, is not drawn).
    public static func scoreHistograms(edges: [Double], treatedBefore: (shares: [Double?], merged: [Bool]),
                                       controlBefore: (shares: [Double?], merged: [Bool]),
                                       treatedAfter: (shares: [Double?], merged: [Bool]),
                                       controlAfter: (shares: [Double?], merged: [Bool]), note: String? = nil) -> String {
        typealias Series = (shares: [Double?], merged: [Bool])
        let panels: [(String, Series, Series)] = [
            ("Before matching", treatedBefore, controlBefore),
            ("After matching", treatedAfter, controlAfter),
        ]
        let ymax = Swift.max(0.05, panels.flatMap { $0.1.shares + $0.2.shares }.compactMap { $0 }.max() ?? 0.05) * 1.1
        var svgs: [String] = []
        for (title, t, c) in panels {
            var f = ChartFrame(title: title, xLabel: "Propensity score", yLabel: "Share of group", x: (edges.first ?? 0, edges.last ?? 1), y: (0, ymax))
            let n = edges.count - 1
            for k in 0..<n {
                let x0 = f.x.map(edges[k]), x1 = f.x.map(edges[k + 1])
                let w = (x1 - x0) / 2
                for (series, values, color) in [("treated", t, Palette.treated), ("control", c, Palette.control)] {
                    let off = series == "treated" ? 0 : w
                    guard k < values.shares.count, let v = values.shares[k] else { continue }
                    let y0 = f.y.map(0), y1 = f.y.map(v)
                    let merged = k < values.merged.count && values.merged[k]
                    let style = merged ? "fill=\"\(color)\" fill-opacity=\"0.35\" stroke=\"\(color)\" stroke-dasharray=\"3 2\"" : "fill=\"\(color)\" fill-opacity=\"0.8\""
                    f.add("<rect class=\"bar \(series)\(merged ? " merged-suppressed" : "")\" x=\"\(num(x0 + off))\" y=\"\(num(y1))\" width=\"\(num(w))\" height=\"\(num(y0 - y1))\" \(style)/>")
                }
            }
            svgs.append(f.render(legend: [("Treated", Palette.treated, false), ("Control", Palette.control, false)],
                                 notes: note.map { [$0] } ?? []))
        }
        // Combine the two panels: nest each as an <svg> inside one document.
        let inner = svgs.map { doc -> String in
            doc.split(separator: "\n").dropFirst().joined(separator: "\n")
        }
        var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1440\" height=\"\(note == nil ? 440 : 456)\" viewBox=\"0 0 1440 \(note == nil ? 440 : 456)\">",
                   "<title>Propensity-score distribution before and after matching</title>"]
        for (k, s) in inner.enumerated() {
            out.append("<g transform=\"translate(\(k * 720),0)\">")
            out.append(s)
            out.append("</g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The event-study plot: estimates with 95% CIs by event time; for odds
    /// ratios a log axis and a line at 1; the reference period marked.
    public static func eventStudy(_ points: [EventStudyPlotPoint], oddsRatios: Bool, title: String = "Event study",
                                  yLabel: String? = nil) -> String {
        let values = points.flatMap { [$0.estimate] + [$0.ciLower, $0.ciUpper, $0.bandLower, $0.bandUpper].compactMap { $0 } }
            .filter { $0.isFinite && (!oddsRatios || $0 > 0) }
        var lo = values.min() ?? (oddsRatios ? 0.5 : -1), hi = values.max() ?? (oddsRatios ? 2 : 1)
        if oddsRatios { lo = Swift.min(lo, 1) / 1.25; hi = Swift.max(hi, 1) * 1.25 } else {
            let pad = Swift.max(1e-9, (hi - lo) * 0.1)
            lo = Swift.min(lo, 0) - pad
            hi = Swift.max(hi, 0) + pad
        }
        let es = points.map(\.eventTime)
        var f = ChartFrame(title: title, xLabel: "Event time (years relative to start)",
                           yLabel: yLabel ?? (oddsRatios ? "Odds ratio, treated x event time (log scale)" : "Effect, treated x event time"),
                           x: (Double(es.min() ?? 0) - 0.5, Double(es.max() ?? 0) + 0.5), y: (lo, hi), yLog: oddsRatios)
        let banded = points.contains { $0.bandLower != nil }
        for p in points {
            guard let l = p.bandLower, let u = p.bandUpper, l.isFinite, u.isFinite, !oddsRatios || l > 0 else { continue }
            let px = f.x.map(Double(p.eventTime))
            f.add("<rect class=\"band uniform\" x=\"\(num(px - 14))\" y=\"\(num(f.y.map(u)))\" width=\"28\" height=\"\(num(f.y.map(l) - f.y.map(u)))\" fill=\"\(Palette.treated)\" fill-opacity=\"0.18\"/>")
        }
        let null = oddsRatios ? 1.0 : 0.0
        f.add("<line class=\"null-line\" x1=\"\(num(f.x.map(f.x.lower)))\" x2=\"\(num(f.x.map(f.x.upper)))\" y1=\"\(num(f.y.map(null)))\" y2=\"\(num(f.y.map(null)))\" stroke=\"#000000\" stroke-dasharray=\"6 4\"/>")
        f.add("<line class=\"start-line\" x1=\"\(num(f.x.map(-0.5)))\" x2=\"\(num(f.x.map(-0.5)))\" y1=\"\(num(f.y.pixelLow))\" y2=\"\(num(f.y.pixelHigh))\" stroke=\"#999999\"/>")
        for p in points {
            let px = f.x.map(Double(p.eventTime))
            if p.isReference {
                f.add("<circle class=\"point reference\" cx=\"\(num(px))\" cy=\"\(num(f.y.map(null)))\" r=\"6\" fill=\"white\" stroke=\"\(Palette.treated)\" stroke-width=\"2\"/>")
                f.add("<text x=\"\(num(px))\" y=\"\(num(f.y.map(null) - 12))\" text-anchor=\"middle\" font-size=\"11\">reference</text>")
                continue
            }
            if let l = p.ciLower, let u = p.ciUpper, l.isFinite, u.isFinite, (!oddsRatios || l > 0) {
                f.add("<line class=\"ci\" x1=\"\(num(px))\" x2=\"\(num(px))\" y1=\"\(num(f.y.map(l)))\" y2=\"\(num(f.y.map(u)))\" stroke=\"\(Palette.treated)\" stroke-width=\"2\"/>")
                for v in [l, u] {
                    f.add("<line x1=\"\(num(px - 6))\" x2=\"\(num(px + 6))\" y1=\"\(num(f.y.map(v)))\" y2=\"\(num(f.y.map(v)))\" stroke=\"\(Palette.treated)\" stroke-width=\"2\"/>")
                }
            }
            if p.estimate.isFinite && (!oddsRatios || p.estimate > 0) {
                f.add("<circle class=\"point estimate\" cx=\"\(num(px))\" cy=\"\(num(f.y.map(p.estimate)))\" r=\"6\" fill=\"\(Palette.treated)\"/>")
            }
        }
        var legend: [(String, String, Bool)] = [(oddsRatios ? "Odds ratio" : "Estimate", Palette.treated, false), ("95% CI", Palette.treated, false)]
        if banded { legend.append(("Uniform 95% band (shaded)", Palette.treated, false)) }
        legend.append((oddsRatios ? "No effect (1)" : "No effect (0)", "#000000", true))
        return f.render(legend: legend,
                        xTicks: es.map { (Double($0), EffectLabel.eventText($0)) })
    }

    /// Predicted probabilities by event time for treated and control, with 95% bands.
    public static func predictedProbabilities(eventTimes: [Int], treated: [(p: Double, lo: Double, hi: Double)],
                                              control: [(p: Double, lo: Double, hi: Double)], referencePeriod: Int,
                                              title: String = "Predicted probability for a reference person") -> String {
        let all = (treated + control).flatMap { [$0.lo, $0.hi] }.filter(\.isFinite)
        let hi = Swift.min(1, (all.max() ?? 1) * 1.1 + 0.01)
        let lo = Swift.max(0, (all.min() ?? 0) * 0.9 - 0.01)
        var f = ChartFrame(title: title, xLabel: "Event time (years relative to start)", yLabel: "Predicted probability",
                           x: (Double(eventTimes.min()!) - 0.5, Double(eventTimes.max()!) + 0.5), y: (lo, hi))
        for (name, series, color, dx) in [("treated", treated, Palette.treated, -0.06), ("control", control, Palette.control, 0.06)] {
            var band = series.enumerated().map { "\(num(f.x.map(Double(eventTimes[$0.offset]) + dx))),\(num(f.y.map(Swift.max(lo, $0.element.hi))))" }
            band += series.enumerated().reversed().map { "\(num(f.x.map(Double(eventTimes[$0.offset]) + dx))),\(num(f.y.map(Swift.max(lo, $0.element.lo))))" }
            f.add("<polygon class=\"band \(name)\" points=\"\(band.joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>")
            let line = series.enumerated().map { "\(num(f.x.map(Double(eventTimes[$0.offset]) + dx))),\(num(f.y.map($0.element.p)))" }
            f.add("<polyline class=\"line \(name)\" points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2.5\"/>")
            for (k, v) in series.enumerated() {
                f.add("<circle class=\"point \(name)\" cx=\"\(num(f.x.map(Double(eventTimes[k]) + dx)))\" cy=\"\(num(f.y.map(v.p)))\" r=\"4.5\" fill=\"\(color)\"/>")
            }
        }
        let rx = f.x.map(Double(referencePeriod))
        f.add("<line class=\"reference-line\" x1=\"\(num(rx))\" x2=\"\(num(rx))\" y1=\"\(num(f.y.pixelLow))\" y2=\"\(num(f.y.pixelHigh))\" stroke=\"#999999\" stroke-dasharray=\"3 3\"/>")
        return f.render(legend: [("Treated", Palette.treated, false), ("Control", Palette.control, false), ("Reference period", "#999999", true)],
                        xTicks: eventTimes.map { (Double($0), EffectLabel.eventText($0)) })
    }
}
