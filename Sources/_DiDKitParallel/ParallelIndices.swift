/// The indices in `0..<count` where `included(i)` holds, in increasing order.
///
/// Each part of the range (``partStarts(count:minimumPart:maximumParts:)``) counts its indices, then
/// writes them at its place in one allocation of the exact size, the parts on all cores. `filter`
/// grows its result by doubling instead, each growth copying what it holds into fresh memory: on a
/// whole-country design's 6M rows that was 0.2 s of CPU, most of it the kernel zeroing pages.
/// `included` is called twice per index, so it should be a cheap, pure test (a flag, a comparison).
/// - Complexity: O(count), spread over the cores.
public func indices(count: Int, where included: @Sendable (Int) -> Bool) -> [Int] {
    let parts = partStarts(count: count, minimumPart: 262_144)
    let counts: [Int] = parallelMap(count: parts.count - 1) { k in
        var c = 0
        for i in parts[k]..<parts[k + 1] where included(i) { c += 1 }
        return c
    }
    var starts = [0]
    for c in counts { starts.append(starts[starts.count - 1] + c) }
    return parallelParts(starts: starts) { k, out in
        var at = 0
        for i in parts[k]..<parts[k + 1] where included(i) {
            out[at] = i
            at += 1
        }
    }
}
