import Design
import Foundation
import Linalg
import Tabular

/// A balanced unit-by-period panel for the group-time estimators: one outcome
/// per unit and period, the unit's group (first treated period, 0 = never
/// treated), its baseline covariates and its cluster.
///
/// ## Contract
/// - Periods are the distinct values of the time column, sorted. Internally
///   the estimators work with period *positions* (0, 1, ...), so `anticipation`
///   counts periods; on a panel of consecutive years (a register) positions and
///   years differ by a constant and nothing changes. Event times `t - g` are
///   reported in the time column's own units (as R did's `aggte`).
/// - Balancing (R did's `panel = TRUE` requires a balanced panel; its
///   `BMisc::makeBalancedPanel` drops incomplete units): a unit missing any
///   period, or with a missing outcome, id, time, group or covariate value in
///   any period, is dropped; the count is put in ``notes``, never silent.
/// - The group must be constant within a unit (else ``StaggeredError/groupVaries(column:units:firstRow:earlier:found:)``);
///   a group after the last period is recoded to never treated (R did does the
///   same: such units are untreated throughout the sample), with a note; any
///   other group value that is not an observed period is an error.
/// - Covariates are taken at their baseline value: the unit's row in the first
///   period (the issue's convention; R did's `panel2cs2` takes the earlier period
///   of each 2x2 cell, the same for time-invariant covariates such as mpdta's
///   `lpop`). A covariate constant across units is dropped with a note (it is
///   collinear with the intercept). The design carries the intercept `_cons` last.
/// - Complexity: `O(N log N)` for `N` rows (sorting ids), `O(n k)` memory for the
///   baseline design of `n` units and `k` columns, `O(n T)` for the outcomes.
public struct StaggeredData: Sendable {
    /// The sorted distinct periods (time values).
    public let periods: [Int]
    /// The unit ids, in the order of the arrays below (sorted; for a text id column built from a
    /// ``Table``, the codes of its dictionary encoding).
    public let unitIDs: [Double]
    /// `outcome[p][i]`: the outcome of unit `i` in period position `p`.
    public let outcome: [[Double]]
    /// Per unit: the first treated period (time value), 0 for never treated.
    public let groups: [Int]
    /// Baseline design `n x k`, columns ``covariateNames`` (`_cons` last).
    public let covariates: Matrix
    public let covariateNames: [String]
    /// Per-unit cluster codes `0..<clusterCount` (nil: each unit its own cluster).
    public let clusters: [Int]?
    public let clusterCount: Int
    /// The cluster column's name when the panel was read from a ``Table`` with a cluster column (nil otherwise).
    public let clusterName: String?
    /// Whether every outcome value is 0 or 1 (effects are then reported in percentage points).
    public let isBinaryOutcome: Bool
    /// Units dropped while balancing the panel.
    public let droppedUnits: Int
    /// What was done to the data (dropped units, recoded groups, dropped covariates).
    public let notes: [String]

    public var unitCount: Int { groups.count }
    public var periodCount: Int { periods.count }

    /// Builds the panel from row arrays (one row per unit and period).
    ///
    /// - Parameters:
    ///   - covariates: optional `N x k` matrix of covariates per row (without an intercept), named `covariateNames`;
    ///     each unit's first-period row is used.
    ///   - cluster: optional cluster code per row (constant within a unit).
    ///   - notes: notes from upstream (rows already left out for missing values), kept first.
    /// - Throws: ``StaggeredError``.
    public init(id: [Double], time: [Double], outcome: [Double], group: [Double], covariates: Matrix? = nil,
                covariateNames: [String] = [], cluster: [Int]? = nil, notes upstreamNotes: [String] = []) throws {
        let nRows = id.count
        for (a, what) in [(time, "time"), (outcome, "outcome"), (group, "group")] where a.count != nRows {
            throw StaggeredError.lengthMismatch(expected: nRows, found: a.count, what: "the \(what) array")
        }
        if let c = cluster, c.count != nRows { throw StaggeredError.lengthMismatch(expected: nRows, found: c.count, what: "the cluster array") }
        if let x = covariates {
            if x.rows != nRows { throw StaggeredError.lengthMismatch(expected: nRows, found: x.rows, what: "the covariate matrix") }
            if x.columns != covariateNames.count {
                throw StaggeredError.invalidOption("the covariate matrix has \(x.columns) columns but \(covariateNames.count) names")
            }
        }
        self.init(parts: try Self.assemble(id: id, time: time, outcome: outcome, group: group,
                                           covariates: covariates.map(MatrixRowCovariates.init), covariateNames: covariateNames,
                                           cluster: cluster, notes: upstreamNotes))
    }

    init(parts: Parts) {
        periods = parts.periods
        unitIDs = parts.unitIDs
        outcome = parts.outcome
        groups = parts.groups
        covariates = parts.covariates
        covariateNames = parts.covariateNames
        clusters = parts.clusters
        clusterCount = parts.clusterCount
        clusterName = parts.clusterName
        isBinaryOutcome = parts.isBinaryOutcome
        droppedUnits = parts.droppedUnits
        var notes = parts.notes
        if parts.clusters != nil && parts.clusterCount < Self.fewClusters {
            let what = parts.clusterName.map { "'\($0)'" } ?? "the cluster ids"
            notes.append("only \(parts.clusterCount) cluster\(parts.clusterCount == 1 ? "" : "s") of \(what) among the balanced units: with fewer than about \(Self.fewClusters) clusters, cluster-robust standard errors can be too small (Cameron & Miller 2015); read them with care")
        }
        self.notes = notes
    }

    /// Below this many clusters the panel's notes warn that cluster-robust standard errors can be too small.
    /// R did, fixest and Stata do not warn; about 30 to 50 clusters is the usual line (Cameron & Miller 2015,
    /// "A Practitioner's Guide to Cluster-Robust Inference", J. Human Resources 50(2), section VI).
    public static let fewClusters = 30
}
