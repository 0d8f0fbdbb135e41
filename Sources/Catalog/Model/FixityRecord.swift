import Foundation

/// The last fixity check of a task (`reel verify`), kept in its manifest for the catalog page.
public struct FixityRecord: Codable, Sendable, Equatable, Hashable {
    public var checkedAt: Date
    /// How many problems it found (0: every file whole).
    public var problems: Int
    /// What `reel verify --repair` did about them, when it ran (`regenerated 2 files`, …).
    public var repair: String?

    public init(checkedAt: Date, problems: Int, repair: String? = nil) {
        self.checkedAt = checkedAt
        self.problems = problems
        self.repair = repair
    }
}
