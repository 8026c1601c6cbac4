#if os(Linux)
import Glibc
#endif

/// glibc malloc tunables for the command-line tool's large arrays (Linux, glibc 2.35 or later): huge
/// pages, and freed memory kept in the process for the next stage.
///
/// Why: a whole-country run allocates, fills and frees many arrays of hundreds of megabytes (the
/// panel's outcome and period columns, a comparison set's design, the influence functions). Fresh
/// pages cost the kernel's zeroing, and on a VM with free page reporting (this machine) memory handed
/// back to the kernel returns to the host and costs the host's first touch again (0.3-0.5 GB/s,
/// Docs/Benchmarks.md, session 12).
/// - `glibc.malloc.hugetlb=1`: glibc asks for transparent huge pages on its large mappings
///   (`madvise(MADV_HUGEPAGE)`, honoured when THP is `madvise` or `always`): 512 times fewer faults.
///   Measured on 6M persons: `attgt` (DR, 999 draws) 46.3 -> 40.1 s, the reference study 45.8 -> 42.5 s.
///   On a later VM (2-core AMD EPYC, session 15) the 6M study still gained (14.7-15.0 s against
///   16.2-18.5 s) but the 1.5M study lost 0.4-0.6 s (a process's first huge pages there came at
///   0.5 GB/s, 4 KB pages at 3 GB/s): `DIDKIT_HUGE_PAGES=0` for runs of a few GB (Docs/Benchmarks.md).
/// - `glibc.malloc.mmap_max=0` and a trim threshold of 64 GB: every allocation comes from the heap and a
///   freed one stays there for the next, instead of each large array being a fresh `mmap` that `free`
///   unmaps; ``releaseFreedMemory()`` then leaves the heap alone too. Measured on 6M persons (session
///   13, the same binary alternating): `attgt` 27.9-29.9 -> 26.9-27.4 s (its estimate phase 13.5 -> 12.0 s),
///   the reference study 42.1 -> 37.4 s; peak memory 4.52 -> 4.54 GB and 5.00 -> 5.35 GB; at 1.5M persons
///   neutral in time, peak 1.35 -> 1.45 GB.
///
/// The outputs are the same byte for byte. glibc reads its tunables only when a process starts, so the
/// tool re-executes itself once (`/proc/self/exe`, the same arguments) with the tunables added to the
/// environment. It adds no tunable `GLIBC_TUNABLES` already names; not huge pages when the kernel has
/// THP switched off (`never`) or with `DIDKIT_HUGE_PAGES=0`; not the heap settings with
/// `DIDKIT_KEEP_FREED_MEMORY=0` (the opt-outs); and on any failure it simply goes on in this process.
/// Library users who want the same set the variable themselves before starting their program.
public enum MallocTunables {
    static let hugePages = "glibc.malloc.hugetlb=1"
    static let keepFreed = ["glibc.malloc.mmap_max=0", "glibc.malloc.trim_threshold=68719476736"]

    /// The tunables to add to `current` (the environment's `GLIBC_TUNABLES`), given the opt-outs and the kernel.
    static func additions(current: String, hugePagesWanted: Bool, keepFreedWanted: Bool, kernelOffersHugePages: Bool) -> [String] {
        var add: [String] = []
        if hugePagesWanted && kernelOffersHugePages { add.append(hugePages) }
        if keepFreedWanted { add += keepFreed }
        // A tunable the environment already names (with any value) is the user's choice.
        return add.filter { !current.contains($0.prefix { $0 != "=" }) }
    }

    /// Re-executes the tool with the tunables set, when that helps and is possible; otherwise returns.
    public static func enableByReexecuting() {
        #if os(Linux)
        func flag(_ name: String) -> Bool { getenv(name).map { String(cString: $0) } != "0" }
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
        let add = additions(current: current, hugePagesWanted: flag("DIDKIT_HUGE_PAGES"),
                            keepFreedWanted: flag("DIDKIT_KEEP_FREED_MEMORY"), kernelOffersHugePages: kernelOffersHugePages())
        guard !add.isEmpty else { return }
        let value = ([current].filter { !$0.isEmpty } + add).joined(separator: ":")
        guard setenv("GLIBC_TUNABLES", value, 1) == 0 else { return }
        _ = execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when execv failed: carry on without the tunables, leaving the environment as it was.
        if current.isEmpty { unsetenv("GLIBC_TUNABLES") } else { setenv("GLIBC_TUNABLES", current, 1) }
        #endif
    }

    /// Whether transparent huge pages are available to a process that asks (`always` or `madvise`).
    static func kernelOffersHugePages() -> Bool {
        #if os(Linux)
        guard let file = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return !String(decoding: bytes, as: UTF8.self).contains("[never]")
        #else
        return false
        #endif
    }
}
