import ArgumentParser
import DiDKit

/// `--minimum-cell-size K`, on every command that writes aggregates (cli-contract.md,
/// "Disclosure control on every command").
struct DisclosureOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Smallest number of persons a published value may rest on (default 5; Statistics Denmark's rule is 3).")
    var minimumCellSize: Int?

    func validate() throws {
        if let k = minimumCellSize, k < 1 { throw ValidationError("--minimum-cell-size must be at least 1, got \(k)") }
    }

    /// The gate's rules: the flag, else `fallback` (a study file's value), else 5.
    func control(fallback: Int? = nil) -> DisclosureControl {
        DisclosureControl(minimumCellSize: Swift.max(1, minimumCellSize ?? fallback ?? 5))
    }
}
