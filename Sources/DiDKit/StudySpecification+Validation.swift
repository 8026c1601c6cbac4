import Panel

extension StudySpecification {
    /// What the types cannot check, at the study-file and API boundary, before any data are
    /// read: the window and reference, the cell size, the model names, the matching options,
    /// the conditions and the column roles. Each problem is one sentence naming the key.
    /// - Throws: ``StudyError/invalidOption(_:)``.
    public func validate() throws {
        func invalid(_ why: String) -> StudyError { .invalidOption(why) }
        guard window.count == 2, window[0] <= window[1] else { throw invalid("window must be [LOW, HIGH] with LOW <= HIGH, e.g. [-3, 1]") }
        let limit = EventStudySpecification.maximumEventTime
        guard window[0] >= -limit, window[1] <= limit, window[1] - window[0] < EventStudySpecification.maximumWindowLength else {
            throw invalid("window [\(window[0]), \(window[1])] is wider than \(EventStudySpecification.maximumWindowLength) periods or reaches beyond +-\(limit): narrow it to the years the registers cover")
        }
        let ref = reference ?? -1
        guard window[0] <= ref && ref <= window[1] else { throw invalid("reference \(ref) must lie inside the window [\(window[0]), \(window[1])]") }
        guard window[0] < window[1] else {
            throw invalid("the window [\(window[0]), \(window[1])] holds only the reference period: an event study needs at least one other event time")
        }
        if let k = minimumCellSize, k < 1 {
            throw invalid("minimumCellSize must be at least 1 (Statistics Denmark's rule is 3, many agencies' 5), got \(k)")
        }
        try validateModels()
        try validateOutcomes()
        try validateMatching()
        try validateEffects()
        for (k, c) in (conditions ?? []).enumerated() {
            if c.relativeYears.isEmpty { throw invalid("conditions[\(k)].relativeYears is empty: list the years relative to the start, e.g. [0]") }
            if let lo = c.minimum, let hi = c.maximum, lo > hi { throw invalid("conditions[\(k)]: minimum \(lo) exceeds maximum \(hi)") }
        }
        if clusterBy == .pair {
            if matching.replacement ?? ((matching.preset ?? .default) == .psmatch2) || (matching.neighbors ?? 1) > 1 {
                throw invalid("clusterBy \"pair\" needs 1:1 matching without replacement (a control in several pairs has no one pair): set matching.replacement to false and matching.neighbors to 1, or cluster by person")
            }
            if vce != nil && vce != .cluster { throw invalid("clusterBy is used only with vce \"cluster\"") }
        }
        if let g = groupTime {
            if let a = g.anticipation, a < 0 { throw invalid("groupTime.anticipation must be 0 or more periods, got \(a)") }
            if let b = g.bootstrap, b < 0 || (b > 0 && b < 20) {
                throw invalid("groupTime.bootstrap must be 0 (analytic SEs) or at least 20 draws (999 as R did), got \(b)")
            }
        }
        let roles = [("id", id), ("time", time), ("treatment.column", treatment.column), ("treatment.start", treatment.start),
                     ("outcome", outcome)]
        for i in roles.indices {
            for j in roles.indices where j > i && roles[i].1 == roles[j].1 {
                throw invalid("the column '\(roles[i].1)' is given two roles (\(roles[i].0) and \(roles[j].0)): each role needs its own column")
            }
        }
    }

    func validateModels() throws {
        if models.isEmpty { throw StudyError.invalidOption("models is empty: give at least one model, e.g. {\"name\": \"Model 1\"}") }
        var slugs: [String: String] = [:]
        for m in models {
            if m.slug.isEmpty { throw StudyError.invalidOption("a model needs a name with a letter or digit, got '\(m.name)'") }
            if let other = slugs[m.slug] {
                throw StudyError.invalidOption("the models '\(other)' and '\(m.name)' would write the same files (\(m.slug)): give them distinct names")
            }
            slugs[m.slug] = m.name
            // A base level for a column that is not a factor would be ignored; a role column among the controls would
            // enter the model twice (the treatment, start or outcome) or make no sense (the id, the year).
            for f in (m.baseLevels ?? [:]).keys.sorted() where !(m.factors ?? []).contains(f) {
                throw StudyError.invalidOption("model '\(m.name)': baseLevels names '\(f)', which is not among its factors: add it to factors, or drop the base level")
            }
            let roles = [("id", id), ("time", time), ("treatment.column", treatment.column), ("treatment.start", treatment.start),
                         ("outcome", m.outcome ?? outcome)]
            for c in (m.controls ?? []) + (m.factors ?? []) {
                for part in c.split(separator: ":").map(String.init) {
                    if let role = roles.first(where: { $0.1 == part }) {
                        throw StudyError.invalidOption("model '\(m.name)': the column '\(part)' is among its controls or factors but is also the study's \(role.0): each role needs its own column")
                    }
                }
            }
        }
    }

    func validateMatching() throws {
        let m = matching
        if m.covariates.isEmpty { throw StudyError.invalidOption("matching.covariates is empty: the propensity score needs covariates") }
        if let c = m.caliper, !(c.isFinite && c > 0) { throw StudyError.invalidOption("matching.caliper must be a positive number, got \(c)") }
        if let k = m.neighbors, k < 1 { throw StudyError.invalidOption("matching.neighbors must be at least 1, got \(k)") }
        if m.baselineCalendarYear != nil && m.baselineRelativeYear != nil {
            throw StudyError.invalidOption("matching gives both baselineCalendarYear and baselineRelativeYear: give one")
        }
        if m.ties == true && !(m.replacement ?? ((m.preset ?? .default) == .psmatch2)) {
            throw StudyError.invalidOption("matching.ties needs matching with replacement (psmatch2's ties option): set matching.replacement to true or drop ties")
        }
    }
}

extension StudySpecification.ModelVariant {
    /// The model's name in file names: lower case, runs of anything but letters and digits as one `-`.
    public var slug: String { Self.slug(of: name) }

    /// The file-name form of a model name (see ``slug``).
    public static func slug(of name: String) -> String {
        var out = ""
        for ch in name.lowercased() {
            if ch.isLetter || ch.isNumber { out.append(ch) } else if !out.isEmpty && out.last != "-" { out.append("-") }
        }
        while out.last == "-" { out.removeLast() }
        return out
    }
}
