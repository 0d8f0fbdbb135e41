import Foundation
import Logging

/// One unit of work for the worker pool: re-query task `taskId` of kind `kind` and archive it.
///
/// A job's id is deterministic, `"<kind>-<taskId>"`: there is at most one job per task and kind, which is
/// how duplicate callbacks collapse. Dates are whole milliseconds (what the queue stores).
public struct Job: Codable, Sendable, Equatable, Identifiable {
    /// `"<kind>-<taskId>"`, a safe path component (``Job/id(kind:taskId:)``).
    public var id: String
    public var taskId: String
    public var kind: String
    public var state: JobState
    /// How many attempts of this life (reset by retry or re-enqueue) ended with an error of the job itself, plus
    /// the one running. While running, the number of the current attempt (1 for the first); an interrupted attempt
    /// (a graceful stop, or a process that vanished) gives its number back.
    public var attempts: Int
    /// Once a failing attempt brings `attempts` to this, the job is failed instead of retried.
    public var maxAttempts: Int
    /// A pending job is not claimed before this (backoff after a failure).
    public var notBefore: Date
    /// When the job entered the queue (or was last reset to pending by enqueue or retry).
    public var createdAt: Date
    public var updatedAt: Date
    /// The error of the last failed attempt, at most 4 KiB.
    public var lastError: String?
    /// `"<hostname>:<pid>"` of the process running it, while running.
    public var owner: String?
    /// Why it was enqueued: `"callback"`, `"watch"`, `"cli"`.
    public var reason: String?
    /// Set by ``JobQueue/cancel(_:)`` on a running job: the job ends as cancelled whatever its outcome.
    /// A worker may check it (``JobQueue/get(_:)``) to stop early.
    public var cancelRequested: Bool
    /// Set when the task is enqueued again while this job runs (a callback that arrives mid-run, e.g. for an export
    /// requested meanwhile): the job goes back to pending when it completes, so that news is not lost.
    public var rerunRequested: Bool = false
    /// Attempts in a row that ended because their process vanished (SIGKILL, crash, lost machine), found by
    /// ``JobQueue/recover(owner:maxInterruptions:)``. Reset whenever an attempt ends (done or with a job error); a
    /// graceful stop leaves it as it is. At the queue's `maxInterruptions` the job fails: a likely poison input.
    public var interruptions: Int = 0
    /// How the last run that finished went (``JobOutcome``), kept on a done job for `reel jobs ls`; `nil` otherwise.
    public var outcome: JobOutcome?

    public init(
        taskId: String, kind: String, state: JobState = .pending, attempts: Int = 0, maxAttempts: Int = 5,
        notBefore: Date, createdAt: Date, updatedAt: Date, lastError: String? = nil, owner: String? = nil,
        reason: String? = nil, cancelRequested: Bool = false
    ) {
        self.id = Self.id(kind: kind, taskId: taskId)
        self.taskId = taskId
        self.kind = kind
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.notBefore = notBefore
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastError = lastError
        self.owner = owner
        self.reason = reason
        self.cancelRequested = cancelRequested
    }

    /// The id of the job for task `taskId` of kind `kind`.
    public static func id(kind: String, taskId: String) -> String { "\(kind)-\(taskId)" }

    private enum CodingKeys: String, CodingKey {
        case id, taskId, kind, state, attempts, maxAttempts, notBefore, createdAt, updatedAt, lastError, owner, reason
        case cancelRequested, rerunRequested, interruptions, outcome
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        taskId = try c.decode(String.self, forKey: .taskId)
        kind = try c.decode(String.self, forKey: .kind)
        state = try c.decode(JobState.self, forKey: .state)
        attempts = try c.decode(Int.self, forKey: .attempts)
        maxAttempts = try c.decode(Int.self, forKey: .maxAttempts)
        notBefore = try c.decode(Date.self, forKey: .notBefore)
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        updatedAt = try c.decode(Date.self, forKey: .updatedAt)
        lastError = try c.decodeIfPresent(String.self, forKey: .lastError)
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        cancelRequested = try c.decodeIfPresent(Bool.self, forKey: .cancelRequested) ?? false
        rerunRequested = try c.decodeIfPresent(Bool.self, forKey: .rerunRequested) ?? false
        // Job files written before interruptions were counted have none.
        interruptions = try c.decodeIfPresent(Int.self, forKey: .interruptions) ?? 0
        outcome = try c.decodeIfPresent(JobOutcome.self, forKey: .outcome)
    }

    /// `outcome` is always written (`null` before a run finished): the `reel jobs ls --json` shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(taskId, forKey: .taskId)
        try c.encode(kind, forKey: .kind)
        try c.encode(state, forKey: .state)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(maxAttempts, forKey: .maxAttempts)
        try c.encode(notBefore, forKey: .notBefore)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(lastError, forKey: .lastError)
        try c.encodeIfPresent(owner, forKey: .owner)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(cancelRequested, forKey: .cancelRequested)
        try c.encode(rerunRequested, forKey: .rerunRequested)
        try c.encode(interruptions, forKey: .interruptions)
        try c.encode(outcome, forKey: .outcome)
    }
}

/// How a finished run went: `ok`, or `attention` with what needs it (an asset failed, a duration mismatch, the task
/// failed upstream). Shown by `reel jobs ls` beside `done`.
public struct JobOutcome: Codable, Sendable, Equatable, Hashable {
    /// `ok` or `attention`.
    public var result: String
    public var message: String?

    public init(result: String, message: String? = nil) {
        self.result = result
        self.message = message.map(Job.truncated)
    }
}

extension Job {
    /// The log metadata of this job (`task.id`, `queue.job_id`, `queue.state`) plus `extra`: one shape for every backend.
    package func logMetadata(_ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["task.id": "\(taskId)", "queue.job_id": "\(id)", "queue.state": "\(state.rawValue)"]
        metadata.merge(extra) { $1 }
        return metadata
    }
}
