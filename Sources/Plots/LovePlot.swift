import Foundation

/// One covariate of a love plot: its standardised mean difference before and after matching
/// (nil: withheld by the disclosure gate, not drawn).
public struct LovePlotRow: Sendable, Equatable {
    public var name: String
    public var before: Double?
    public var after: Double?

    public init(name: String, before: Double?, after: Double?) {
        self.name = name
        self.before = before
        self.after = after
    }
}

extension Plots {
    /// A love plot as cobalt's `love.plot(m, thresholds = c(m = .1))`: one line per covariate
    /// (top to bottom in the given order), the signed SMD before matching as an open circle and
    /// after matching as a filled one, a solid line at 0 and dashed vertical threshold lines at
    /// `±threshold` (default 0.1, the rule of thumb of Austin 2009 and cobalt's examples).
    ///
    /// The x range is symmetric around 0 and covers every finite SMD and the thresholds. A
    /// withheld SMD is not drawn and its row says "withheld". Complexity O(rows).
    public static func lovePlot(_ rows: [LovePlotRow], threshold: Double = 0.1, title: String = "Covariate balance (love plot)",
                                xLabel: String = "Standardised mean difference") -> String {
        let values = rows.flatMap { [$0.before, $0.after].compactMap { $0 } }.filter(\.isFinite)
        let extent = Swift.max(threshold * 1.5, (values.map(Swift.abs).max() ?? 0) * 1.08)
        let n = Swift.max(1, rows.count)
        let longest = rows.map(\.name.count).max() ?? 8
        let left = Swift.min(300, Swift.max(80, 24 + 7.2 * Double(longest + 11)))
        let height = Swift.max(300, 56 + 64 + 22 * Double(n))
        // Row k sits at y = n - k (the first row on top).
        var f = ChartFrame(title: title, xLabel: xLabel, yLabel: "", x: (-extent, extent), y: (0.4, Double(n) + 0.6),
                           height: height, left: left)
        let top = f.y.map(Double(n) + 0.6), bottom = f.y.map(0.4)
        func vline(_ x: Double, _ cls: String, dashed: Bool) {
            let px = num(f.x.map(x))
            f.add("<line class=\"\(cls)\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(num(top))\" y2=\"\(num(bottom))\" stroke=\"#000000\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>")
        }
        vline(0, "zero-line", dashed: false)
        vline(-threshold, "threshold", dashed: true)
        vline(threshold, "threshold", dashed: true)
        var ticks: [(Double, String)] = []
        for (k, row) in rows.enumerated() {
            let y = Double(n - k), py = f.y.map(y)
            let withheld = row.before == nil || row.after == nil
            ticks.append((y, row.name + (withheld ? " (withheld)" : "")))
            if let b = row.before, b.isFinite {
                f.add("<circle class=\"point before\" cx=\"\(num(f.x.map(b)))\" cy=\"\(num(py))\" r=\"5\" fill=\"white\" stroke=\"\(Palette.control)\" stroke-width=\"2\"/>")
            }
            if let a = row.after, a.isFinite {
                f.add("<circle class=\"point after\" cx=\"\(num(f.x.map(a)))\" cy=\"\(num(py))\" r=\"5\" fill=\"\(Palette.treated)\"/>")
            }
        }
        let thresholdText = String(format: "%g", threshold)
        return f.render(legend: [("Before matching", Palette.control, false), ("After matching", Palette.treated, false),
                                 ("±\(thresholdText) threshold", "#000000", true)],
                        yTicks: ticks)
    }
}
