/// The controls still available, over positions `0..<count` of a sorted
/// array, with amortised near-constant "nearest available to the left/right"
/// queries (two union-find forests with path halving: a removed position
/// points to its neighbour in each direction).
///
/// Hand-written: no Swift package offers a deletable sorted sequence with
/// predecessor/successor queries of this cost; a balanced tree would add a
/// log factor and an allocation per node for six million controls.
struct AvailableControls {
    /// `leftLink[i + 1]`: position `i` if available, else a position further left; `leftLink[0]` is the sentinel (-1).
    private var leftLink: [Int32]
    /// `rightLink[i]`: position `i` if available, else further right; `rightLink[count]` is the sentinel.
    private var rightLink: [Int32]
    let count: Int

    init(count: Int) {
        precondition(count < Int(Int32.max), "AvailableControls: too many controls")
        self.count = count
        leftLink = (0...count).map { Int32($0) }
        rightLink = (0...count).map { Int32($0) }
    }

    /// The largest available position `<= i`, or -1.
    mutating func nearestLeft(_ i: Int) -> Int {
        var x = i + 1
        while Int(leftLink[x]) != x {
            let parent = Int(leftLink[x])
            leftLink[x] = leftLink[parent]
            x = parent
        }
        return x - 1
    }

    /// The smallest available position `>= i`, or `count`.
    mutating func nearestRight(_ i: Int) -> Int {
        var x = i
        while Int(rightLink[x]) != x {
            let parent = Int(rightLink[x])
            rightLink[x] = rightLink[parent]
            x = parent
        }
        return x
    }

    /// Marks position `i` as used.
    mutating func remove(_ i: Int) {
        leftLink[i + 1] = Int32(i)      // points to position i - 1 (offset by one)
        rightLink[i] = Int32(i + 1)
    }

    func isAvailable(_ i: Int) -> Bool { Int(rightLink[i]) == i }
}
