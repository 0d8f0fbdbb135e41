import Catalog
import Foundation
import Logging
import Pipeline
import PostgresNIO
import ReelBasics
import Synchronization

/// The ``TaskLocks`` of a deployment on PostgreSQL (`reel_task_locks`): a lease row per task, taken when free or
/// expired by the database clock, each time with a new token, renewed every third of the lease while its holder works.
/// A paused holder's lease expires and another process takes the task; when the paused one resumes, its renewal and
/// every manifest write it attempts (``WriteFence``) are refused. (A session advisory lock or an flock would be held
/// for as long as the paused process lives.)
public struct PostgresTaskLocks: TaskLocks {
    public let client: PostgresClient
    public let owner: String
    public let lease: Duration
    let logger: Logger

    public init(client: PostgresClient, owner: String, lease: Duration = .seconds(30),
                logger: Logger = Logger(label: "reelvault.catalog")) {
        self.client = client
        self.owner = owner
        self.lease = max(.seconds(1), lease)
        self.logger = logger
    }

    public func withLock<T>(_ id: TaskID, layout: CatalogLayout, timeout: Duration?, isolation: isolated (any Actor)?,
                            _ body: () async throws -> T) async throws -> T {
        let holder = "\(owner):\(UUID().uuidString.prefix(8).lowercased())"
        let token = try await acquire(id.rawValue, holder: holder, timeout: timeout)
        let lost = Mutex(false)
        let renewal = Task { [client, lease, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: lease / 3) // cancelled: the loop ends
                if Task.isCancelled { break }
                do {
                    if try await !Self.renew(client, id.rawValue, token: token, lease: lease, logger: logger) {
                        lost.withLock { $0 = true }
                        logger.warning("task lock lost: another process has the task now; this one's writes are refused",
                                       metadata: ["task.id": "\(id)"])
                        break
                    }
                } catch {
                    logger.warning("task lock not renewed; retrying", metadata: ["task.id": "\(id)", "error": "\(error)"])
                }
            }
        }
        let fence = WriteFence.Check { [client, logger] in
            if lost.withLock({ $0 }) { throw TaskLockLost(taskId: id.rawValue) }
            for try await _ in try await client.query("""
                SELECT 1 FROM reel_task_locks WHERE task_id = \(id.rawValue) AND token = \(token) AND expires_at > now()
                """, logger: logger) { return }
            lost.withLock { $0 = true }
            throw TaskLockLost(taskId: id.rawValue)
        }
        do {
            // The index writes of `body` carry the token (``PostgresCatalogIndex``).
            let result = try await TaskLockToken.$current.withValue(TaskLockToken(taskId: id.rawValue, token: token)) {
                try await WriteFence.with(fence) { try await body() }
            }
            renewal.cancel()
            await release(id.rawValue, token: token)
            return result
        } catch {
            renewal.cancel()
            await release(id.rawValue, token: token)
            throw error
        }
    }

    /// Takes the lock: free, expired, or (a crash of this very holder) — each take gets a new token. Polls until
    /// `timeout`, 20 ms doubling to 500 ms between tries.
    func acquire(_ taskId: String, holder: String, timeout: Duration?) async throws -> Int64 {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var pause = Duration.milliseconds(20)
        while true {
            do {
                for try await token in try await client.query("""
                    INSERT INTO reel_task_locks (task_id, holder, token, expires_at)
                    VALUES (\(taskId), \(holder), 1, now() + make_interval(secs => \(lease.inSeconds)))
                    ON CONFLICT (task_id) DO UPDATE SET holder = EXCLUDED.holder, token = reel_task_locks.token + 1,
                        expires_at = EXCLUDED.expires_at
                    WHERE reel_task_locks.expires_at < now()
                    RETURNING token
                    """, logger: logger).decode(Int64.self) { return token }
                if let token = try await takeFromDeadLocalHolder(taskId, holder: holder) { return token }
            } catch let error as PSQLError where error.isLockNotAvailable {
                // The row is locked by a transaction that outlasted `lock_timeout`: not taken this time.
                logger.notice("task lock row busy; trying again", metadata: ["task.id": "\(taskId)"])
            }
            if let deadline, ContinuousClock.now >= deadline {
                throw CatalogError.lockTimeout(taskId, "reel_task_locks")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(500))
        }
    }

    /// A holder that is a process of this host that no longer exists (killed) need not be waited for until its lease
    /// expires: its lock is taken over at once, with a new token.
    private func takeFromDeadLocalHolder(_ taskId: String, holder: String) async throws -> Int64? {
        var current: String?
        for try await h in try await client.query("SELECT holder FROM reel_task_locks WHERE task_id = \(taskId)", logger: logger)
            .decode(String.self) { current = h }
        guard let current, MemoryJobQueue.isDeadLocalProcess(current) else { return nil }
        for try await token in try await client.query("""
            UPDATE reel_task_locks SET holder = \(holder), token = token + 1, expires_at = now() + make_interval(secs => \(lease.inSeconds))
            WHERE task_id = \(taskId) AND holder = \(current) RETURNING token
            """, logger: logger).decode(Int64.self) {
            logger.notice("task lock of a process that has ended taken over", metadata: ["task.id": "\(taskId)", "lock.holder": "\(current)"])
            return token
        }
        return nil
    }

    static func renew(_ client: PostgresClient, _ taskId: String, token: Int64, lease: Duration, logger: Logger) async throws -> Bool {
        for try await _ in try await client.query("""
            UPDATE reel_task_locks SET expires_at = now() + make_interval(secs => \(lease.inSeconds))
            WHERE task_id = \(taskId) AND token = \(token) RETURNING token
            """, logger: logger) { return true }
        return false
    }

    /// Gives the lock up (only this take of it); a failure leaves it to expire.
    func release(_ taskId: String, token: Int64) async {
        do {
            try await client.query("DELETE FROM reel_task_locks WHERE task_id = \(taskId) AND token = \(token)", logger: logger)
        } catch {
            logger.warning("task lock not released; it expires with its lease", metadata: ["task.id": "\(taskId)", "error": "\(error)"])
        }
    }
}

/// This process's lock of a task was lost (its lease expired while it was paused or cut off): another process may
/// have the task now, so this one's writes are refused.
public struct TaskLockLost: FenceError, CustomStringConvertible {
    public let taskId: String
    public var description: String { "the lock of task \(taskId) was lost: another process may have it now (fenced)" }
}
