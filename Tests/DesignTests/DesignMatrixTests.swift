import Design
import Tabular
import Testing

func csv(_ s: String) throws -> Table {
    try CSVReader.read(bytes: Array(s.utf8), source: "test.csv", kinds: [:], defaultKind: .auto)
}

@Suite("Design matrices")
struct DesignMatrixTests {
    @Test("term names follow the CLI contract; factor levels sort numerically or by bytes")
    func termNames() throws {
        let t = try csv("y,age,race,g,z\n0,30,2,b,1\n1,40,10,a,2\n0,50,1,c,3\n1,35,2,a,4\n")
        let d = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["age", "race", "g:z"], factors: ["race", "g"]))
        #expect(d.columnNames == ["age", "race=2", "race=10", "g=b:z", "g=c:z", "_cons"])
        #expect(d.matrix.row(1) == [40, 0, 1, 0, 0, 1])
        #expect(d.matrix.row(2) == [50, 0, 0, 0, 3, 1])
        let based = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["race"], factors: ["race"],
                                                                 baseLevels: ["race": "2"]))
        #expect(based.columnNames == ["race=1", "race=10", "_cons"])
        #expect(throws: DataError.self) {
            _ = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["race"], factors: ["race"], baseLevels: ["race": "7"]))
        }
    }

    @Test("text in a numeric term is an error that suggests declaring a factor")
    func textInNumericTerm() throws {
        let t = try csv("y,g\n0,a\n1,b\n")
        #expect(throws: DataError.self) { _ = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["g"])) }
    }

    @Test("coding rebuilds rows for new data and rejects unseen levels")
    func codingOnNewData() throws {
        let t = try csv("y,x,f\n0,1,a\n1,2,b\n0,3,a\n")
        let d = try DesignMatrix.build(t, ModelSpecification(outcome: "y", covariates: ["x", "f"], factors: ["f"]))
        let new = try csv("x,f\n5,b\n6,NA\n")
        let (m, missing) = try d.coding.matrix(for: new)
        #expect(m.row(0) == [5, 1, 1])
        #expect(missing == [1])
        #expect(throws: DataError.unknownFactorLevel(column: "f", level: "z", known: ["a", "b"])) {
            _ = try d.coding.matrix(for: try csv("x,f\n1,z\n"))
        }
    }
}

@Suite("Term names")
struct TermNameTests {
    @Test("term names are the CLI contract's (cli-contract.md, 'Term names')")
    func contractNames() {
        #expect(TermName.intercept == "_cons")
        #expect(TermName.factorLevel("race", "2") == "race=2")
        #expect(TermName.interaction(["treated", TermName.event(0)]) == "treated:event=0")
        #expect(TermName.event(-3) == "event=-3")
        #expect(TermName.treatedEvent(-3) == "treated:event=-3")
        #expect(TermName.treatedPost == "treated:post")
    }
}
