/// A task as one query saw it.
public struct TaskSnapshot: Sendable, Codable, Equatable {
    public var taskId: String
    /// The ``TaskKind/name`` of the kind that was queried.
    public var kind: String
    /// The raw upstream task status (`init`, `running`, `success`, `fail`, `failed`).
    public var status: String?
    public var errorMsg: String?
    public var items: [VideoItem]

    public init(taskId: String, kind: String, status: String?, errorMsg: String?, items: [VideoItem]) {
        self.taskId = taskId
        self.kind = kind
        self.status = status
        self.errorMsg = errorMsg
        self.items = items
    }

    /// Task statuses after which the upstream will not change the task by itself.
    public static let terminalStatuses: Set<String> = ["success", "fail", "failed"]

    /// The task is over upstream and no item is still `init` or `running`: polling can stop.
    public var isSettled: Bool {
        guard let status = status?.lowercased(), Self.terminalStatuses.contains(status) else { return false }
        return !items.contains(where: \.isInProgress)
    }

    /// The task itself failed upstream (`fail`/`failed`).
    public var isFailed: Bool {
        guard let status = status?.lowercased() else { return false }
        return status == "fail" || status == "failed"
    }
}
