import Foundation
import Logging
import Pipeline
import PostgresNIO
import ReelBasics

/// The ``WorkerRegistry`` in PostgreSQL (`reel_workers`): heartbeats stamped by the database clock, so that every
/// machine's processes are compared on one clock.
public struct PostgresWorkerRegistry: WorkerRegistry {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger = Logger(label: "reelvault.workers")) {
        self.client = client
        self.logger = logger
    }

    public func beat(_ r: WorkerRecord, forgetAfter: Duration) async throws {
        let roles = r.roles.joined(separator: ","), jobs = r.jobs.joined(separator: ",")
        try await client.query("""
            INSERT INTO reel_workers (id, roles, host, pid, started_at, heartbeat_at, jobs)
            VALUES (\(r.id), \(roles), \(r.host), \(Int(r.pid)), \(r.startedAt), now(), \(jobs))
            ON CONFLICT (id) DO UPDATE SET roles = EXCLUDED.roles, host = EXCLUDED.host, pid = EXCLUDED.pid,
                started_at = EXCLUDED.started_at, heartbeat_at = now(), jobs = EXCLUDED.jobs
            """, logger: logger)
        try await client.query("""
            DELETE FROM reel_workers WHERE id <> \(r.id) AND heartbeat_at < now() - make_interval(secs => \(forgetAfter.inSeconds))
            """, logger: logger)
    }

    public func remove(_ id: String) async throws {
        try await client.query("DELETE FROM reel_workers WHERE id = \(id)", logger: logger)
    }

    public func list() async throws -> WorkerListing {
        var listing = WorkerListing(now: Date(), workers: [])
        let rows = try await client.query("""
            SELECT id, roles, host, pid, started_at, heartbeat_at, jobs, now() AS db_now FROM reel_workers ORDER BY id
            """, logger: logger)
        for try await row in rows {
            let c = row.makeRandomAccess()
            listing.now = try c["db_now"].decode(Date.self)
            listing.workers.append(WorkerRecord(
                id: try c["id"].decode(String.self),
                roles: try c["roles"].decode(String.self).split(separator: ",").map(String.init),
                host: try c["host"].decode(String.self), pid: Int32(clamping: try c["pid"].decode(Int.self)),
                startedAt: try c["started_at"].decode(Date.self), heartbeatAt: try c["heartbeat_at"].decode(Date.self),
                jobs: try c["jobs"].decode(String.self).split(separator: ",").map(String.init)))
        }
        return listing
    }
}
