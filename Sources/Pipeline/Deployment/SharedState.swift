import Catalog
import Foundation
import Logging
import ServiceLifecycle

/// Where a deployment keeps what its processes share: the job queue, the watch list, the processes' heartbeats and
/// the leader leases. ``embedded(root:)`` keeps them as files under the storage root (processes on one machine); a
/// database backend (`ReelPostgres`) keeps them for many machines. `services` run beside `reel serve` (a shared queue's
/// lease renewal and wake-ups).
public struct SharedState: Sendable {
    public var queue: any JobQueue
    /// The same queue as the operator's tools read it (writing nothing).
    public var diagnostics: any JobQueueDiagnostics
    public var watch: any WatchStore
    public var workers: any WorkerRegistry
    public var leader: any LeaderLease
    /// The catalog's task locks: `nil` for the embedded ones (``FileTaskLocks``).
    public var taskLocks: (any TaskLocks)?
    /// The catalog's index: `nil` for the embedded one (`index.sqlite` under the storage root).
    public var catalogIndex: (any CatalogIndexStore)?
    /// The owner name of this process's claims, heartbeats and leases.
    public var owner: String
    /// How long the feeder's leader lease lasts without renewal.
    public var leaderLease: Duration
    public var services: [any Service]

    public init<Queue: JobQueue & JobQueueDiagnostics>(
        queue: Queue, watch: any WatchStore, workers: any WorkerRegistry, leader: any LeaderLease,
        owner: String = JobOwner.current, leaderLease: Duration = .seconds(30), taskLocks: (any TaskLocks)? = nil,
        catalogIndex: (any CatalogIndexStore)? = nil, services: [any Service] = []
    ) {
        self.queue = queue
        self.diagnostics = queue
        self.watch = watch
        self.workers = workers
        self.leader = leader
        self.owner = owner
        self.leaderLease = leaderLease
        self.taskLocks = taskLocks
        self.catalogIndex = catalogIndex
        self.services = services
    }

    /// Every part as files under `root`, shared by the processes of one machine; `logger` names each part's logger.
    public static func embedded(root: URL, owner: String = JobOwner.current,
                                logger: (String) -> Logger = { Logger(label: $0) }) -> SharedState {
        SharedState(queue: FileJobQueue(root: root, logger: logger("reelvault.queue")),
                    watch: WatchList(root: root, logger: logger("reelvault.watch")), workers: FileWorkerRegistry(root: root),
                    leader: FileLeaderLease(root: root), owner: owner)
    }
}

/// A queue that can tell idle workers at once when a job becomes due elsewhere (PostgreSQL's `LISTEN`/`NOTIFY`).
public protocol JobWakeups: Sendable {
    /// Calls `wake` for every job made due by any process, until cancelled; throws when the channel fails.
    func forwardWakeups(_ wake: @escaping @Sendable () -> Void) async throws
}

/// Runs a ``JobWakeups`` source beside the workers, reconnecting after a failure; the workers' slow idle poll covers
/// the gaps.
public struct WakeupForwarder: Service {
    let source: any JobWakeups
    let wake: WakeSignal
    let logger: Logger

    public init(source: any JobWakeups, wake: WakeSignal, logger: Logger) {
        self.source = source
        self.wake = wake
        self.logger = logger
    }

    public func run() async throws {
        let wake = self.wake
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await source.forwardWakeups { wake.signal() }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("job wake-ups lost; listening again (idle workers poll meanwhile)", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1)) // cancelled: the loop ends
            }
        }
    }
}

/// A queue whose claims are leases that can be lost (PostgreSQL: a process paused or cut off past its lease has its
/// job rescued and claimed elsewhere). The worker pool cancels a job whose lease was lost, and the archiver checks the
/// lease before each catalog write, so that a former owner changes nothing once another has the job.
public protocol LeasedJobQueue: Sendable {
    /// Whether this process found, at a renewal, that another process now has job `id` (its token moved on).
    func hasLostLease(_ id: String) -> Bool

    /// Asks the queue whether this process still holds `id` under a live lease; throws ``LeaseLost`` when not.
    func checkLease(_ id: String) async throws
}

/// This process no longer holds a job's lease: another process has the job now.
public struct LeaseLost: FenceError, CustomStringConvertible {
    public let jobId: String
    public init(jobId: String) { self.jobId = jobId }
    public var description: String { "the lease of job \(jobId) was lost: another process has it now (fenced)" }
}
