import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Plots
import Testing

func isWellFormedXML(_ s: String) -> Bool { XMLParser(data: Data(s.utf8)).parse() }

@Suite("SVG plots")
struct PlotsTests {
    @Test("linear ticks are 1-2-5 steps inside the range; log ticks are 1-2-5 per decade")
    func ticks() {
        let lin = Axis(lower: 0, upper: 1, logarithmic: false, pixelLow: 0, pixelHigh: 100)
        #expect(lin.ticks() == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        let log = Axis(lower: 0.15, upper: 6, logarithmic: true, pixelLow: 0, pixelHigh: 100)
        #expect(log.ticks() == [0.2, 0.5, 1, 2, 5])
        #expect(log.map(1) > log.map(0.5) && Swift.abs(log.map(0.15)) < 1e-12 && Swift.abs(log.map(6) - 100) < 1e-9)
    }

    @Test("text is escaped")
    func escaping() {
        #expect(xmlEscape("a < b & \"c\"") == "a &lt; b &amp; &quot;c&quot;")
    }

    @Test("the event-study plot is well-formed, on a log axis, with the reference marked and one point per estimate")
    func eventStudy() {
        let pts = [EventStudyPlotPoint(eventTime: -2, estimate: 0.8, ciLower: 0.4, ciUpper: 1.6, isReference: false),
                   EventStudyPlotPoint(eventTime: -1, estimate: 1, ciLower: nil, ciUpper: nil, isReference: true),
                   EventStudyPlotPoint(eventTime: 0, estimate: 3.2, ciLower: 1.5, ciUpper: 6.9, isReference: false)]
        let svg = Plots.eventStudy(pts, oddsRatios: true)
        #expect(isWellFormedXML(svg))
        #expect(svg.components(separatedBy: "class=\"point estimate\"").count - 1 == 2)
        #expect(svg.contains("class=\"point reference\"") && svg.contains("log scale") && svg.contains(">start-2<"))
        // A missing CI is drawn without whiskers, not crashed on; non-positive values are skipped on a log axis.
        let odd = Plots.eventStudy([EventStudyPlotPoint(eventTime: 0, estimate: .nan, ciLower: nil, ciUpper: nil, isReference: false)], oddsRatios: true)
        #expect(isWellFormedXML(odd))
    }

    @Test("histograms and predicted-probability plots are well-formed, draw merged bins distinctly and skip withheld groups")
    func others() {
        let merged: (shares: [Double?], merged: [Bool]) = ([0.25, 0.25], [true, true])
        let alone: (shares: [Double?], merged: [Bool]) = ([0.8, 0.2], [false, false])
        let withheld: (shares: [Double?], merged: [Bool]) = ([nil, nil], [false, false])
        let h = Plots.scoreHistograms(edges: [0, 0.5, 1], treatedBefore: merged, controlBefore: alone, treatedAfter: withheld,
                                      controlAfter: alone, note: "merged")
        #expect(isWellFormedXML(h))
        #expect(h.contains("bar treated merged-suppressed"))
        #expect(h.components(separatedBy: "class=\"bar treated").count - 1 == 2)   // the withheld group draws nothing
        let p = Plots.predictedProbabilities(eventTimes: [-1, 0], treated: [(0.1, 0.05, 0.15), (0.3, 0.2, 0.4)],
                                             control: [(0.1, 0.06, 0.14), (0.12, 0.08, 0.16)], referencePeriod: -1)
        #expect(isWellFormedXML(p))
        #expect(p.contains("class=\"line treated\"") && p.contains("class=\"band control\""))
    }
}
