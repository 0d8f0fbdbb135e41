import Foundation

/// The durable queue the worker pool takes its jobs from: the seam between the service and where jobs
/// are kept. ``FileJobQueue`` keeps them in the storage root; a PostgreSQL queue (one row per job,
/// `SELECT … FOR UPDATE SKIP LOCKED` for ``claim(owner:)``) can conform later without touching callers.
///
/// Every implementation promises: each operation is atomic and durable when it returns, across
/// processes; a job is never lost nor duplicated by a crash (``recover(owner:)`` puts jobs of dead
/// owners back); a job is claimed by one owner at a time. Errors are ``JobQueueError``s.
public protocol JobQueue: Sendable {
    /// Adds a job for (kind, taskId) unless a pending or running one exists: duplicates collapse. A
    /// done/failed/cancelled job for the same task is reset to pending (attempts 0). Returns the job and
    /// whether anything was added.
    func enqueue(taskId: String, kind: String, reason: String) async throws -> (job: Job, inserted: Bool)

    /// The oldest due pending job (by `createdAt`, among those whose `notBefore` has passed), now running
    /// for `owner` with `attempts` counting this attempt; `nil` when none is due.
    func claim(owner: String) async throws -> Job?

    /// Running → done (keeping how the run went, `outcome`), or → cancelled if a cancel was asked meanwhile.
    func complete(_ id: String, outcome: JobOutcome?) async throws

    /// Running → pending with `notBefore = now + (retryAfter ?? backoff)`, or → failed once `attempts`
    /// has reached `maxAttempts` (→ cancelled if a cancel was asked meanwhile). An error of the job itself: the
    /// attempt counts and the interruption count starts again. Returns the job as stored.
    func fail(_ id: String, error: String, retryAfter: Duration?) async throws -> Job

    /// A graceful stop (SIGTERM/SIGINT cancelled the attempt): running → pending, due now, with the attempt given
    /// back and the interruption count unchanged (→ cancelled if a cancel was asked). Returns the job as stored.
    func release(_ id: String) async throws -> Job

    /// The jobs in `state` (every job if `nil`), oldest first.
    func list(state: JobState?) async throws -> [Job]

    func get(_ id: String) async throws -> Job?

    /// Failed/cancelled → pending with attempts 0; a pending job is made due now.
    func retry(_ id: String) async throws -> Job

    /// Retries every failed job; returns them.
    func retryFailed() async throws -> [Job]

    /// Pending (or failed) → cancelled; running → `cancelRequested`, cancelled when it ends.
    func cancel(_ id: String) async throws -> Job

    /// Puts running jobs whose owner process is gone back to pending with their attempt given back, counting one
    /// interruption (``Job/interruptions``); a job whose interruptions in a row reach `maxInterruptions` fails as a
    /// likely poison input, one whose cancel was asked is cancelled. Returns how many. Call it once at startup with
    /// the owner you will claim with, before the first claim; calling it again later is safe.
    func recover(owner: String, maxInterruptions: Int) async throws -> Int

    /// How many jobs are in each state (every state present, 0 when empty).
    func counts() async throws -> [JobState: Int]
}

extension JobQueue {
    /// ``recover(owner:maxInterruptions:)`` with the service's default limit (``Job/defaultMaxInterruptions``).
    public func recover(owner: String) async throws -> Int {
        try await recover(owner: owner, maxInterruptions: Job.defaultMaxInterruptions)
    }
}

extension JobQueue {
    /// Running → done without an outcome to keep.
    public func complete(_ id: String) async throws { try await complete(id, outcome: nil) }
}
