import _DiDKitParallel
import Foundation
import Tabular

/// A deterministic synthetic person-year register shaped like the reference
/// study's youth analysis (`shared/study/reference-study.md`, analysis 1).
///
/// - Persons: by default 14,641 controls and 289 participants (the study's
///   pool and treated counts); `persons` scales both, keeping the share.
///   Participants' start years 2012-2015 in the published proportions
///   8/29/110/142.
/// - Person-years 2008-2016.
/// - Covariates of appendix table 7.1, drawn per group so that the
///   before-matching means are close to the published ones (age in 2010
///   10.85 vs 11.53, non-Western 0.86 vs 0.26, ...): that is the
///   participation model (participants differ as they did).
/// - The outcome `leisure_job` is drawn from a logit whose terms are the
///   published model-2 odds ratios, including the treated x event-time
///   interactions 0.635, 0.927, 1, 3.271, 2.577 at start-3 ... start+1.
/// - Paid hours (`paid_hours` per year, `paid_hours_q3` in the third quarter), for the
///   study's robustness outcomes (>= 26, >= 51 hours, Q3 hours > 0): consistent with
///   `leisure_job` (at least 26 hours exactly when it is 1), missing in about 0.2 % of
///   person-years (then both are missing).
/// Each person has its own SplitMix64 stream (seeded from `seed` and the
/// person number), so any slice of persons can be generated independently. The hours come
/// from a second stream per person, so adding them changed no other column's values.
public struct DemoRegister: Sendable {
    /// The register's columns in order (`pnr` first): its CSV header, known before it is generated.
    public static var columnNames: [String] { ["pnr"] + DemoColumns.names }

    /// The study's sizes.
    public static let defaultControls = 14_641
    public static let defaultTreated = 289
    public static let defaultPersons = defaultControls + defaultTreated
    public static let startYearCounts: [(year: Int, count: Int)] = [(2012, 8), (2013, 29), (2014, 110), (2015, 142)]
    public static let years = 2008...2016
    /// Model-2 odds ratios of the treated x event-time interactions (appendix table 7.3).
    public static let interactionOddsRatios: [Int: Double] = [-3: 0.635, -2: 0.927, -1: 1, 0: 3.271, 1: 2.577]

    /// The register, one row per person and year.
    public let table: Table
    public let persons: Int
    public let treatedPersons: Int

    /// Generates the register.
    /// - Parameters:
    ///   - persons: total persons (default 14,930); the treated share is 289 / 14,930.
    ///   - seed: the random seed (default 2018, the study's year).
    public init(persons: Int = DemoRegister.defaultPersons, seed: UInt64 = 2018) {
        precondition(persons >= 20, "DemoRegister: at least 20 persons")
        let nT = Swift.max(4, Int((Double(persons) * Double(Self.defaultTreated) / Double(Self.defaultPersons)).rounded()))
        self.persons = persons
        treatedPersons = nT
        let nYears = Self.years.count
        let rows = persons * nYears
        var cols = DemoColumns(capacity: rows)
        // Start years of participants in the published proportions (largest-remainder allocation).
        var starts: [Int] = []
        let total = Self.startYearCounts.reduce(0) { $0 + $1.count }
        var allocated = Self.startYearCounts.map { Int(Double($0.count * nT) / Double(total)) }
        var remainders = Self.startYearCounts.enumerated().map { ($0.offset, Double($0.element.count * nT) / Double(total) - Double(allocated[$0.offset])) }
        remainders.sort { $0.1 > $1.1 }
        for k in 0..<(nT - allocated.reduce(0, +)) { allocated[remainders[k % remainders.count].0] += 1 }
        for (k, s) in Self.startYearCounts.enumerated() { starts += [Int](repeating: s.year, count: allocated[k]) }
        let chunk = Swift.max(1, persons / 200)
        for p in 0..<persons {
            var rng = SplitMix64(seed: seed ^ (UInt64(p + 1) &* 0xD1B5_4A32_D192_ED03))
            var hoursRng = SplitMix64(seed: (seed &+ 0x6F75_7273) ^ (UInt64(p + 1) &* 0x9E37_79B9_7F4A_7C15))
            let treated = p < nT
            DemoPerson.generate(person: p, treated: treated, start: treated ? starts[p] : nil, rng: &rng, hoursRng: &hoursRng, into: &cols)
            if (p + 1) % chunk == 0 || p + 1 == persons {
                ProgressReport.report("generating the register", done: p + 1, total: persons)
            }
        }
        table = cols.table()
    }
}

/// Column buffers of the demo register.
struct DemoColumns {
    var id = TextColumn()
    var numeric: [String: [Double]] = [:]
    static let names = ["year", "participant", "start_year", "age", "age2", "male", "nonwestern", "mother_young", "mother_24_30",
                        "father_young", "couple", "no_father", "children", "father_edu", "mother_edu", "father_vocational",
                        "mother_vocational", "father_employed", "mother_employed", "father_benefit_weeks", "mother_benefit_weeks",
                        "income", "gp", "specialist", "physio", "psychologist", "municipality", "inschool", "leisure_job", "paid_hours", "paid_hours_q3"]

    init(capacity: Int) {
        for n in Self.names { numeric[n] = [] ; numeric[n]!.reserveCapacity(capacity) }
    }

    mutating func append(_ name: String, _ v: Double) { numeric[name]!.append(v) }

    func table() -> Table {
        var columns: [(String, Column)] = [("pnr", .text(id))]
        for n in Self.names { columns.append((n, .numeric(numeric[n]!))) }
        return try! Table(columns)
    }
}

/// One person's draws (order fixed: changing it changes every number downstream).
enum DemoPerson {
    static func bernoulli(_ p: Double, _ rng: inout SplitMix64) -> Double { rng.uniform() < p ? 1 : 0 }

    static func categorical(_ probs: [Double], _ rng: inout SplitMix64) -> Int {
        let u = rng.uniform()
        var acc = 0.0
        for (k, p) in probs.enumerated() {
            acc += p
            if u < acc { return k }
        }
        return probs.count - 1
    }

    static func normal(_ rng: inout SplitMix64) -> Double {
        let u1 = Swift.max(rng.uniform(), 1e-300), u2 = rng.uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    static func poisson(_ lambda: Double, _ rng: inout SplitMix64) -> Double {
        let l = Foundation.exp(-lambda)
        var k = 0.0, p = 1.0
        repeat { k += 1; p *= rng.uniform() } while p > l
        return k - 1
    }

    /// Yearly and third-quarter paid hours given the leisure-job draw (at least 26 hours exactly
    /// when `job` is 1), from the person's second stream: missing with probability 0.002; with a
    /// job 26 + an exponential with mean 110 hours, a third of them none in Q3; without one none
    /// (three in four) or 1-25 hours. Nobody under 12 works.
    static func paidHours(job: Double, age: Double, rng: inout SplitMix64) -> (year: Double, q3: Double) {
        let missing = rng.uniform() < 0.002
        let u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform()
        if missing { return (.nan, .nan) }
        if age < 12 { return (0, 0) }
        if job == 1 {
            let hours = 26 + Foundation.floor(-Foundation.log(Swift.max(u1, 1e-300)) * 110)
            return (hours, u2 < 1.0 / 3 ? 0 : Foundation.floor(hours * (0.15 + 0.5 * u3)))
        }
        if u1 < 0.75 { return (0, 0) }
        let hours = 1 + Foundation.floor(25 * u2)
        return (hours, u3 < 0.5 ? 0 : Foundation.floor(hours * u3))
    }

    static func generate(person p: Int, treated: Bool, start: Int?, rng: inout SplitMix64, hoursRng: inout SplitMix64,
                         into c: inout DemoColumns) {
        let t = treated
        // Baseline characteristics (appendix table 7.1 means, treated | control).
        let ageAtReference: Double
        let referenceYear: Int
        if t {
            ageAtReference = 14 + Double(categorical([0.42, 0.26, 0.15, 0.09, 0.05, 0.03], &rng))
            referenceYear = start!
        } else {
            ageAtReference = 14 + Double(categorical([0.35, 0.23, 0.16, 0.11, 0.09, 0.06], &rng))
            referenceYear = 2014
        }
        let age2010 = ageAtReference - Double(referenceYear - 2010)
        let male = bernoulli(0.5, &rng)
        let nonwestern = bernoulli(t ? 0.86 : 0.26, &rng)
        let motherAge = categorical(t ? [0.21, 0.47, 0.32] : [0.15, 0.41, 0.44], &rng)
        let fatherYoung = bernoulli(t ? 0.03 : 0.04, &rng)
        let family = categorical(t ? [0.65, 0.33, 0.02] : [0.48, 0.48, 0.04], &rng)   // couple, no father, other
        let children = 1 + poisson(t ? 2.40 : 1.19, &rng)
        // Education categories: 1, 3-4, 5-6, 7-8, other (coded 1, 3, 5, 7, 9) for fathers;
        // 1, 3, 4, 5-6, other (coded 1, 3, 4, 5, 9) for mothers.
        let fatherEdu = [1.0, 3, 5, 7, 9][categorical(t ? [0.65, 0.10, 0.05, 0.03, 0.17] : [0.58, 0.20, 0.06, 0.02, 0.14], &rng)]
        let motherEdu = [1.0, 3, 4, 5, 9][categorical(t ? [0.52, 0.05, 0.07, 0.06, 0.30] : [0.18, 0.06, 0.36, 0.18, 0.22], &rng)]
        let fatherEmployed = bernoulli(t ? 0.33 : 0.36, &rng)
        let motherEmployed = bernoulli(t ? 0.24 : 0.60, &rng)
        // Benefit weeks: on benefits with probability q, then uniform 20-52 weeks (mean 36).
        let fatherWeeks = bernoulli(t ? 10.92 / 36 : 6.51 / 36, &rng) * (20 + 32 * rng.uniform())
        let motherWeeks = bernoulli(t ? 28.30 / 36 : 16.11 / 36, &rng) * (20 + 32 * rng.uniform())
        let incomeMean = t ? 279_784.0 : 295_591.0
        let income2010 = incomeMean * Foundation.exp(0.4 * normal(&rng) - 0.08)
        let gp = bernoulli(t ? 0.80 : 0.78, &rng)
        let specialist = bernoulli(t ? 0.24 : 0.23, &rng)
        let physio = bernoulli(0.05, &rng)
        let psychologist = bernoulli(0.02, &rng)
        let municipality = Double(1 + categorical(t ? [0.35, 0.25, 0.25, 0.15] : [0.20, 0.30, 0.25, 0.25], &rng))
        let fatherVocational: Double = fatherEdu == 3 ? 1 : 0
        let motherVocational: Double = motherEdu == 3 || motherEdu == 4 ? 1 : 0
        let couple: Double = family == 0 ? 1 : 0
        let noFather: Double = family == 1 ? 1 : 0

        // Outcome model: the published model-2 odds ratios (appendix table 7.3) as the truth.
        let municipalityOR = [1.0, 1.156, 0.898, 1.440][Int(municipality) - 1]
        let personEta = Foundation.log(0.798) * (t ? 1 : 0) + Foundation.log(1.046) * male + Foundation.log(0.866) * nonwestern
            + Foundation.log(1.207) * couple + Foundation.log(0.933) * noFather + Foundation.log(0.986) * children
            + Foundation.log(1.035) * fatherVocational + Foundation.log(1.181) * motherVocational + Foundation.log(1.008) * gp
            + Foundation.log(1.074) * specialist + Foundation.log(1.325) * physio + Foundation.log(1.141) * psychologist
            + Foundation.log(municipalityOR)

        for year in DemoRegister.years {
            let age = age2010 + Double(year - 2010)
            let e = start.map { year - $0 }
            let interaction = t ? (e.flatMap { DemoRegister.interactionOddsRatios[$0] }.map { Foundation.log($0) } ?? 0) : 0
            let eta = -40.5 + 4.457 * age - 0.1222 * age * age + personEta + interaction
            let job = age >= 12 ? bernoulli(1 / (1 + Foundation.exp(-eta)), &rng) : 0
            let inSchool: Double = age <= 19 ? (age >= 17 ? bernoulli(0.995, &rng) : 1) : bernoulli(0.7, &rng)
            let incomeMissing = rng.uniform() < 0.0025
            let income = incomeMissing ? Double.nan : (income2010 * (1 + 0.02 * Double(year - 2010))).rounded()
            c.id.append(personID(p))
            c.append("year", Double(year))
            c.append("participant", t ? 1 : 0)
            c.append("start_year", start.map(Double.init) ?? .nan)
            c.append("age", age)
            c.append("age2", age * age)
            c.append("male", male)
            c.append("nonwestern", nonwestern)
            c.append("mother_young", motherAge == 0 ? 1 : 0)
            c.append("mother_24_30", motherAge == 1 ? 1 : 0)
            c.append("father_young", fatherYoung)
            c.append("couple", couple)
            c.append("no_father", noFather)
            c.append("children", children)
            c.append("father_edu", fatherEdu)
            c.append("mother_edu", motherEdu)
            c.append("father_vocational", fatherVocational)
            c.append("mother_vocational", motherVocational)
            c.append("father_employed", fatherEmployed)
            c.append("mother_employed", motherEmployed)
            c.append("father_benefit_weeks", fatherWeeks.rounded())
            c.append("mother_benefit_weeks", motherWeeks.rounded())
            c.append("income", income)
            c.append("gp", gp)
            c.append("specialist", specialist)
            c.append("physio", physio)
            c.append("psychologist", psychologist)
            c.append("municipality", municipality)
            c.append("inschool", inSchool)
            c.append("leisure_job", job)
            let hours = paidHours(job: job, age: age, rng: &hoursRng)
            c.append("paid_hours", hours.year)
            c.append("paid_hours_q3", hours.q3)
        }
    }

    static func personID(_ p: Int) -> String {
        let digits = String(p + 1)
        return "P" + String(repeating: "0", count: Swift.max(0, 7 - digits.count)) + digits
    }
}
