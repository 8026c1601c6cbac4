import Foundation

extension StudyReport {
    /// The report as one self-contained page (`index.html`): every table and plot of the report,
    /// inline CSS and SVG (no network, no scripts), a contents list, and print styles so that a
    /// browser's "print to PDF" gives a clean document. The same gated documents as every other
    /// output. Well-formed XML (XHTML), so that tests parse it.
    public func html() -> String {
        let spec = result.specification
        let title = spec.title ?? "DiDKit study"
        var sections: [(id: String, heading: String, body: [String])] = []
        sections.append(("design", "Design", ["<ul>",
            "<li>Outcome: \(outcomeSummary(code: { "<code>\(htmlEscaped($0))</code>" })); event window start\(spec.window[0]) to start+\(spec.window[1]); reference period start\(spec.reference ?? -1).</li>",
            "<li>Pseudo start year for controls: \(spec.controlPool.pseudoStart == .fixed ? String(spec.controlPool.pseudoStartYear) : "inherited from the matched partner").</li>",
            "<li>Disclosure control: cells resting on fewer than \(disclosure.minimumCellSize) persons are suppressed (shown as &lt;\(disclosure.minimumCellSize) or withheld).</li>",
            "</ul>"]))
        sections.append(("who", "Who is in the study", [exclusionsTable().html]))
        sections.append(("balance", "Balance before and after matching", [balanceTable().table.html, figure(histogramSVG(), "Propensity scores"),
                                                                           figure(lovePlotSVG(), "Love plot: SMD before and after matching")]))
        sections.append(("propensity-model", "Propensity-score model", [propensityModelTable().html]))
        var models = [modelsTable().html]
        for ((name, r), (_, doc)) in zip(result.models, modelDocuments) {
            models += ["<h3>\(htmlEscaped(name))</h3>", doc.eventStudyTable().html, figure(eventStudySVG(r, name: name), "Event study, \(name)"),
                       doc.predictedTable().html, figure(predictedSVG(r, name: name), "Predicted probabilities, \(name)")]
        }
        sections.append(("models", "Models", models))
        if groupTimeDocument != nil {
            var body = groupTimeTables().map(\.1.html)
            if let svg = groupTimeSVG() { body.append(figure(svg, "Group-time ATTs by event time")) }
            sections.append(("group-time", "Group-time ATTs (Callaway & Sant'Anna)", body))
        }
        sections += extraHTMLSections()
        if let t = effectsTable() { sections.append(("effects", "Treatment effects (robustness)", [t.html])) }
        var page = ["<!DOCTYPE html>", "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">", "<head>", "<meta charset=\"utf-8\"/>",
                    "<title>\(htmlEscaped(title))</title>", "<style>", Self.css, "</style>", "</head>", "<body>",
                    "<h1>\(htmlEscaped(title))</h1>",
                    "<p class=\"lead\">Produced by DiDKit \(DiDKitVersion.current). Aggregates only: no person-level rows.</p>",
                    "<nav><h2>Contents</h2><ol>" + sections.map { "<li><a href=\"#\($0.id)\">\(htmlEscaped($0.heading))</a></li>" }.joined() + "</ol></nav>"]
        for s in sections {
            page.append("<section id=\"\(s.id)\">")
            page.append("<h2>\(htmlEscaped(s.heading))</h2>")
            page += s.body
            page.append("</section>")
        }
        page += ["</body>", "</html>"]
        return page.joined(separator: "\n") + "\n"
    }

    /// An SVG plot inline in a figure (its XML declaration dropped).
    func figure(_ svg: String, _ caption: String) -> String {
        let body = svg.hasPrefix("<?xml") ? String(svg.drop { $0 != "\n" }.dropFirst()) : svg
        return "<figure>\n\(body)\n<figcaption>\(htmlEscaped(caption))</figcaption>\n</figure>"
    }

    static let css = """
    body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
    h1 { font-size: 1.6rem; } h2 { font-size: 1.3rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; } h3 { font-size: 1.1rem; }
    table { border-collapse: collapse; margin: 1rem 0; font-size: .85rem; font-variant-numeric: tabular-nums; }
    caption { text-align: left; font-weight: bold; padding-bottom: .4rem; }
    th, td { padding: .2rem .6rem; text-align: right; border-bottom: 1px solid #eee; }
    thead th { border-top: 2px solid #222; border-bottom: 1px solid #222; }
    thead th:first-child { text-align: left; }
    tbody th { text-align: left; font-weight: normal; }
    tbody tr:last-child th, tbody tr:last-child td { border-bottom: 2px solid #222; }
    tr.rule th, tr.rule td { border-bottom: 1px solid #222; }
    .notes p { font-size: .75rem; color: #555; margin: .15rem 0; }
    figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; } figcaption { font-size: .8rem; color: #555; }
    nav ol { columns: 2; }
    @media print { nav { display: none; } body { max-width: none; margin: 0; } section { break-inside: avoid-page; } table, figure { break-inside: avoid; } }
    """
}
