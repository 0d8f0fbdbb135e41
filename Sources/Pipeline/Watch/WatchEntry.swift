import Foundation

/// A task the feeder keeps polling until it settles: one entry of `watch.json`.
public struct WatchEntry: Codable, Sendable, Equatable {
    public var taskId: String
    /// The task kind's name (`"m2v"`).
    public var kind: String
    public var addedAt: Date
    /// Not polled before this.
    public var nextPollAt: Date
    /// How many times it was polled.
    public var polls: Int
    /// What the last poll saw (the feeder's summary of the task's status).
    public var lastStatus: String?
    /// The error of the last poll, if it failed.
    public var lastError: String?
    /// When the task was first seen settled; settled entries are not ``WatchList/due(now:)``.
    public var settledAt: Date?

    public init(taskId: String, kind: String, addedAt: Date, nextPollAt: Date, polls: Int = 0,
                lastStatus: String? = nil, lastError: String? = nil, settledAt: Date? = nil) {
        self.taskId = taskId
        self.kind = kind
        self.addedAt = addedAt
        self.nextPollAt = nextPollAt
        self.polls = polls
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.settledAt = settledAt
    }
}
