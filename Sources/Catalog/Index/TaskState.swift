/// Where a task stands, for people browsing the catalog: one of three, every task in exactly one.
public enum TaskState: String, Sendable, Codable, CaseIterable {
    /// Every asset is archived (or absent upstream), nothing failed, no verdict says the video is wrong.
    case archived
    /// An asset failed, or a video's verdict is `mismatch` or `undecodable`: someone should look.
    case attention
    /// Not finished yet: an asset is being archived or waits for the task to settle, or the task has no asset yet.
    case pending
}

/// The order of a task list.
public enum TaskSort: String, Sendable, CaseIterable {
    /// Most recently updated first (ties by task id): the default.
    case updated
    /// First fully archived first; tasks never fully archived last.
    case archived
    /// Most recently fully archived first; tasks never fully archived last.
    case archivedDescending = "-archived"
}

extension TaskSummary {
    /// The task's state, from what the index stores (the same rule as the index's `taskState` filter).
    public var taskState: TaskState {
        if failedCount > 0 || verdicts.contains("mismatch") || verdicts.contains("undecodable") { return .attention }
        if assetCount > 0, !states.contains(AssetState.pending.rawValue) { return .archived }
        return .pending
    }
}
