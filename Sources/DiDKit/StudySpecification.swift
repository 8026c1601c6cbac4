import Foundation
import Matching
import Panel
import Regression
import Staggered

/// A whole evaluation in one JSON file (`didkit run STUDY.json`): data,
/// treated and start years, control pool and pseudo start rule, window
/// conditions, matching, outcome, window, reference, model variants.
/// See Docs/StudyFile.md for the schema and a complete example.
public struct StudySpecification: Codable, Sendable, Equatable {
    public struct Treatment: Codable, Sendable, Equatable {
        /// 0/1 column marking participants (constant within a person).
        public var column: String
        /// Each participant's start year.
        public var start: String
    }

    public struct ControlPool: Codable, Sendable, Equatable {
        /// Optional 0/1 column marking the eligible control pool (default: every non-participant).
        public var column: String?
        /// `"fixed"` (everybody gets `pseudoStartYear`) or `"partner"` (each matched control inherits its partner's start year).
        public var pseudoStart: PseudoStartRule
        /// The fixed pseudo start year (the reference study: 2014); with `"partner"` it is the year used to check
        /// the pool's window conditions before matching.
        public var pseudoStartYear: Int
    }

    public struct Condition: Codable, Sendable, Equatable {
        public var column: String
        public var relativeYears: [Int]
        public var minimum: Double?
        public var maximum: Double?
        public var label: String?
    }

    public struct MatchingOptions: Codable, Sendable, Equatable {
        public var covariates: [String]
        public var factors: [String]?
        /// `{"calendar": 2010}` or `{"relative": -1}`: where baseline characteristics are read.
        public var baselineCalendarYear: Int?
        public var baselineRelativeYear: Int?
        /// `psmatch2`, `matchit` or `default`.
        public var preset: MatchingPreset?
        /// `logit` or `probit` (default: the preset's, probit for psmatch2, else logit).
        public var link: BinaryLink?
        public var neighbors: Int?
        public var caliper: Double?
        public var caliperScale: CaliperScale?
        public var replacement: Bool?
        /// Match exactly within start-year cohorts (needs `"partner"` or relative baselines to be meaningful).
        public var exactCohort: Bool?
        /// psmatch2's `ties`: every control at the nearest distance is matched, sharing the weight (needs replacement).
        public var ties: Bool?
    }

    public struct ModelVariant: Codable, Sendable, Equatable {
        public var name: String
        public var controls: [String]?
        public var factors: [String]?
        public var baseLevels: [String: String]?
        /// `logit` (default) or `ols`.
        public var model: EventStudyModel?
        /// The model's outcome column or derived outcome (default: the study's `outcome`).
        public var outcome: String? = nil
    }

    /// CSV file (relative paths from the study file's folder), or nil for the built-in demo register.
    public var data: String?
    public var title: String?
    public var id: String
    public var time: String
    public var treatment: Treatment
    public var controlPool: ControlPool
    public var conditions: [Condition]?
    public var matching: MatchingOptions
    public var outcome: String
    public var window: [Int]
    public var reference: Int?
    public var models: [ModelVariant]
    /// `oim`, `robust` or `cluster` (by person, the default).
    public var vce: VCEKind?
    /// Disclosure control: the smallest number of persons a published cell may rest on (default 5).
    public var minimumCellSize: Int?
    /// `matching`: the event studies weight each matched control by its matching weight (a control
    /// used k times counts k times, as MatchIt's weights); default `none` (each person once, with
    /// replacement each control enters once: the reference study's choice).
    public var weights: StudyWeights?
    /// Clusters of the cluster-robust SEs: `person` (default) or `pair` (the matched pair, Abadie
    /// & Spiess 2022; 1:1 matching without replacement only).
    public var clusterBy: ClusterUnit?
    /// Callaway & Sant'Anna group-time ATTs beside the event studies (optional).
    public var groupTime: GroupTimeOptions?
    /// 0/1 outcomes made from columns by a rule (StudySpecification+Outcomes.swift), usable as the
    /// study's or a model's `outcome`.
    public var derivedOutcomes: [DerivedOutcome]? = nil
    /// teffects-style estimators side by side on the baseline cross-section (optional; StudySpecification+Effects.swift).
    public var effects: EffectsOptions?

    /// The heterogeneity-robust estimator on the study's matched sample: participants with their
    /// start year as group, matched controls never treated, every year of the register, the
    /// study's outcome. Defaults are R did's (Docs/StaggeredAdoption.md).
    public struct GroupTimeOptions: Codable, Sendable, Equatable {
        /// `reg`, `ipw`, `dr` (default) or `drimp`.
        public var method: ATTMethod?
        /// `never` (default) or `notyet`.
        public var control: ComparisonGroup?
        /// `varying` (default) or `universal`.
        public var base: BasePeriod?
        public var anticipation: Int?
        /// Baseline (first-period) covariates of the propensity and outcome models.
        public var covariates: [String]?
        public var factors: [String]?
        /// Multiplier-bootstrap draws for uniform bands (0: analytic SEs only, the default).
        public var bootstrap: Int?
        public var seed: UInt64?

        public init(method: ATTMethod? = nil, control: ComparisonGroup? = nil, base: BasePeriod? = nil, anticipation: Int? = nil,
                    covariates: [String]? = nil, factors: [String]? = nil, bootstrap: Int? = nil, seed: UInt64? = nil) {
            self.method = method
            self.control = control
            self.base = base
            self.anticipation = anticipation
            self.covariates = covariates
            self.factors = factors
            self.bootstrap = bootstrap
            self.seed = seed
        }

        /// The estimator's options.
        public var options: StaggeredOptions {
            StaggeredOptions(method: method ?? .dr, control: control ?? .never, basePeriod: base ?? .varying,
                             anticipation: anticipation ?? 0, bootstrap: bootstrap ?? 0, seed: seed ?? 1)
        }
    }

    /// The reference study's youth analysis on the demo register (fixed pseudo start 2014).
    public static func referenceStudy(pseudoStart: PseudoStartRule = .fixed) -> StudySpecification {
        StudySpecification(
            data: nil, title: "Leisure-job activity (demo register)", id: "pnr", time: "year",
            treatment: Treatment(column: "participant", start: "start_year"),
            controlPool: ControlPool(column: nil, pseudoStart: pseudoStart, pseudoStartYear: 2014),
            conditions: [
                Condition(column: "age", relativeYears: [0], minimum: 14, maximum: 19, label: "aged 14-19 in the start year"),
                Condition(column: "inschool", relativeYears: [-1, 0, 1], minimum: 1, maximum: 1,
                          label: "in school in start-1, start and start+1"),
            ],
            matching: MatchingOptions(
                covariates: ["age", "nonwestern", "mother_young", "father_young", "mother_24_30", "couple", "no_father", "children",
                             "father_edu", "mother_edu", "father_employed", "mother_employed", "father_benefit_weeks",
                             "mother_benefit_weeks", "income", "gp", "specialist"],
                factors: ["father_edu", "mother_edu"], baselineCalendarYear: 2010, baselineRelativeYear: nil,
                preset: .psmatch2, link: .logit, neighbors: 1, caliper: 0.01, caliperScale: .score, replacement: false,
                exactCohort: false),
            outcome: "leisure_job", window: [-3, 1], reference: -1,
            models: [
                ModelVariant(name: "Model 1", controls: [], factors: nil, baseLevels: nil, model: .logit),
                ModelVariant(name: "Model 2", controls: ["male", "age", "age2", "nonwestern", "couple", "no_father", "children",
                                                         "father_vocational", "mother_vocational", "income", "gp", "specialist",
                                                         "physio", "psychologist"],
                             factors: ["municipality"], baseLevels: ["municipality": "1"], model: .logit),
            ],
            vce: .cluster, minimumCellSize: 5, weights: nil, clusterBy: nil, groupTime: nil)
    }

    /// Parses and validates a study file, strictly: an unknown key or option value is an error
    /// naming it and the nearest valid one (``StrictJSONDecoder``), never ignored or defaulted.
    /// - Throws: ``StudyError``.
    public static func load(path: String) throws -> StudySpecification {
        guard let data = FileManager.default.contents(atPath: path) else { throw StudyError.cannotRead(path) }
        let spec: StudySpecification
        do { spec = try StrictJSONDecoder.decode(StudySpecification.self, from: data) } catch {
            throw StudyError.invalidStudyFile(path, String(describing: error))
        }
        do { try spec.validate() } catch let StudyError.invalidOption(why) { throw StudyError.invalidStudyFile(path, why) }
        return spec
    }
}

/// Whether the event studies use the matching weights.
public enum StudyWeights: String, StrictOption {
    case none, matching
    public static let optionName = "weights"
}

/// What the cluster-robust standard errors cluster on.
public enum ClusterUnit: String, StrictOption {
    case person, pair
    public static let optionName = "clusterBy"
}

/// How matched controls get their (pseudo) start year.
public enum PseudoStartRule: String, StrictOption {
    /// Every control gets `pseudoStartYear` (the reference study: 2014).
    case fixed
    /// Each matched control inherits its partner's start year.
    case partner

    public static let optionName = "controlPool.pseudoStart"
}

/// Problems with a study file or its run.
public enum StudyError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotRead(String)
    case invalidStudyFile(String, String)
    case invalidOption(String)

    public var description: String {
        switch self {
        case .cannotRead(let p): return "cannot read the study file '\(p)': \(whyUnreadable(p)); check the path"
        case .invalidStudyFile(let p, let why): return "the study file '\(p)' is not valid: \(why) (see Docs/StudyFile.md for the schema)"
        case .invalidOption(let why): return "invalid study option: \(why)"
        }
    }
}
