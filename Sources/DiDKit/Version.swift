/// The package's version (semantic versioning; CHANGELOG.md lists what each version brought).
/// `didkit --version` prints it, and reports and CITATION.cff name it.
public enum DiDKitVersion {
    public static let current = "0.2.0"
}
