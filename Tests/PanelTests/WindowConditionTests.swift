import Panel
import Tabular
import Testing

/// ``WindowCondition/firstFailing(_:values:panel:starts:)`` (persons in stripes on all cores) against the
/// serial rule it replaces: the first condition, in order, that does not hold.
@Suite struct WindowConditionTests {
    @Test func theFirstFailingConditionOfEachPersonIsTheSerialOnesAcrossStripes() throws {
        // 140,000 persons x 3 years (more than two stripes of 65,536); `age` and `school` vary by person,
        // some years are missing for some persons, and a third of the persons have no start year.
        let persons = 140_000
        var id: [Double] = [], year: [Double] = [], age: [Double] = [], school: [Double] = []
        for p in 0..<persons {
            for y in 2010...2012 where !(p % 17 == 3 && y == 2011) {
                id.append(Double(p)); year.append(Double(y))
                age.append(Double(10 + (p * 7 + y) % 12)); school.append(p % 5 == 0 && y == 2012 ? 0 : 1)
            }
        }
        let table = try Table([("id", .numeric(id)), ("year", .numeric(year)), ("age", .numeric(age)), ("school", .numeric(school))])
        let panel = try PersonYearPanel(table, id: "id", time: "year")
        let conditions = [
            WindowCondition(column: "age", relativeYears: [0], minimum: 14, maximum: 19),
            WindowCondition(column: "school", relativeYears: [-1, 0, 1], minimum: 1, maximum: 1),
        ]
        let values = try conditions.map { try panel.table.numeric($0.column) }
        let starts: [Int?] = (0..<panel.personCount).map { $0 % 3 == 1 ? nil : 2011 }
        let got = WindowCondition.firstFailing(conditions, values: values, panel: panel, starts: starts)
        var failures = [0, 0, 0]
        for p in 0..<panel.personCount {
            let want = starts[p].flatMap { s in conditions.indices.first { !conditions[$0].holds(panel: panel, person: p, start: s, values: values[$0]) } }
            #expect(Int(got[p]) == (want ?? -1), "person \(p)")
            if let k = want { failures[k] += 1 } else if starts[p] != nil { failures[2] += 1 }
        }
        // Every outcome occurs: some fail the first condition, some the second only, some pass both.
        #expect(failures.allSatisfy { $0 > 1_000 }, "\(failures)")
    }
}
