/// Which tasks `Catalog.list` returns, most recently updated first (ties by task id).
///
/// A task matches when one of its assets matches every criterion given: `--script 2 --state failed`
/// lists the tasks whose script 2 failed, not those with a script 2 and some other failed asset.
public struct TaskFilter: Sendable, Equatable {
    public var scriptId: Int?
    /// A verification verdict (`match`, `mismatch`, `unreported`, `undecodable`).
    public var verdict: String?
    /// An asset state (`pending`, `archived`, `failed`, `absent`).
    public var state: String?
    public var role: AssetRole?
    /// Only tasks of this kind (`m2v`, `text2image`, …).
    public var kind: String?
    /// Only tasks whose id starts with this (exactly, case-sensitive).
    public var taskIdPrefix: String?
    /// Only tasks in this state.
    public var taskState: TaskState?
    public var sort: TaskSort
    /// At most this many tasks; `nil` for all.
    public var limit: Int?
    /// Skip this many matching tasks first.
    public var offset: Int

    public init(
        scriptId: Int? = nil,
        verdict: String? = nil,
        state: String? = nil,
        role: AssetRole? = nil,
        kind: String? = nil,
        taskIdPrefix: String? = nil,
        taskState: TaskState? = nil,
        sort: TaskSort = .updated,
        limit: Int? = nil,
        offset: Int = 0
    ) {
        self.scriptId = scriptId
        self.verdict = verdict
        self.state = state
        self.role = role
        self.kind = kind
        self.taskIdPrefix = taskIdPrefix.flatMap { $0.isEmpty ? nil : $0 }
        self.taskState = taskState
        self.sort = sort
        self.limit = limit
        self.offset = offset
    }

    /// Every task.
    public static let all = TaskFilter()

    /// True when the filter looks at assets at all.
    public var hasAssetCriteria: Bool { scriptId != nil || verdict != nil || state != nil || role != nil }
}
