import Foundation
import Tabular

/// A table for reports: a title, column headers, rows of cells and notes,
/// rendered as terminal text, Markdown, CSV or LaTeX (booktabs). Every table
/// DiDKit prints goes through this one type, so every format shows the same
/// cells and the same notes (convergence, dropped rows, suppression).
public struct ReportTable: Sendable, Equatable {
    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    public var notes: [String]
    /// Rows after which a horizontal rule is drawn (e.g. before summary rows).
    public var rulesAfter: Set<Int>

    public init(title: String, columns: [String], rows: [[String]], notes: [String] = [], rulesAfter: Set<Int> = []) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.notes = notes
        self.rulesAfter = rulesAfter
    }
}

/// Output formats of the CLI contract.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, markdown, csv, latex
    /// An HTML fragment (a `<table>` with its caption and notes), as the report's index.html uses.
    case html
}

extension ReportTable {
    /// Renders in a table format (`json` is handled by the result documents, not here).
    public func rendered(as format: OutputFormat) -> String {
        switch format {
        case .text, .json: return text
        case .markdown: return markdown
        case .csv: return csv
        case .latex: return latex
        case .html: return html
        }
    }

    /// Aligned plain text: first column left-aligned, the others right-aligned.
    public var text: String {
        let all = [columns] + rows
        let widths = columns.indices.map { j in all.map { j < $0.count ? $0[j].count : 0 }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { j, c in
                let pad = String(repeating: " ", count: Swift.max(0, widths[j] - c.count))
                return j == 0 ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        let total = widths.reduce(0, +) + 2 * Swift.max(0, widths.count - 1)
        let rule = String(repeating: "-", count: total)
        var out = [title, rule, line(columns), rule]
        for (k, r) in rows.enumerated() {
            out.append(line(r))
            if rulesAfter.contains(k) { out.append(rule) }
        }
        out.append(rule)
        out.append(contentsOf: notes)
        return out.joined(separator: "\n") + "\n"
    }

    /// GitHub-flavoured Markdown.
    public var markdown: String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = ["**\(esc(title))**", "", "| " + columns.map(esc).joined(separator: " | ") + " |",
                   "|" + columns.indices.map { $0 == 0 ? ":---|" : "---:|" }.joined()]
        for r in rows { out.append("| " + r.map(esc).joined(separator: " | ") + " |") }
        if !notes.isEmpty { out.append("") ; out.append(contentsOf: notes.map { "_\(esc($0))_  " }) }
        return out.joined(separator: "\n") + "\n"
    }

    /// RFC 4180 CSV (header row, then rows; the title and notes as `#` comment lines).
    public var csv: String {
        let q = CSVWriter.field
        var out = ["# " + title]
        out.append(columns.map(q).joined(separator: ","))
        for r in rows { out.append(r.map(q).joined(separator: ",")) }
        out.append(contentsOf: notes.map { "# " + $0 })
        return out.joined(separator: "\n") + "\n"
    }

    /// LaTeX with booktabs rules.
    public var latex: String {
        let latexReplacements: [Character: String] = [
            "\\": "\\textbackslash{}", "&": "\\&", "%": "\\%", "$": "\\$", "#": "\\#", "_": "\\_", "{": "\\{", "}": "\\}",
            "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "<": "$<$", ">": "$>$",
        ]
        func esc(_ s: String) -> String { escaped(s, latexReplacements) }
        let spec = "l" + String(repeating: "r", count: Swift.max(0, columns.count - 1))
        var out = ["\\begin{table}[htbp]", "\\centering", "\\caption{\(esc(title))}", "\\begin{tabular}{\(spec)}", "\\toprule",
                   columns.map(esc).joined(separator: " & ") + " \\\\", "\\midrule"]
        for (k, r) in rows.enumerated() {
            out.append(r.map(esc).joined(separator: " & ") + " \\\\")
            if rulesAfter.contains(k) && k != rows.count - 1 { out.append("\\midrule") }
        }
        out.append("\\bottomrule")
        out.append("\\end{tabular}")
        if !notes.isEmpty {
            out.append("\\par\\smallskip{\\footnotesize " + notes.map(esc).joined(separator: " \\\\ ") + "}")
        }
        out.append("\\end{table}")
        return out.joined(separator: "\n") + "\n"
    }
}

/// Number formatting shared by every table.
public enum Format {
    /// `value` with `digits` decimals; `.` for NaN (Stata's missing).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "." }
        var s = String(format: "%.\(digits)f", value)
        if s.hasPrefix("-") && Double(s) == 0 { s.removeFirst() }
        return s
    }

    /// A count with thousands separators (`14,641`).
    public static func count(_ n: Int) -> String {
        let s = String(Swift.abs(n))
        var out = ""
        for (k, ch) in s.reversed().enumerated() {
            if k > 0 && k % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + String(out.reversed())
    }

    /// A p-value as Stata prints it (`0.000` below 0.0005).
    public static func pValue(_ p: Double) -> String { fixed(p, 3) }
}
