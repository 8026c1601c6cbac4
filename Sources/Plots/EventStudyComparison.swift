import Estimation
import Foundation

/// One series of an event-study comparison: a model's treated x event-time estimates.
public struct EventStudySeries: Sendable {
    public var name: String
    public var points: [EventStudyPlotPoint]

    public init(name: String, points: [EventStudyPlotPoint]) {
        self.name = name
        self.points = points
    }
}

extension Plots {
    /// Colour-blind-safe series colours (Okabe & Ito), in order.
    static let seriesColors = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    /// Several event studies in one frame (e.g. the same design on several outcomes): per event
    /// time the series' estimates and 95% CIs side by side (dodged), one colour per series, the
    /// no-effect line (1 on a log axis for odds ratios, else 0) and the start line. Reference
    /// periods are drawn as open circles at the no-effect value. Complexity O(points).
    public static func eventStudyComparison(_ series: [EventStudySeries], oddsRatios: Bool, title: String, yLabel: String) -> String {
        let values = series.flatMap(\.points).flatMap { [$0.estimate] + [$0.ciLower, $0.ciUpper].compactMap { $0 } }
            .filter { $0.isFinite && (!oddsRatios || $0 > 0) }
        var lo = values.min() ?? (oddsRatios ? 0.5 : -1), hi = values.max() ?? (oddsRatios ? 2 : 1)
        if oddsRatios { lo = Swift.min(lo, 1) / 1.25; hi = Swift.max(hi, 1) * 1.25 } else {
            let pad = Swift.max(1e-9, (hi - lo) * 0.1)
            lo = Swift.min(lo, 0) - pad
            hi = Swift.max(hi, 0) + pad
        }
        let es = Array(Set(series.flatMap(\.points).map(\.eventTime))).sorted()
        var f = ChartFrame(title: title, xLabel: "Event time (years relative to start)", yLabel: yLabel,
                           x: (Double(es.first ?? 0) - 0.5, Double(es.last ?? 0) + 0.5), y: (lo, hi), yLog: oddsRatios)
        let null = oddsRatios ? 1.0 : 0.0
        f.add("<line class=\"null-line\" x1=\"\(num(f.x.map(f.x.lower)))\" x2=\"\(num(f.x.map(f.x.upper)))\" y1=\"\(num(f.y.map(null)))\" y2=\"\(num(f.y.map(null)))\" stroke=\"#000000\" stroke-dasharray=\"6 4\"/>")
        f.add("<line class=\"start-line\" x1=\"\(num(f.x.map(-0.5)))\" x2=\"\(num(f.x.map(-0.5)))\" y1=\"\(num(f.y.pixelLow))\" y2=\"\(num(f.y.pixelHigh))\" stroke=\"#999999\"/>")
        let width = 0.6, step = series.count > 1 ? width / Double(series.count - 1) : 0
        for (k, s) in series.enumerated() {
            let color = seriesColors[k % seriesColors.count]
            let dx = series.count > 1 ? -width / 2 + Double(k) * step : 0
            for p in s.points {
                let px = f.x.map(Double(p.eventTime) + dx)
                if p.isReference {
                    f.add("<circle class=\"point reference series-\(k)\" cx=\"\(num(px))\" cy=\"\(num(f.y.map(null)))\" r=\"4\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"2\"/>")
                    continue
                }
                if let l = p.ciLower, let u = p.ciUpper, l.isFinite, u.isFinite, !oddsRatios || l > 0 {
                    f.add("<line class=\"ci series-\(k)\" x1=\"\(num(px))\" x2=\"\(num(px))\" y1=\"\(num(f.y.map(l)))\" y2=\"\(num(f.y.map(u)))\" stroke=\"\(color)\" stroke-width=\"2\"/>")
                }
                if p.estimate.isFinite && (!oddsRatios || p.estimate > 0) {
                    f.add("<circle class=\"point estimate series-\(k)\" cx=\"\(num(px))\" cy=\"\(num(f.y.map(p.estimate)))\" r=\"4.5\" fill=\"\(color)\"/>")
                }
            }
        }
        var legend = series.enumerated().map { (label: $0.element.name, color: seriesColors[$0.offset % seriesColors.count], dashed: false) }
        legend.append((oddsRatios ? "No effect (1)" : "No effect (0)", "#000000", true))
        return f.render(legend: legend, xTicks: es.map { (Double($0), EffectLabel.eventText($0)) })
    }

    /// Standalone SVG documents placed side by side (each 720 wide) in one document.
    public static func sideBySide(_ documents: [String], title: String) -> String {
        let heights = documents.map { doc -> Int in
            guard let r = doc.range(of: "height=\""), let end = doc[r.upperBound...].firstIndex(of: "\"") else { return 440 }
            return Int(doc[r.upperBound..<end]) ?? 440
        }
        let w = 720 * Swift.max(1, documents.count), h = heights.max() ?? 440
        var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\">",
                   "<title>\(xmlEscape(title))</title>"]
        for (k, doc) in documents.enumerated() {
            out.append("<g transform=\"translate(\(k * 720),0)\">")
            out.append(doc.split(separator: "\n").dropFirst().joined(separator: "\n"))
            out.append("</g>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}
