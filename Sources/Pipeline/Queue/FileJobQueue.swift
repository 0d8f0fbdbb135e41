import Catalog
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
/// Failpoints (`REEL_FAILPOINT`, see `Catalog.Failpoint`): `queue.job.written` (a job file fsynced, before
/// its rename), `queue.job.rewritten` (a state change's new content in place, before the move),
/// `queue.job.moved` (after the move).
public struct FileJobQueue: JobQueue {
    /// A job file larger than this is not a job file: it is moved to `corrupt/`.
    static let maximumJobBytes = 64 << 10
    /// `lastError` is cut to this many UTF-8 bytes.
    static let maximumErrorBytes = 4096

    /// The storage root (the queue lives in its `queue/` directory).
    public let root: URL
    public let maxAttempts: Int
    public let baseDelay: Duration
    public let maxDelay: Duration
    /// How long an operation waits for another process's operation before ``JobQueueError/lockTimeout``.
    public let lockTimeout: Duration
    let logger: Logger
    let cache = JobFileCache()

    /// - Parameters:
    ///   - root: the storage root; the queue's files go in `<root>/queue/`, created on first use.
    ///   - maxAttempts: a job that fails this many attempts is kept as failed.
    ///   - baseDelay, maxDelay: the retry backoff: `baseDelay × 2^(attempt−1)`, at most `maxDelay`, of
    ///     which a random 50–100 % is used (jitter spreads retries of jobs that failed together).
    public init(root: URL, maxAttempts: Int = 5, baseDelay: Duration = .seconds(5), maxDelay: Duration = .seconds(300),
                lockTimeout: Duration = .seconds(30), logger: Logger = Logger(label: "reelvault.queue")) {
        let absolute = root.path.hasPrefix("/")
            ? root
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(root.path)
        self.root = absolute.standardizedFileURL
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.maxDelay = max(self.baseDelay, maxDelay)
        self.lockTimeout = lockTimeout
        self.logger = logger
    }

    public func enqueue(taskId: String, kind: String, reason: String) async throws -> (job: Job, inserted: Bool) {
        try QueueName.check(taskId, what: "task id", maximumLength: 128)
        try QueueName.check(kind, what: "kind", maximumLength: 32)
        let id = Job.id(kind: kind, taskId: taskId)
        let reason = String(reason.prefix(64))
        return try await withQueueLock {
            let now = StoredJSON.now()
            if let existing = try find(id) {
                if existing.state == .running, !existing.rerunRequested {
                    var job = existing
                    job.rerunRequested = true
                    try store(job, from: .running)
                    logger.info("job rerun requested while running", metadata: metadata(job))
                    return (job, false)
                }
                if !existing.state.isFinished { return (existing, false) }
                var job = existing
                job.reset(now: now, maxAttempts: maxAttempts)
                job.lastError = nil
                job.reason = reason
                try store(job, from: existing.state)
                logger.info("job re-enqueued", metadata: metadata(job, ["queue.from": "\(existing.state.rawValue)"]))
                return (job, true)
            }
            let job = Job(taskId: taskId, kind: kind, maxAttempts: maxAttempts, notBefore: now, createdAt: now,
                          updatedAt: now, reason: reason)
            try store(job, from: nil)
            logger.info("job enqueued", metadata: metadata(job))
            return (job, true)
        }
    }

    public func claim(owner: String) async throws -> Job? {
        try await withQueueLock {
            let now = StoredJSON.now()
            let due = try scan(.pending).filter { $0.state == .pending && $0.notBefore <= now }
            guard let oldest = due.min(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }) else { return nil }
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

    public func complete(_ id: String) async throws {
        try await withQueueLock {
            let job = try running(id, "complete").completed(now: StoredJSON.now(), maxAttempts: maxAttempts)
            try store(job, from: .running)
            logger.info("job \(job.state.rawValue)", metadata: metadata(job))
        }
    }

    public func fail(_ id: String, error: String, retryAfter: Duration?) async throws -> Job {
        try await withQueueLock {
            let current = try running(id, "fail")
            let now = StoredJSON.now()
            let retryAt = StoredJSON.milliseconds(now.addingTimeInterval(retryAfter.map(Self.seconds) ?? backoff(after: current.attempts)))
            let job = current.failed(error: Self.truncated(error), now: now, retryAt: retryAt)
            try store(job, from: .running)
            logger.notice("job attempt failed", metadata: metadata(job, [
                "queue.attempt": "\(current.attempts)", "queue.not_before": "\(StoredJSON.format(job.notBefore))", "error": "\(error)",
            ]))
            return job
        }
    }

    public func release(_ id: String) async throws -> Job {
        try await withQueueLock {
            let current = try running(id, "release")
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
            return byID.values.filter { state == nil || $0.state == state }
                .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
    }

    public func get(_ id: String) async throws -> Job? {
        try await withQueueLock { try find(id) }
    }

    public func retry(_ id: String) async throws -> Job {
        try await withQueueLock {
            guard let current = try find(id) else { throw JobQueueError.notFound(id) }
            return try retry(current)
        }
    }

    public func retryFailed() async throws -> [Job] {
        try await withQueueLock {
            try scan(.failed).filter { $0.state == .failed }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }.map(retry)
        }
    }

    public func cancel(_ id: String) async throws -> Job {
        try await withQueueLock {
            guard let current = try find(id) else { throw JobQueueError.notFound(id) }
            var job = current
            switch current.state {
            case .cancelled:
                return current
            case .done:
                throw JobQueueError.invalidTransition(current, "cancel")
            case .pending, .failed:
                job.state = .cancelled
            case .running:
                if current.cancelRequested { return current }
                job.cancelRequested = true
            }
            job.updatedAt = StoredJSON.now()
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

    /// The files moved to `queue/corrupt/`, oldest first, as paths relative to the root.
    public func corruptFiles() -> [String] {
        FileIO.names(in: corruptDirectory).filter { !FileIO.isTemporary($0) }.sorted().map { "queue/corrupt/" + $0 }
    }

    // MARK: - Transitions shared by several operations

    /// Failed/cancelled → pending with attempts 0; pending → due now. Call with the lock held.
    private func retry(_ current: Job) throws -> Job {
        var job = current
        let now = StoredJSON.now()
        switch current.state {
        case .failed, .cancelled:
            job.reset(now: now, maxAttempts: current.maxAttempts)
        case .pending:
            guard current.notBefore > now else { return current }
            job.notBefore = now
            job.updatedAt = now
        case .running, .done:
            throw JobQueueError.invalidTransition(current, "retry")
        }
        try store(job, from: current.state)
        logger.info("job retried", metadata: metadata(job, ["queue.from": "\(current.state.rawValue)"]))
        return job
    }

    /// The job `id`, which must be running. Call with the lock held.
    private func running(_ id: String, _ operation: String) throws -> Job {
        guard let job = try find(id) else { throw JobQueueError.notFound(id) }
        guard job.state == .running else { throw JobQueueError.invalidTransition(job, operation) }
        return job
    }

    /// The delay before the next attempt after `attempts` failed ones: exponential, capped, jittered.
    func backoff(after attempts: Int) -> TimeInterval {
        let base = Self.seconds(baseDelay)
        let cap = Self.seconds(maxDelay)
        let delay = min(cap, base * pow(2, Double(min(max(attempts, 1) - 1, 30))))
        return delay * Double.random(in: 0.5...1.0)
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return max(0, Double(seconds) + Double(attoseconds) / 1e18)
    }

    static func truncated(_ text: String) -> String {
        guard text.utf8.count > maximumErrorBytes else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            bytes += character.utf8.count
            if bytes > maximumErrorBytes - 3 { break }
            result.append(character)
        }
        return result + "…"
    }

    func metadata(_ job: Job, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "task.id": "\(job.taskId)", "queue.job_id": "\(job.id)", "queue.state": "\(job.state.rawValue)",
        ]
        metadata.merge(extra) { $1 }
        return metadata
    }
}

