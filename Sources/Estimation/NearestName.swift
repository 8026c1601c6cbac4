/// The candidate closest to `word` by edit distance (Levenshtein, case-insensitive),
/// for "did you mean" in error messages; nil when nothing is within half the word's length
/// (so `calliper` suggests `caliper`, but `xyz` suggests nothing).
///
/// Complexity: O(|word| x total length of the candidates).
public func nearestName(to word: String, in candidates: some Sequence<String>) -> String? {
    let w = Array(word.lowercased())
    var best: (name: String, distance: Int)?
    for c in candidates {
        let d = editDistance(w, Array(c.lowercased()))
        if d < (best?.distance ?? Int.max) { best = (c, d) }
    }
    guard let best, best.distance <= Swift.max(2, w.count / 2) else { return nil }
    return best.name
}

/// Levenshtein distance by the two-row dynamic programme.
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// " (did you mean 'x'?)" or "", for messages.
public func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
    nearestName(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}
