import Foundation
import Pipeline
import PostgresNIO

/// A `reel_jobs` row read back as a ``Job`` (with its fencing token), and a ``Job`` written as a row.
struct JobRow {
    var job: Job
    var token: Int64

    static let columns = """
        id, task_id, kind, state, attempts, max_attempts, not_before, created_at, updated_at, last_error, owner, reason,
        cancel_requested, rerun_requested, interruptions, token, outcome, outcome_message
        """

    init(job: Job, token: Int64) {
        self.job = job
        self.token = token
    }

    init(_ row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        let state = try r["state"].decode(String.self)
        guard let jobState = JobState(rawValue: state) else { throw PostgresQueueError(description: "unknown job state \(state)") }
        var job = Job(taskId: try r["task_id"].decode(String.self), kind: try r["kind"].decode(String.self), state: jobState,
                      attempts: try r["attempts"].decode(Int.self), maxAttempts: try r["max_attempts"].decode(Int.self),
                      notBefore: try r["not_before"].decode(Date.self), createdAt: try r["created_at"].decode(Date.self),
                      updatedAt: try r["updated_at"].decode(Date.self), lastError: try r["last_error"].decode(String?.self),
                      owner: try r["owner"].decode(String?.self), reason: try r["reason"].decode(String?.self),
                      cancelRequested: try r["cancel_requested"].decode(Bool.self))
        job.rerunRequested = try r["rerun_requested"].decode(Bool.self)
        job.interruptions = try r["interruptions"].decode(Int.self)
        job.outcome = try r["outcome"].decode(String?.self).map { JobOutcome(result: $0, message: try r["outcome_message"].decode(String?.self)) }
        self.job = job
        self.token = try r["token"].decode(Int64.self)
    }
}

struct PostgresQueueError: Error, CustomStringConvertible {
    let description: String
}
