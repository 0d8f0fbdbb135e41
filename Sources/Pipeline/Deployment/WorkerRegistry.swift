import Foundation
import ReelBasics

/// One process of a deployment as its heartbeats describe it (`reel workers ls`).
public struct WorkerRecord: Codable, Sendable, Equatable {
    /// The process's job owner (`host:pid`).
    public var id: String
    /// Its ``ServiceRoles`` names.
    public var roles: [String]
    public var host: String
    public var pid: Int32
    public var startedAt: Date
    public var heartbeatAt: Date
    /// The ids of the jobs it runs.
    public var jobs: [String]

    public init(id: String, roles: [String], host: String, pid: Int32, startedAt: Date, heartbeatAt: Date, jobs: [String]) {
        self.id = id
        self.roles = roles
        self.host = host
        self.pid = pid
        self.startedAt = startedAt
        self.heartbeatAt = heartbeatAt
        self.jobs = jobs
    }
}

/// The processes of a deployment at one moment of the store's clock.
public struct WorkerListing: Sendable {
    public var now: Date
    public var workers: [WorkerRecord]

    public init(now: Date, workers: [WorkerRecord]) {
        self.now = now
        self.workers = workers
    }

    /// Whether `worker` beat within `Heartbeat.staleAfter` of ``now``.
    public func isAlive(_ worker: WorkerRecord) -> Bool {
        now.timeIntervalSince(worker.heartbeatAt) <= Heartbeat.staleAfter.inSeconds
    }
}

/// Where processes leave their heartbeats: files under the storage root (embedded) or a shared database. Every
/// implementation passes the same contract suite.
public protocol WorkerRegistry: Sendable {
    /// Records `record` with its heartbeat at the store's now (``WorkerRecord/heartbeatAt`` is set by the store), and
    /// forgets the other processes silent for longer than `forgetAfter` (never the one beating, however slow the store).
    func beat(_ record: WorkerRecord, forgetAfter: Duration) async throws

    /// Forgets `id` (a graceful stop).
    func remove(_ id: String) async throws

    /// Every process that beat within the forget horizon, by id, with the store's now.
    func list() async throws -> WorkerListing
}
