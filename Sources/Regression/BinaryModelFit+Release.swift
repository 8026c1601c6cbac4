import Linalg

extension BinaryModelFit {
    /// The same fit without the design it keeps for sandwich covariances: coefficients, the OIM
    /// covariance (``oimTable``), the linear predictor and every statistic stay; ``covariance(_:)``
    /// with `robust` or `cluster` then throws ``RegressionError/designReleased``.
    ///
    /// The design is the fit's largest part (a propensity model on a 6M-person baseline holds
    /// 6M x 26 doubles, 1.25 GB). A study that reports only the model's OIM table, as the
    /// reference study's propensity model does (psmatch2 and Stata's `logit` default), drops it
    /// once the match is made, so that later stages do not carry it.
    public func releasingDesign() -> BinaryModelFit {
        var fit = self
        fit.design = ReleasedDesign(columns: design.columns)
        return fit
    }

    /// Whether ``releasingDesign()`` dropped the design (robust and clustered SEs are then unavailable).
    public var isDesignReleased: Bool { design is ReleasedDesign }
}

/// The stand-in for a released design: its shape only; it is never read (the covariances that
/// would read it throw first).
struct ReleasedDesign: RowBlockSource {
    let columns: Int
    var rows: Int { 0 }
    func fill(_ block: inout RowBlock, rows range: Range<Int>) {
        preconditionFailure("ReleasedDesign.fill: the design was released (BinaryModelFit.releasingDesign())")
    }
}
