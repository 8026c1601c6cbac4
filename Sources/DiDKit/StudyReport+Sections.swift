import Foundation

extension StudyReport {
    /// Tables beyond the core ones, with their file names: the outcomes side by side (when the
    /// models differ in outcome or estimator) and the pseudo start comparison (when a variant
    /// uses the other pseudo start rule).
    func extraTables() -> [(String, ReportTable)] {
        var out: [(String, ReportTable)] = []
        if comparesOutcomes { out.append(("outcomes", outcomesTable())) }
        if let t = pseudoStartComparisonTable() { out.append(("pseudo-start-comparison", t)) }
        return out
    }

    /// index.md sections for the outcomes comparison and the variants (each variant's own
    /// report linked by its index files).
    func extraMarkdownSections() -> [String] {
        var s: [String] = []
        if comparesOutcomes {
            s += ["## Outcomes side by side", "", outcomesTable().markdown, "![Event studies side by side](plots/outcomes.svg)", ""]
        }
        if !variants.isEmpty {
            s += ["## Variants", ""]
            if let t = pseudoStartComparisonTable() { s += [t.markdown] }
            s += variants.map { "- \($0.title): [\($0.folder)/index.md](\($0.folder)/index.md) ([HTML](\($0.folder)/index.html))" } + [""]
        }
        return s
    }

    /// index.html sections for the same.
    func extraHTMLSections() -> [(id: String, heading: String, body: [String])] {
        var out: [(id: String, heading: String, body: [String])] = []
        if comparesOutcomes {
            out.append(("outcomes", "Outcomes side by side", [outcomesTable().html, figure(outcomesSVG(), "Event studies side by side")]))
        }
        if !variants.isEmpty {
            var body: [String] = []
            if let t = pseudoStartComparisonTable() { body.append(t.html) }
            body.append("<ul>" + variants.map {
                "<li>\(htmlEscaped($0.title)): <a href=\"\($0.folder)/index.html\">\($0.folder)/index.html</a></li>"
            }.joined() + "</ul>")
            out.append(("variants", "Variants", body))
        }
        return out
    }

    /// index.md lines with a contents list (links to every `## ` section, GitHub anchors)
    /// inserted before the first section.
    static func withContents(_ lines: [String]) -> [String] {
        let headings = lines.filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
        guard let first = lines.firstIndex(where: { $0.hasPrefix("## ") }), !headings.isEmpty else { return lines }
        let contents = ["## Contents", ""] + headings.map { "- [\($0)](#\(markdownAnchor($0)))" } + [""]
        return Array(lines[..<first]) + contents + Array(lines[first...])
    }

    /// GitHub's heading anchor: lower case, spaces to `-`, punctuation but `-` and `_` dropped.
    static func markdownAnchor(_ heading: String) -> String {
        String(heading.lowercased().compactMap { ch -> Character? in
            if ch == " " { return "-" }
            return ch.isLetter || ch.isNumber || ch == "-" || ch == "_" ? ch : nil
        })
    }
}
