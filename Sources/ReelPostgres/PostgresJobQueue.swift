import Foundation
import Logging
import Pipeline
import PostgresNIO
import ReelBasics
import ServiceLifecycle
import Synchronization

/// The ``JobQueue`` in PostgreSQL, shared by every process of a deployment.
///
/// - A claim is `SELECT … FOR UPDATE SKIP LOCKED`, oldest due first: concurrent claimers never get the same job and
///   never wait on each other.
/// - A running job has an owner, a lease that expires by the **database clock** (`now() + lease`), and a fencing token
///   bumped at every claim. `complete`, `fail` and `release` carry the token this process got: when the lease was lost
///   meanwhile (the job rescued and maybe claimed elsewhere) they change nothing and throw ``JobQueueError/invalidTransition``.
/// - ``run()`` renews this process's leases every third of the lease and rescues expired ones (a rescue counts as an
///   interruption), so a dead machine's jobs run again within the lease plus one renewal period.
/// - Every state change is the same pure ``Job`` transition the file and memory queues use, applied to the row read
///   under `FOR UPDATE` with the database's `now()`.
public final class PostgresJobQueue: JobQueue, JobQueueDiagnostics, Service, Sendable {
    public let client: PostgresClient
    public let retryPolicy: JobRetryPolicy
    public let lease: Duration
    private let owner: String
    private let maxInterruptions: Int
    private let logger: Logger
    /// The fencing token of each job this process holds.
    private let held = Mutex<[String: Int64]>([:])
    /// Jobs whose lease a renewal found lost (rescued and maybe claimed elsewhere), until this process finishes with them.
    private let lost = Mutex<Set<String>>([])

    public init(client: PostgresClient, owner: String, lease: Duration = .seconds(30), retryPolicy: JobRetryPolicy = .init(),
                maxInterruptions: Int = Job.defaultMaxInterruptions, logger: Logger = Logger(label: "reelvault.queue")) {
        self.client = client
        self.owner = owner
        self.lease = max(.seconds(1), lease)
        self.retryPolicy = retryPolicy
        self.maxInterruptions = maxInterruptions
        self.logger = logger
    }

    private var leaseMilliseconds: Int64 { lease.inMilliseconds }

    // MARK: JobQueue

    public func enqueue(taskId: String, kind: String, reason: String) async throws -> (job: Job, inserted: Bool) {
        try await transaction { connection in
            let now = try await Self.now(connection)
            let fresh = try Job.new(taskId: taskId, kind: kind, reason: reason, maxAttempts: retryPolicy.maxAttempts, now: now)
            let inserted = try await connection.query(Self.insertUnlessPresent(fresh), logger: logger)
            for try await _ in inserted {
                try await connection.query("NOTIFY reel_jobs", logger: logger)
                return (fresh, true)
            }
            guard let existing = try await Self.lockedRow(fresh.id, connection, logger)?.row else {
                throw PostgresQueueError(description: "job \(fresh.id) vanished during enqueue")
            }
            guard let (job, inserted) = existing.job.enqueuedAgain(reason: reason, now: now, maxAttempts: retryPolicy.maxAttempts) else {
                return (existing.job, false)
            }
            try await write(JobRow(job: job, token: existing.token), connection)
            if inserted { try await connection.query("NOTIFY reel_jobs", logger: logger) }
            return (job, inserted)
        }
    }

    public func claim(owner: String) async throws -> Job? {
        let claimed: JobRow? = try await transaction { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: JobRow.columns), date_trunc('milliseconds', now()) AS db_now FROM reel_jobs
                WHERE state = 'pending' AND not_before <= now()
                ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
                """, logger: logger)
            for try await row in rows {
                let current = try JobRow(row)
                let now = try row.makeRandomAccess()["db_now"].decode(Date.self)
                let next = JobRow(job: current.job.claimed(by: owner, now: now), token: current.token + 1)
                try await write(next, connection, leaseFromNow: true)
                return next
            }
            return nil
        }
        guard let claimed else { return nil }
        held.withLock { $0[claimed.job.id] = claimed.token }
        lost.withLock { _ = $0.remove(claimed.job.id) } // a lease lost earlier is not this claim's
        return claimed.job
    }

    public func complete(_ id: String, outcome: JobOutcome?) async throws {
        _ = try await finishHeld(id, "complete") { job, now in job.completed(now: now, maxAttempts: retryPolicy.maxAttempts, outcome: outcome) }
    }

    public func fail(_ id: String, error: String, retryAfter: Duration?) async throws -> Job {
        try await finishHeld(id, "fail") { job, now in
            job.failed(error: error, now: now, retryAt: retryPolicy.retryAt(after: job.attempts, retryAfter: retryAfter, now: now))
        }
    }

    public func release(_ id: String) async throws -> Job {
        try await finishHeld(id, "release") { job, now in job.interrupted(.shutdown, now: now, maxInterruptions: .max) }
    }

    public func list(state: JobState?) async throws -> [Job] {
        let rows: PostgresRowSequence
        if let state {
            rows = try await client.query("SELECT \(unescaped: JobRow.columns) FROM reel_jobs WHERE state = \(state.rawValue) ORDER BY created_at, id", logger: logger)
        } else {
            rows = try await client.query("SELECT \(unescaped: JobRow.columns) FROM reel_jobs ORDER BY created_at, id", logger: logger)
        }
        var jobs: [Job] = []
        for try await row in rows { jobs.append(try JobRow(row).job) }
        return jobs
    }

    public func get(_ id: String) async throws -> Job? {
        for try await row in try await client.query("SELECT \(unescaped: JobRow.columns) FROM reel_jobs WHERE id = \(id)", logger: logger) {
            return try JobRow(row).job
        }
        return nil
    }

    public func retry(_ id: String) async throws -> Job {
        try await change(id) { job, now in try job.retried(now: now) }
    }

    public func retryFailed() async throws -> [Job] {
        var retried: [Job] = []
        for job in try await list(state: .failed) { retried.append(try await retry(job.id)) }
        return retried
    }

    public func cancel(_ id: String) async throws -> Job {
        try await change(id) { job, now in try job.cancelled(now: now) }
    }

    /// Rescues every running job whose owner is gone: its lease expired (whoever held it, wherever), or its owner is a
    /// process of this host that no longer exists (a restart on the same machine need not wait for the lease). Each
    /// counts one interruption.
    public func recover(owner: String, maxInterruptions: Int) async throws -> Int {
        try await transaction { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: JobRow.columns), date_trunc('milliseconds', now()) AS db_now,
                       (lease_expires_at IS NULL OR lease_expires_at < now()) AS expired
                FROM reel_jobs WHERE state = 'running' ORDER BY created_at, id FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var rescued: [(JobRow, Date)] = []
            for try await row in rows {
                let columns = row.makeRandomAccess()
                let current = try JobRow(row)
                guard try columns["expired"].decode(Bool.self) || MemoryJobQueue.isDeadLocalProcess(current.job.owner) else { continue }
                rescued.append((current, try columns["db_now"].decode(Date.self)))
            }
            for (current, now) in rescued {
                let job = current.job.interrupted(.vanished(owner: current.job.owner), now: now, maxInterruptions: maxInterruptions)
                try await write(JobRow(job: job, token: current.token), connection)
                logger.notice("job with an expired lease rescued", metadata: job.logMetadata(["queue.owner": "\(current.job.owner ?? "")"]))
            }
            if !rescued.isEmpty { try await connection.query("NOTIFY reel_jobs", logger: logger) }
            return rescued.count
        }
    }

    public func counts() async throws -> [JobState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        for try await (state, count) in try await client.query("SELECT state, count(*) FROM reel_jobs GROUP BY state", logger: logger)
            .decode((String, Int).self) {
            if let state = JobState(rawValue: state) { counts[state] = count }
        }
        return counts
    }

    public func inspect(state: JobState?) async throws -> JobQueueInspection {
        JobQueueInspection(jobs: try await list(state: state))
    }

    /// Adds `job` as it is, unless a job with its id exists (`reel migrate --to-database`: idempotent, resumable); a
    /// running job comes in pending, its attempt given back, as after a graceful stop. `true` when it was added.
    public func importJob(_ job: Job) async throws -> Bool {
        let j = job.state == .running ? job.interrupted(.shutdown, now: job.updatedAt, maxInterruptions: .max) : job
        let inserted = try await client.query(Self.insertUnlessPresent(j), logger: logger)
        for try await _ in inserted {
            if j.state == .pending { try await client.query("NOTIFY reel_jobs", logger: logger) }
            return true
        }
        return false
    }

    // MARK: Leases

    /// Renews this process's leases every third of the lease and rescues expired ones, until cancelled or shut down.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await self.renewLeases()
                    _ = try await self.recover(owner: "", maxInterruptions: self.maxInterruptions)
                } catch {
                    self.logger.warning("lease renewal failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: self.lease / 3) // cancelled: the loop ends
            }
        }
    }

    /// Extends the lease of every job this process holds with its current token; a job whose token moved on (rescued
    /// and claimed elsewhere) is dropped from the held set.
    public func renewLeases() async throws {
        let tokens = held.withLock { $0 }
        for (id, token) in tokens {
            var renewed = false
            for try await _ in try await client.query("""
                UPDATE reel_jobs SET lease_expires_at = now() + make_interval(secs => \(Double(leaseMilliseconds) / 1000))
                WHERE id = \(id) AND state = 'running' AND token = \(token) RETURNING id
                """, logger: logger) { renewed = true }
            if !renewed {
                held.withLock { _ = $0.removeValue(forKey: id) }
                lost.withLock { _ = $0.insert(id) }
                logger.warning("lease lost: another process has the job now; its run here is cancelled", metadata: ["queue.job_id": "\(id)"])
            }
        }
    }

    /// True while this process holds `id` under a live token.
    public func holds(_ id: String) -> Bool { held.withLock { $0[id] != nil } }

    // MARK: Helpers

    /// Applies `transition` to a job this process holds, fenced by its token.
    private func finishHeld(_ id: String, _ operation: String, _ transition: @Sendable (Job, Date) -> Job) async throws -> Job {
        let token = held.withLock { $0[id] }
        let job: Job = try await transaction { connection in
            guard let (current, now) = try await Self.lockedRow(id, connection, logger) else { throw JobQueueError.notFound }
            let running = try current.job.requireRunning(operation)
            guard let token, token == current.token else {
                throw LeaseLost(jobId: id) // this process's lease was lost: fenced
            }
            let next = transition(running, now)
            try await write(JobRow(job: next, token: current.token), connection)
            if next.state == .pending { try await connection.query("NOTIFY reel_jobs", logger: logger) }
            return next
        }
        held.withLock { _ = $0.removeValue(forKey: id) }
        lost.withLock { _ = $0.remove(id) }
        return job
    }

    /// Applies an operator's transition (`retry`, `cancel`) to the row under lock.
    private func change(_ id: String, _ transition: @Sendable (Job, Date) throws -> Job) async throws -> Job {
        try await transaction { connection in
            guard let (current, now) = try await Self.lockedRow(id, connection, logger) else { throw JobQueueError.notFound }
            let next = try transition(current.job, now)
            if next != current.job {
                try await write(JobRow(job: next, token: current.token), connection)
                if next.state == .pending { try await connection.query("NOTIFY reel_jobs", logger: logger) }
            }
            return next
        }
    }

    /// Runs `body` in a transaction; an error of `body` itself (a refused transition) comes out as it was thrown.
    private func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let closureError = error.closureError, error.rollbackError == nil { throw closureError }
            throw error
        }
    }

    private static func now(_ connection: PostgresConnection) async throws -> Date {
        for try await now in try await connection.query("SELECT date_trunc('milliseconds', clock_timestamp())", logger: Logger(label: "reelvault.queue")).decode(Date.self) {
            return now
        }
        throw PostgresQueueError(description: "the database gave no time")
    }

    /// `job` as a new row (token 0), nothing when its id exists; returns its id when inserted.
    private static func insertUnlessPresent(_ j: Job) -> PostgresQuery {
        """
        INSERT INTO reel_jobs (\(unescaped: JobRow.columns)) VALUES (\(j.id), \(j.taskId), \(j.kind), \(j.state.rawValue),
            \(j.attempts), \(j.maxAttempts), \(j.notBefore), \(j.createdAt), \(j.updatedAt), \(j.lastError), \(j.owner),
            \(j.reason), \(j.cancelRequested), \(j.rerunRequested), \(j.interruptions), \(Int64(0)), \(j.outcome?.result),
            \(j.outcome?.message))
        ON CONFLICT (id) DO NOTHING RETURNING id
        """
    }

    /// The row of `id` locked for this transaction, with the database's time (one round trip for both).
    private static func lockedRow(_ id: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> (row: JobRow, now: Date)? {
        for try await row in try await connection.query("""
            SELECT \(unescaped: JobRow.columns), date_trunc('milliseconds', clock_timestamp()) AS db_now
            FROM reel_jobs WHERE id = \(id) FOR UPDATE
            """, logger: logger) {
            return (try JobRow(row), try row.makeRandomAccess()["db_now"].decode(Date.self))
        }
        return nil
    }

    /// Stores `row` (the lease starts now when `leaseFromNow`, and is cleared when the job is not running).
    private func write(_ row: JobRow, _ connection: PostgresConnection, leaseFromNow: Bool = false) async throws {
        let j = row.job
        let leaseSeconds = Double(leaseMilliseconds) / 1000
        try await connection.query("""
            UPDATE reel_jobs SET state = \(j.state.rawValue), attempts = \(j.attempts), max_attempts = \(j.maxAttempts),
                not_before = \(j.notBefore), created_at = \(j.createdAt), updated_at = \(j.updatedAt), last_error = \(j.lastError),
                owner = \(j.owner), reason = \(j.reason), cancel_requested = \(j.cancelRequested),
                rerun_requested = \(j.rerunRequested), interruptions = \(j.interruptions), token = \(row.token),
                outcome = \(j.outcome?.result), outcome_message = \(j.outcome?.message),
                lease_expires_at = CASE WHEN \(j.state.rawValue) <> 'running' THEN NULL
                                        WHEN \(leaseFromNow) THEN now() + make_interval(secs => \(leaseSeconds))
                                        ELSE lease_expires_at END
            WHERE id = \(j.id)
            """, logger: logger)
    }
}

extension PostgresJobQueue: JobWakeups {
    /// `LISTEN reel_jobs` on one connection of the pool: every enqueue, rescue or retry that makes a job due `NOTIFY`s.
    public func forwardWakeups(_ wake: @escaping @Sendable () -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: "reel_jobs") { notifications in
                for try await _ in notifications { wake() }
            }
        }
    }
}

extension PostgresJobQueue: LeasedJobQueue {
    public func hasLostLease(_ id: String) -> Bool { lost.withLock { $0.contains(id) } }

    /// One query: the job is still running here under this process's token and its lease has not expired by the
    /// database clock.
    public func checkLease(_ id: String) async throws {
        guard let token = held.withLock({ $0[id] }) else { throw LeaseLost(jobId: id) }
        for try await _ in try await client.query("""
            SELECT 1 FROM reel_jobs WHERE id = \(id) AND state = 'running' AND token = \(token) AND lease_expires_at > now()
            """, logger: logger) { return }
        held.withLock { _ = $0.removeValue(forKey: id) }
        lost.withLock { _ = $0.insert(id) }
        throw LeaseLost(jobId: id)
    }
}
