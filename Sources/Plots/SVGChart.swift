import Foundation

// Standalone SVG charts for reports. Hand-written because no Swift plotting
// library exists for Linux; the output is plain SVG 1.1 that browsers render
// and XML parsers accept. One frame type draws axes, ticks, labels and the
// legend; each plot adds its marks.

/// A colour-blind-safe palette (Okabe & Ito).
public enum Palette {
    public static let treated = "#D55E00"
    public static let control = "#0072B2"
    public static let grid = "#DDDDDD"
    public static let axis = "#333333"
}

/// Escapes text for XML.
func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

func num(_ v: Double) -> String { String(format: "%.2f", v) }

/// A linear or logarithmic axis mapping data values to pixels.
struct Axis {
    var lower: Double
    var upper: Double
    var logarithmic: Bool
    var pixelLow: Double
    var pixelHigh: Double

    func map(_ v: Double) -> Double {
        let (a, b, x) = logarithmic ? (Foundation.log(lower), Foundation.log(upper), Foundation.log(v)) : (lower, upper, v)
        return pixelLow + (x - a) / (b - a) * (pixelHigh - pixelLow)
    }

    /// "Nice" tick values: 1-2-5 steps (linear) or 1-2-5 per decade (log).
    func ticks() -> [Double] {
        if logarithmic {
            var out: [Double] = []
            var decade = Foundation.pow(10, Foundation.floor(Foundation.log10(lower)))
            while decade <= upper * 1.0001 {
                for m in [1.0, 2.0, 5.0] where decade * m >= lower * 0.9999 && decade * m <= upper * 1.0001 { out.append(decade * m) }
                decade *= 10
            }
            return out
        }
        let span = upper - lower
        guard span > 0 else { return [lower] }
        let raw = span / 5
        let mag = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * mag }.first { span / $0 <= 6 } ?? 10 * mag
        var t = Foundation.ceil(lower / step) * step
        var out: [Double] = []
        while t <= upper + step * 1e-9 { out.append(Swift.abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }
}

func tickLabel(_ v: Double) -> String {
    if v == v.rounded() && Swift.abs(v) < 1e6 { return String(Int(v)) }
    var s = String(format: "%.3g", v)
    if s.hasPrefix("0.") == false && s.hasPrefix("-0.") == false && s.contains("e") { s = String(format: "%.2f", v) }
    return s
}

/// An SVG document with one plotting frame.
struct ChartFrame {
    let width = 720.0
    /// Taller for many categories (the love plot); 440 otherwise.
    var height = 440.0
    /// Wider for long category labels (the love plot); 80 otherwise.
    var left = 80.0
    let right = 170.0, top = 56.0, bottom = 64.0
    var title: String
    var xLabel: String
    var yLabel: String
    var x: Axis
    var y: Axis
    var body: [String] = []

    init(title: String, xLabel: String, yLabel: String, x: (Double, Double), y: (Double, Double), yLog: Bool = false,
         height: Double = 440, left: Double = 80) {
        self.height = height
        self.left = left
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.x = Axis(lower: x.0, upper: x.1, logarithmic: false, pixelLow: left, pixelHigh: width - right)
        self.y = Axis(lower: y.0, upper: y.1, logarithmic: yLog, pixelLow: height - bottom, pixelHigh: top)
    }

    mutating func add(_ element: String) { body.append(element) }

    /// Renders the document; `xTicks` (`yTicks`) overrides the x (y) ticks with labelled positions.
    func render(legend: [(label: String, color: String, dashed: Bool)], xTicks: [(Double, String)]? = nil,
                yTicks: [(Double, String)]? = nil, notes: [String] = []) -> String {
        var s: [String] = []
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + Double(notes.count) * 16))\" viewBox=\"0 0 \(Int(width)) \(Int(height + Double(notes.count) * 16))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">")
        s.append("<title>\(xmlEscape(title))</title>")
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
        s.append("<text x=\"\(num(width / 2))\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">\(xmlEscape(title))</text>")
        // Grid and y ticks.
        s.append("<g class=\"y-axis\">")
        for (t, label) in yTicks ?? y.ticks().map({ ($0, tickLabel($0)) }) {
            let py = y.map(t)
            s.append("<line x1=\"\(num(left))\" x2=\"\(num(width - right))\" y1=\"\(num(py))\" y2=\"\(num(py))\" stroke=\"\(Palette.grid)\" stroke-width=\"1\"/>")
            s.append("<text x=\"\(num(left - 8))\" y=\"\(num(py + 4))\" text-anchor=\"end\">\(xmlEscape(label))</text>")
        }
        s.append("</g>")
        s.append("<g class=\"x-axis\">")
        let xt = xTicks ?? x.ticks().map { ($0, tickLabel($0)) }
        for (v, label) in xt {
            let px = x.map(v)
            s.append("<line x1=\"\(num(px))\" x2=\"\(num(px))\" y1=\"\(num(height - bottom))\" y2=\"\(num(height - bottom + 5))\" stroke=\"\(Palette.axis)\"/>")
            s.append("<text x=\"\(num(px))\" y=\"\(num(height - bottom + 20))\" text-anchor=\"middle\">\(xmlEscape(label))</text>")
        }
        s.append("</g>")
        s.append("<rect x=\"\(num(left))\" y=\"\(num(top))\" width=\"\(num(width - left - right))\" height=\"\(num(height - top - bottom))\" fill=\"none\" stroke=\"\(Palette.axis)\"/>")
        s.append(contentsOf: body)
        s.append("<text x=\"\(num((left + width - right) / 2))\" y=\"\(num(height - 18))\" text-anchor=\"middle\">\(xmlEscape(xLabel))</text>")
        s.append("<text transform=\"translate(22,\(num((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(xmlEscape(yLabel))</text>")
        s.append("<g class=\"legend\">")
        for (k, item) in legend.enumerated() {
            let ly = top + 12 + Double(k) * 22
            let lx = width - right + 16
            s.append("<line x1=\"\(num(lx))\" x2=\"\(num(lx + 24))\" y1=\"\(num(ly))\" y2=\"\(num(ly))\" stroke=\"\(item.color)\" stroke-width=\"6\"\(item.dashed ? " stroke-dasharray=\"4 3\"" : "")/>")
            s.append("<text x=\"\(num(lx + 30))\" y=\"\(num(ly + 4))\">\(xmlEscape(item.label))</text>")
        }
        s.append("</g>")
        for (k, n) in notes.enumerated() {
            s.append("<text x=\"\(num(left))\" y=\"\(num(height + 4 + Double(k) * 16))\" font-size=\"11\" fill=\"#555555\">\(xmlEscape(n))</text>")
        }
        s.append("</svg>")
        return s.joined(separator: "\n") + "\n"
    }
}
