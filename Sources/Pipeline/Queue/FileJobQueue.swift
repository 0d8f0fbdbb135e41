import DurableFiles
import Foundation
import Logging

/// The embedded ``JobQueue``: one small JSON file per job under `<root>/queue/`, shared safely by every
/// process on the storage root.
///
/// ```
/// <root>/queue/
///   .lock                       flock(2) taken around every operation, by every process
///   pending/<id>.json           one file per job, in the directory of its state: listing a state reads one
///   running/<id>.json           directory, counting reads names only, finding a job by id is at most five
///   done/<id>.json              stat calls. <id> is "<kind>-<taskId>".
///   failed/<id>.json
///   cancelled/<id>.json
///   corrupt/<id>.json.<ms>      unreadable job files, moved aside (ms: when) and logged
///   owners/<owner>-<hash>.lease flock(2) held by each live claiming process (see ``JobOwner``)
///   <state>/.<id>.json.<r>.tmp  a job file being written; only exists during an operation or after a crash
/// ```
///
/// **Durability.** Every change is an atomic replace (temporary file, fsync, rename, fsync of the
/// directory). A state change first rewrites the job's file where it is, with the new state inside, then
/// renames it into the new state's directory: the rename is the commit, and a job always has exactly one
/// file. A crash between the two steps leaves a file whose content is ahead of its directory; the next
/// operation that reads it completes the move (the content was fsynced: it is the recorded intent). A crash
/// at any other point leaves the old or the new file, and at worst a temporary, which every scan ignores
/// and ``recover(owner:)`` removes. Jobs left `running` by a dead process go back to pending in
/// ``recover(owner:)``.
///
/// **Concurrency.** Operations hold the flock on `queue/.lock` for their few milliseconds of file work
/// (small files; fsync is the cost). Waiting for it never blocks the cooperative pool: the lock is tried
/// without blocking with short async sleeps, up to `lockTimeout` (then ``JobQueueError/lockTimeout``).
/// Decoded pending jobs are cached per instance by inode, size and mtime, so a claim among many pending
/// jobs costs a directory read and a stat per job, not a parse.
///
/// Failpoints (`REEL_FAILPOINT`, see `DurableFiles.Failpoint`): `queue.job.written` (a job file fsynced, before
/// its rename), `queue.job.rewritten` (a state change's new content in place, before the move),
/// `queue.job.moved` (after the move).
public struct FileJobQueue: JobQueue {
    /// A job file larger than this is not a job file: it is moved to `corrupt/`.
    static let maximumJobBytes = 64 << 10

    /// The storage root (the queue lives in its `queue/` directory).
    public let root: URL
    /// Attempts per life and the backoff between them.
    public let retryPolicy: JobRetryPolicy
    /// How long an operation waits for another process's operation before ``JobQueueError/lockTimeout``.
    public let lockTimeout: Duration
    let logger: Logger
    let cache = JobFileCache()

    public var maxAttempts: Int { retryPolicy.maxAttempts }

    /// - Parameters:
    ///   - root: the storage root; the queue's files go in `<root>/queue/`, created on first use.
    ///   - maxAttempts: a job that fails this many attempts is kept as failed.
    ///   - baseDelay, maxDelay: the retry backoff (``JobRetryPolicy/delay(after:)``).
    public init(root: URL, maxAttempts: Int = 5, baseDelay: Duration = .seconds(5), maxDelay: Duration = .seconds(300),
                lockTimeout: Duration = .seconds(30), logger: Logger = Logger(label: "reelvault.queue")) {
        self.init(root: root, retryPolicy: JobRetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay),
                  lockTimeout: lockTimeout, logger: logger)
    }

    public init(root: URL, retryPolicy: JobRetryPolicy, lockTimeout: Duration = .seconds(30),
                logger: Logger = Logger(label: "reelvault.queue")) {
        self.root = FileIO.absolute(root)
        self.retryPolicy = retryPolicy
        self.lockTimeout = lockTimeout
        self.logger = logger
    }

    public func enqueue(taskId: String, kind: String, reason: String) async throws -> (job: Job, inserted: Bool) {
        try Job.checkNames(taskId: taskId, kind: kind)
        return try await withQueueLock {
            let now = StoredJSON.now()
            guard let existing = try find(Job.id(kind: kind, taskId: taskId)) else {
                let job = try Job.new(taskId: taskId, kind: kind, reason: reason, maxAttempts: maxAttempts, now: now)
                try store(job, from: nil)
                logger.info("job enqueued", metadata: metadata(job))
                return (job, true)
            }
            guard let (job, inserted) = existing.enqueuedAgain(reason: reason, now: now, maxAttempts: maxAttempts) else {
                return (existing, false)
            }
            try store(job, from: existing.state)
            logger.info(inserted ? "job re-enqueued" : "job rerun requested while running",
                        metadata: metadata(job, ["queue.from": "\(existing.state.rawValue)"]))
            return (job, inserted)
        }
    }

    public func claim(owner: String) async throws -> Job? {
        try await withQueueLock {
            let now = StoredJSON.now()
            let due = try scan(.pending).filter { $0.state == .pending && $0.notBefore <= now }
            guard let oldest = due.min(by: Job.claimOrder) else { return nil }
            let lease = leasePath(owner)
            if try !OwnerLeases.acquire(lease) {
                logger.warning("another live process claims with the same owner string", metadata: ["queue.owner": "\(owner)"])
            }
            let job = oldest.claimed(by: owner, now: now)
            try store(job, from: .pending)
            logger.debug("job claimed", metadata: metadata(job, ["queue.owner": "\(owner)", "queue.attempt": "\(job.attempts)"]))
            return job
        }
    }

    public func complete(_ id: String, outcome: JobOutcome?) async throws {
        try await withQueueLock {
            let job = try existing(id).requireRunning("complete").completed(now: StoredJSON.now(), maxAttempts: maxAttempts, outcome: outcome)
            try store(job, from: .running)
            logger.info("job \(job.state.rawValue)", metadata: metadata(job))
        }
    }

    public func fail(_ id: String, error: String, retryAfter: Duration?) async throws -> Job {
        try await withQueueLock {
            let current = try existing(id).requireRunning("fail")
            let now = StoredJSON.now()
            let retryAt = retryPolicy.retryAt(after: current.attempts, retryAfter: retryAfter, now: now)
            let job = current.failed(error: error, now: now, retryAt: retryAt)
            try store(job, from: .running)
            logger.notice("job attempt failed", metadata: metadata(job, [
                "queue.attempt": "\(current.attempts)", "queue.not_before": "\(StoredJSON.format(job.notBefore))", "error": "\(error)",
            ]))
            return job
        }
    }

    public func release(_ id: String) async throws -> Job {
        try await withQueueLock {
            let current = try existing(id).requireRunning("release")
            let job = current.interrupted(.shutdown, now: StoredJSON.now(), maxInterruptions: .max)
            try store(job, from: .running)
            logger.info("job released by a graceful stop; its attempt is not counted", metadata: metadata(job))
            return job
        }
    }

    public func list(state: JobState?) async throws -> [Job] {
        try await withQueueLock {
            var byID: [String: Job] = [:]
            for scanned in state.map({ [$0] }) ?? JobState.allCases {
                for job in try scan(scanned) { byID[job.id] = job }
            }
            return byID.values.filter { state == nil || $0.state == state }.sorted(by: Job.claimOrder)
        }
    }

    public func get(_ id: String) async throws -> Job? {
        try await withQueueLock { try find(id) }
    }

    public func retry(_ id: String) async throws -> Job {
        try await withQueueLock { try retry(existing(id)) }
    }

    public func retryFailed() async throws -> [Job] {
        try await withQueueLock {
            try scan(.failed).filter { $0.state == .failed }.sorted(by: Job.claimOrder).map(retry)
        }
    }

    public func cancel(_ id: String) async throws -> Job {
        try await withQueueLock {
            let current = try existing(id)
            let job = try current.cancelled(now: StoredJSON.now())
            guard job != current else { return current }
            try store(job, from: current.state)
            logger.info(job.state == .running ? "job cancel requested" : "job cancelled", metadata: metadata(job))
            return job
        }
    }

    public func counts() async throws -> [JobState: Int] {
        try await withQueueLock {
            var counts: [JobState: Int] = [:]
            for state in JobState.allCases {
                counts[state] = FileIO.names(in: directory(state)).filter(QueueName.isJobFile).count
            }
            return counts
        }
    }

    // MARK: - Shared by several operations (called with the lock held)

    /// ``Job/retried(now:)``, stored when it changes anything.
    private func retry(_ current: Job) throws -> Job {
        let job = try current.retried(now: StoredJSON.now())
        guard job != current else { return current }
        try store(job, from: current.state)
        logger.info("job retried", metadata: metadata(job, ["queue.from": "\(current.state.rawValue)"]))
        return job
    }

    /// The job `id`, or ``JobQueueError/notFound``.
    private func existing(_ id: String) throws -> Job {
        guard let job = try find(id) else { throw JobQueueError.notFound(id) }
        return job
    }

    func metadata(_ job: Job, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        job.logMetadata(extra)
    }
}
