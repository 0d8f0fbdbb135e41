import Foundation
import Logging
import Pipeline
import PostgresNIO

/// The ``WatchStore`` in PostgreSQL (`reel_watch`, in the order tasks were added), shared by every process of a
/// deployment. Each call is one statement or one transaction; dates are the feeder's, to the millisecond.
public struct PostgresWatchList: WatchStore {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger = Logger(label: "reelvault.watch")) {
        self.client = client
        self.logger = logger
    }

    public var description: String { "PostgreSQL reel_watch" }

    static let columns = "task_id, kind, added_at, next_poll_at, polls, last_status, last_error, settled_at"

    public func add(_ taskIds: [String], kind: String) async throws -> [WatchEntry] {
        let kindName = try WatchEntry.checked(taskIds, kind: kind).name
        var seen = Set<String>()
        let fresh = taskIds.filter { seen.insert($0).inserted }.map { WatchEntry.new($0, kind: kindName) }
        let added = try await client.withTransaction(logger: logger) { connection -> [WatchEntry] in
            var added: [WatchEntry] = []
            for e in fresh {
                for try await _ in try await connection.query(Self.insertUnlessWatched(e), logger: logger) { added.append(e) }
            }
            return added
        }
        if !added.isEmpty { logger.info("tasks watched", metadata: ["watch.tasks": "\(added.map(\.taskId))"]) }
        return added
    }

    /// Adds `entry` as it is (its dates, polls and status), unless its task is watched already (`reel migrate
    /// --to-database`: idempotent, resumable). `true` when it was added.
    public func importEntry(_ entry: WatchEntry) async throws -> Bool {
        _ = try WatchEntry.checked([entry.taskId], kind: entry.kind)
        for try await _ in try await client.query(Self.insertUnlessWatched(entry.storedToTheMillisecond), logger: logger) { return true }
        return false
    }

    /// `e` as a new row, nothing when its task is watched already; returns its task id when inserted.
    private static func insertUnlessWatched(_ e: WatchEntry) -> PostgresQuery {
        """
        INSERT INTO reel_watch (\(unescaped: columns))
        VALUES (\(e.taskId), \(e.kind), \(e.addedAt), \(e.nextPollAt), \(e.polls), \(e.lastStatus), \(e.lastError), \(e.settledAt))
        ON CONFLICT (task_id) DO NOTHING RETURNING task_id
        """
    }

    public func remove(_ taskIds: [String]) async throws -> [String] {
        var present = Set<String>()
        for try await id in try await client.query("DELETE FROM reel_watch WHERE task_id = ANY(\(taskIds)) RETURNING task_id", logger: logger)
            .decode(String.self) { present.insert(id) }
        var seen = Set<String>()
        let removed = taskIds.filter { present.contains($0) && seen.insert($0).inserted }
        if !removed.isEmpty { logger.info("tasks no longer watched", metadata: ["watch.tasks": "\(removed)"]) }
        return removed
    }

    public func list() async throws -> [WatchEntry] {
        try await entries(client.query("SELECT \(unescaped: Self.columns) FROM reel_watch ORDER BY seq", logger: logger))
    }

    /// A read: nothing is written either way.
    public func listReadOnly() async throws -> [WatchEntry] { try await list() }

    public func entry(_ taskId: String) async throws -> WatchEntry? {
        try await entries(client.query("SELECT \(unescaped: Self.columns) FROM reel_watch WHERE task_id = \(taskId)", logger: logger)).first
    }

    public func update(_ entry: WatchEntry) async throws -> Bool {
        let e = entry.storedToTheMillisecond
        for try await _ in try await client.query("""
            UPDATE reel_watch SET kind = \(e.kind), added_at = \(e.addedAt), next_poll_at = \(e.nextPollAt), polls = \(e.polls),
                last_status = \(e.lastStatus), last_error = \(e.lastError), settled_at = \(e.settledAt)
            WHERE task_id = \(e.taskId) RETURNING task_id
            """, logger: logger) { return true }
        return false
    }

    public func due(now: Date) async throws -> [WatchEntry] {
        try await entries(client.query("""
            SELECT \(unescaped: Self.columns) FROM reel_watch WHERE next_poll_at <= \(now) ORDER BY next_poll_at, seq
            """, logger: logger))
    }

    private func entries(_ rows: PostgresRowSequence) async throws -> [WatchEntry] {
        var entries: [WatchEntry] = []
        for try await row in rows {
            let r = row.makeRandomAccess()
            entries.append(WatchEntry(
                taskId: try r["task_id"].decode(String.self), kind: try r["kind"].decode(String.self),
                addedAt: try r["added_at"].decode(Date.self), nextPollAt: try r["next_poll_at"].decode(Date.self),
                polls: try r["polls"].decode(Int.self), lastStatus: try r["last_status"].decode(String?.self),
                lastError: try r["last_error"].decode(String?.self), settledAt: try r["settled_at"].decode(Date?.self)
            ).storedToTheMillisecond) // microseconds back to the milliseconds that were written
        }
        return entries
    }
}
