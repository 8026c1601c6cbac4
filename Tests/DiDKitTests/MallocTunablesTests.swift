@testable import DiDKitCLI
import Testing

/// Which glibc tunables the tool adds before re-executing itself (``MallocTunables``): each one only
/// when wanted and not already named by the environment, so a user's own setting always wins.
@Suite struct MallocTunablesTests {
    static let all = ["glibc.malloc.hugetlb=1", "glibc.malloc.mmap_max=0", "glibc.malloc.trim_threshold=68719476736"]

    @Test func aPlainEnvironmentGetsHugePagesAndTheHeapSettings() {
        #expect(MallocTunables.additions(current: "", hugePagesWanted: true, keepFreedWanted: true, kernelOffersHugePages: true) == Self.all)
    }

    @Test func eachOptOutAndAKernelWithoutHugePagesDropsItsTunables() {
        #expect(MallocTunables.additions(current: "", hugePagesWanted: false, keepFreedWanted: true, kernelOffersHugePages: true)
                == Array(Self.all.dropFirst()))
        #expect(MallocTunables.additions(current: "", hugePagesWanted: true, keepFreedWanted: true, kernelOffersHugePages: false)
                == Array(Self.all.dropFirst()))
        #expect(MallocTunables.additions(current: "", hugePagesWanted: true, keepFreedWanted: false, kernelOffersHugePages: true)
                == [Self.all[0]])
    }

    @Test func aTunableTheEnvironmentNamesIsLeftAsTheUserSetIt() {
        let current = "glibc.malloc.trim_threshold=1000:glibc.malloc.hugetlb=0"
        #expect(MallocTunables.additions(current: current, hugePagesWanted: true, keepFreedWanted: true, kernelOffersHugePages: true)
                == ["glibc.malloc.mmap_max=0"])
        // Everything named already: nothing to add, so no re-execution (which also ends any loop).
        #expect(MallocTunables.additions(current: Self.all.joined(separator: ":"), hugePagesWanted: true, keepFreedWanted: true,
                                         kernelOffersHugePages: true).isEmpty)
    }
}
