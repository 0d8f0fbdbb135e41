import DurableFiles
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``JobQueue`` in memory: for tests and embedding, and the reference the contract suite holds the durable
/// backends to. Jobs last as long as the instance; every operation is one actor turn, so each is atomic.
///
/// All state changes are the pure ``Job`` transitions the other backends use. An owner is *gone* when
/// `ownerIsGone` says so; the default treats a missing owner, and a `"<host>:<pid>"` owner of this host whose process
/// no longer exists, as gone (a memory queue cannot outlive its process, so that is the only way to lose one).
public actor MemoryJobQueue: JobQueue, JobQueueDiagnostics {
    public let retryPolicy: JobRetryPolicy
    private let ownerIsGone: @Sendable (String?) -> Bool
    private let logger: Logger
    private var jobs: [String: Job] = [:]

    public init(retryPolicy: JobRetryPolicy = .init(), logger: Logger = Logger(label: "reelvault.queue"),
                ownerIsGone: @escaping @Sendable (String?) -> Bool = MemoryJobQueue.isDeadLocalProcess) {
        self.retryPolicy = retryPolicy
        self.logger = logger
        self.ownerIsGone = ownerIsGone
    }

    public func enqueue(taskId: String, kind: String, reason: String) throws -> (job: Job, inserted: Bool) {
        let now = StoredJSON.now()
        let fresh = try Job.new(taskId: taskId, kind: kind, reason: reason, maxAttempts: retryPolicy.maxAttempts, now: now)
        guard let existing = jobs[fresh.id] else {
            jobs[fresh.id] = fresh
            logger.info("job enqueued", metadata: fresh.logMetadata())
            return (fresh, true)
        }
        guard let (job, inserted) = existing.enqueuedAgain(reason: reason, now: now, maxAttempts: retryPolicy.maxAttempts) else {
            return (existing, false)
        }
        jobs[job.id] = job
        return (job, inserted)
    }

    public func claim(owner: String) -> Job? {
        let now = StoredJSON.now()
        guard let oldest = jobs.values.filter({ $0.state == .pending && $0.notBefore <= now }).min(by: Job.claimOrder) else {
            return nil
        }
        let job = oldest.claimed(by: owner, now: now)
        jobs[job.id] = job
        return job
    }

    public func complete(_ id: String, outcome: JobOutcome?) throws {
        let job = try existing(id).requireRunning("complete").completed(now: StoredJSON.now(), maxAttempts: retryPolicy.maxAttempts,
                                                                        outcome: outcome)
        jobs[id] = job
    }

    public func fail(_ id: String, error: String, retryAfter: Duration?) throws -> Job {
        let current = try existing(id).requireRunning("fail")
        let now = StoredJSON.now()
        let job = current.failed(error: error, now: now,
                                 retryAt: retryPolicy.retryAt(after: current.attempts, retryAfter: retryAfter, now: now))
        jobs[id] = job
        return job
    }

    public func release(_ id: String) throws -> Job {
        let job = try existing(id).requireRunning("release").interrupted(.shutdown, now: StoredJSON.now(), maxInterruptions: .max)
        jobs[id] = job
        return job
    }

    public func list(state: JobState?) -> [Job] {
        jobs.values.filter { state == nil || $0.state == state }.sorted(by: Job.claimOrder)
    }

    public func get(_ id: String) -> Job? {
        jobs[id]
    }

    public func retry(_ id: String) throws -> Job {
        let job = try existing(id).retried(now: StoredJSON.now())
        jobs[id] = job
        return job
    }

    public func retryFailed() throws -> [Job] {
        try list(state: .failed).map { try retry($0.id) }
    }

    public func cancel(_ id: String) throws -> Job {
        let job = try existing(id).cancelled(now: StoredJSON.now())
        jobs[id] = job
        return job
    }

    public func recover(owner: String, maxInterruptions: Int) -> Int {
        let now = StoredJSON.now()
        var recovered = 0
        for current in list(state: .running) where ownerIsGone(current.owner) {
            let job = current.interrupted(.vanished(owner: current.owner), now: now, maxInterruptions: maxInterruptions)
            jobs[job.id] = job
            recovered += 1
            logger.notice("job of a gone owner recovered", metadata: job.logMetadata(["queue.owner": "\(current.owner ?? "")"]))
        }
        return recovered
    }

    public func counts() -> [JobState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
        for job in jobs.values { counts[job.state, default: 0] += 1 }
        return counts
    }

    /// Every job is readable in memory: nothing is ever unreadable or set aside.
    public func inspect(state: JobState?) -> JobQueueInspection {
        JobQueueInspection(jobs: list(state: state))
    }

    private func existing(_ id: String) throws(JobQueueError) -> Job {
        guard let job = jobs[id] else { throw JobQueueError.notFound(id) }
        return job
    }

    /// No owner, or `"<host>:<pid>[:…]"` of this host whose process has ended. Owners of other hosts are alive: a
    /// memory queue is not shared with them.
    public static let isDeadLocalProcess: @Sendable (String?) -> Bool = { owner in
        guard let owner else { return true }
        guard let (host, pid) = JobOwner.parse(owner), host == JobOwner.hostname else { return false }
        return pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
    }
}
