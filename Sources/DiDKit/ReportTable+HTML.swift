extension ReportTable {
    /// The table as an HTML fragment: a `<table>` with the title as its caption, a header row,
    /// the rows (first column left-aligned as a row header, numbers right-aligned), rules where
    /// the table has them, and the notes as small print below. Well-formed XML as well as HTML,
    /// so that tests can parse it.
    public var html: String {
        var out = ["<table>", "<caption>\(htmlEscaped(title))</caption>",
                   "<thead><tr>" + columns.map { "<th>\(htmlEscaped($0))</th>" }.joined() + "</tr></thead>", "<tbody>"]
        for (k, row) in rows.enumerated() {
            let cells = row.enumerated().map { j, c in j == 0 ? "<th scope=\"row\">\(htmlEscaped(c))</th>" : "<td>\(htmlEscaped(c))</td>" }
            out.append("<tr\(rulesAfter.contains(k) ? " class=\"rule\"" : "")>" + cells.joined() + "</tr>")
        }
        out.append("</tbody>")
        out.append("</table>")
        if !notes.isEmpty { out.append("<div class=\"notes\">" + notes.map { "<p>\(htmlEscaped($0))</p>" }.joined() + "</div>") }
        return out.joined(separator: "\n") + "\n"
    }
}

/// Text for HTML (and XML): `&`, `<`, `>` and `"` escaped.
func htmlEscaped(_ s: String) -> String {
    escaped(s, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"])
}

/// `s` with each character that `replacements` names replaced: the one escaping loop behind the
/// HTML and LaTeX renderings.
func escaped(_ s: String, _ replacements: [Character: String]) -> String {
    var r = ""
    for ch in s {
        if let rep = replacements[ch] { r += rep } else { r.append(ch) }
    }
    return r
}
