import Design
import Foundation
import RegisterFiles
import Regression
import Tabular
import Testing

/// The same model fitted on the CSV and on each register file gives the same
/// numbers to the last bit (the reader changes nothing a fit can see), and the
/// CSV fit agrees with statsmodels (Fixtures/logit_statsmodels.json, written by
/// make_fixtures.py: smf.logit("died ~ year + income + bmi + C(edu)", register.csv)).
@Suite struct RegisterFileEstimateTests {
    static let spec = ModelSpecification(outcome: "died", covariates: ["year", "income", "bmi", "edu"], factors: ["edu"])

    static func fit(_ table: Table) throws -> BinaryModelFit {
        try LogisticRegression().fit(try DesignMatrix.build(table, spec))
    }

    @Test(arguments: FixtureFiles.labelled)
    func logitOnEachFormatEqualsTheCSVFitExactly(file: String) throws {
        let csv = try Self.fit(FixtureFiles.csv(labelled: true))
        let other = try Self.fit(TableReader.read(path: FixtureFiles.path(file), kinds: FixtureFiles.kinds))
        #expect(other.names == csv.names)
        #expect(other.coefficients == csv.coefficients)
        #expect(other.logLikelihood == csv.logLikelihood)
        #expect(other.observations == csv.observations)
        #expect(other.droppedRows == csv.droppedRows)
    }

    @Test(arguments: FixtureFiles.unlabelled)
    func logitOnSASFilesEqualsTheCodedCSVFitExactly(file: String) throws {
        let csv = try Self.fit(FixtureFiles.csv(labelled: false))
        let other = try Self.fit(TableReader.read(path: FixtureFiles.path(file), kinds: FixtureFiles.kinds))
        #expect(other.names == csv.names)
        #expect(other.coefficients == csv.coefficients)
        #expect(other.logLikelihood == csv.logLikelihood)
    }

    @Test func csvFitAgreesWithStatsmodels() throws {
        struct Reference: Decodable { let names: [String]; let coefficients: [Double]; let nobs: Int; let llf: Double }
        let data = try Data(contentsOf: FixtureFiles.folder.appendingPathComponent("logit_statsmodels.json"))
        let reference = try JSONDecoder().decode(Reference.self, from: data)
        let fit = try Self.fit(FixtureFiles.csv(labelled: true))
        #expect(fit.observations == reference.nobs)
        #expect(abs(fit.logLikelihood - reference.llf) < 1e-8)
        for (name, b) in zip(reference.names, reference.coefficients) {
            let k = try #require(fit.names.firstIndex(of: name), "term \(name)")
            #expect(abs(fit.coefficients[k] - b) < 1e-7 * max(1, abs(b)), "\(name)")
        }
    }
}
