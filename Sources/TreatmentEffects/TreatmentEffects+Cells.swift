import Tabular

/// The persons behind an estimate by arm: what the disclosure gate checks.
public struct ArmCells: Sendable, Equatable {
    public let treatedPersons: Int
    public let controlPersons: Int
    /// Persons with outcome 1 per arm, for a 0/1 outcome (nil otherwise).
    public let treatedOnes: Int?
    public let controlOnes: Int?
}

extension TreatmentEffects {
    /// The arm sizes of the estimation sample (the same listwise deletion as ``fit(_:)``) and,
    /// for a 0/1 outcome, the persons with outcome 1 per arm: a potential-outcome mean of a 0/1
    /// outcome is a share of its arm, so the gate checks both the 1s and the 0s.
    /// - Throws: as ``fit(_:)`` does for an unusable sample (deletion, treatment, outcome; the designs are not built).
    /// - Complexity: `O(n c)` over the `c` columns used.
    public func armCells(_ table: Table) throws -> ArmCells {
        let sample = try TreatmentEffectsArms(table, specification)
        return ArmCells(t: sample.t, y: sample.y)
    }
}

extension ArmCells {
    /// The cells of an estimation sample's 0/1 treatment `t` and outcome `y`.
    /// - Complexity: `O(n)`.
    init(t: [Double], y: [Double]) {
        var persons = [0, 0], ones = [0, 0]
        for i in t.indices {
            let arm = t[i] == 1 ? 1 : 0
            persons[arm] += 1
            if y[i] == 1 { ones[arm] += 1 }
        }
        let binary = y.allSatisfy { $0 == 0 || $0 == 1 }
        self.init(treatedPersons: persons[1], controlPersons: persons[0], treatedOnes: binary ? ones[1] : nil,
                  controlOnes: binary ? ones[0] : nil)
    }
}
