/// The bounds of `count` elements split into near-equal parts for the cores: `parts + 1` indices from 0
/// to `count`, part `k` being `starts[k] ..< starts[k + 1]`, with at most `maximumParts` parts and, when
/// there is more than one, at least `minimumPart` elements in each (one part below that: a task per
/// part costs microseconds, so small inputs stay on one core). The shape ``parallelParts(starts:fill:)``
/// and a `parallelMap` over parts take.
/// - Precondition: `count >= 0`, `minimumPart >= 1`, `maximumParts >= 1`.
public func partStarts(count: Int, minimumPart: Int, maximumParts: Int = 64) -> [Int] {
    precondition(count >= 0 && minimumPart >= 1 && maximumParts >= 1, "partStarts: negative count or empty parts")
    let parts = Swift.max(1, Swift.min(maximumParts, count / minimumPart))
    return (0...parts).map { count * $0 / parts }
}
