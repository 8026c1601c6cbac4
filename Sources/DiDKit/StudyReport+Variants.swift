import Estimation
import Foundation

/// Another run of the same study (e.g. controls inheriting their partner's start year) whose
/// whole report is written in a subfolder of the main one and linked from its index.
public struct StudyReportVariant: Sendable {
    /// Heading in the index, e.g. "Controls inherit their partner's start year".
    public var title: String
    /// Subfolder name (a slug: letters, digits, `-`).
    public var folder: String
    public var report: StudyReport

    public init(title: String, folder: String, report: StudyReport) {
        self.title = title
        self.folder = folder
        self.report = report
    }
}

extension StudyReport {
    /// The treated x event-time estimates of the last model of this report and of `other`
    /// side by side (from the gated documents): the reference study's pseudo start comparison
    /// (controls at a fixed pseudo start year vs each matched control inheriting its partner's).
    /// Column headings describe each report's pseudo start rule.
    public func pseudoStartComparison(with other: StudyReport) -> ReportTable {
        guard let f = modelDocuments.last?.document, let q = other.modelDocuments.last?.document else {
            return ReportTable(title: "", columns: [], rows: [])
        }
        let rows = zip(f.eventStudy, q.eventStudy).map { a, b -> [String] in
            func cell(_ p: EventStudyDocument.Point) -> String {
                if p.reference { return "reference" }
                if p.suppressed == true { return "withheld" }
                return "\(Format.fixed(p.estimate ?? .nan, 3)) [\(Format.fixed(p.ciLower ?? .nan, 3)), \(Format.fixed(p.ciUpper ?? .nan, 3))]"
            }
            return [EffectLabel.eventText(a.eventTime), cell(a), cell(b)]
        }
        func heading(_ r: StudyReport) -> String {
            let pool = r.result.specification.controlPool
            return pool.pseudoStart == .fixed ? "Controls start \(pool.pseudoStartYear)" : "Controls inherit partner's start"
        }
        let scale = f.effects.scale == .oddsRatio ? "odds ratios" : "estimates"
        return ReportTable(title: "Treated x event-time \(scale) by pseudo start rule (last model) [95% CI]",
                           columns: ["Event time", heading(self), heading(other)], rows: rows,
                           notes: ["Inheriting the partner's start year gives each pair one calendar, so event time means the same for both (see Docs/DifferenceInDifferences.md)."])
    }

    /// The comparison with the first variant whose pseudo start rule differs from this report's, if any.
    func pseudoStartComparisonTable() -> ReportTable? {
        let rule = result.specification.controlPool.pseudoStart
        guard let v = variants.first(where: { $0.report.result.specification.controlPool.pseudoStart != rule }) else { return nil }
        return pseudoStartComparison(with: v.report)
    }

    /// Writes each variant's whole report (tables, plots, index.md, index.html, results.json)
    /// into its subfolder of `root`.
    func writeVariants(to root: URL) throws -> [String] {
        var written: [String] = []
        for v in variants {
            let dir = root.appendingPathComponent(v.folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            written += try v.report.writeFiles(to: dir).map { "\(v.folder)/\($0)" }
        }
        return written
    }
}
