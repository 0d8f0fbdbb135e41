import Catalog
import Foundation
import Logging
import PostgresNIO
import ReelBasics

/// The ``CatalogIndexStore`` of a deployment on PostgreSQL (`reel_tasks`, `reel_assets`): what `reel ls`, the admin
/// API and the page of every process read. Derived from the manifests as `index.sqlite` is (`reel reindex` rebuilds
/// it). Writes are batched statements over arrays (`unnest`), so a rebuild of 100 000 tasks is a few hundred
/// statements, not 200 000.
///
/// A write made while a task lock of ``PostgresTaskLocks`` is held (``TaskLockToken/current``) carries its token: in
/// the same transaction it takes the lock row `FOR SHARE` and is refused with ``TaskLockLost`` when the token is no
/// longer current, so a paused former holder cannot overwrite the index of a task another process has taken over.
public struct PostgresCatalogIndex: CatalogIndexStore {
    public let client: PostgresClient
    let logger: Logger
    /// Tasks per statement in a rebuild.
    static let batch = 1000

    public init(client: PostgresClient, logger: Logger = Logger(label: "reelvault.catalog")) {
        self.client = client
        self.logger = logger
    }

    /// Serialised per task by a transaction-scoped advisory lock, inside which the task is read as it is saved now
    /// (`current`): the last writer to get the lock writes what is on disk then, as `index.sqlite`'s write transaction
    /// does.
    public func upsert(_ task: IndexedTask, current: @escaping @Sendable () -> IndexedTask?) async throws {
        let taskId = task.summary.taskId
        let token = TaskLockToken.current.flatMap { $0.taskId == taskId ? $0 : nil }
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext('reel_tasks:' || \(taskId)))", logger: logger)
                if let token {
                    var held = false
                    for try await _ in try await connection.query("""
                        SELECT 1 FROM reel_task_locks WHERE task_id = \(taskId) AND token = \(token.token) AND expires_at > now()
                        FOR SHARE
                        """, logger: logger) { held = true }
                    guard held else { throw TaskLockLost(taskId: taskId) }
                }
                let latest = await BlockingPool.shared.run { current() } ?? task // a file read: off the cooperative pool
                try await Self.write([latest], connection, logger)
            }
        } catch let error as PostgresTransactionError {
            if let fenced = error.closureError as? TaskLockLost { throw fenced }
            throw error
        }
    }

    public func list(_ filter: TaskFilter) async throws -> [TaskSummary] {
        let limit = filter.limit.map { max(0, $0) }
        let offset = max(0, filter.offset)
        let order = switch filter.sort {
        case .updated: "updated_at DESC, task_id"
        case .archived: "archived_at ASC NULLS LAST, task_id"
        case .archivedDescending: "archived_at DESC NULLS LAST, task_id"
        }
        var query = Self.selection(filter, columns: Self.columns + ", card")
        query.sql += " ORDER BY \(order) LIMIT " + (limit.map { "\($0)" } ?? "ALL") + " OFFSET \(offset)"
        var summaries: [TaskSummary] = []
        for try await (taskId, kind, status, assets, archived, failed, verdicts, states, scriptIds, updatedAt, archivedAt, card) in try await client
            .query(query, logger: logger)
            .decode((String, String, String?, Int, Int, Int, [String], [String], [Int], Date, Date?, String?).self) {
            summaries.append(TaskSummary(taskId: taskId, kind: kind, status: status, assetCount: assets, archivedCount: archived,
                                         failedCount: failed, verdicts: verdicts, states: states, scriptIds: scriptIds,
                                         updatedAt: updatedAt, archivedAt: archivedAt, card: TaskCard(stored: card)))
        }
        return summaries
    }

    public func count(_ filter: TaskFilter) async throws -> Int {
        for try await count in try await client.query(Self.selection(filter, columns: "count(*)::bigint"), logger: logger).decode(Int.self) {
            return count
        }
        return 0
    }

    /// `SELECT columns FROM reel_tasks WHERE …` for `filter`, every value bound. The task state and the verdicts are
    /// columns of the task's row (``TaskSummary/taskState``, ``VerdictMask``); other asset criteria, or several together,
    /// look at the task's asset rows.
    static func selection(_ filter: TaskFilter, columns: String) -> PostgresQuery {
        var binds = PostgresBindings()
        var conditions: [String] = []
        func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let verdict = filter.verdict, filter.scriptId == nil, filter.state == nil, filter.role == nil,
           VerdictMask.names.contains(verdict) {
            conditions.append("verdict_mask & \(bind(VerdictMask(verdict: verdict).rawValue)) != 0")
        } else if filter.hasAssetCriteria {
            var asset: [String] = []
            if let scriptId = filter.scriptId { asset.append("script_id = \(bind(scriptId))") }
            if let verdict = filter.verdict { asset.append("verdict = \(bind(verdict))") }
            if let state = filter.state { asset.append("state = \(bind(state))") }
            if let role = filter.role { asset.append("role = \(bind(role.rawValue))") }
            conditions.append("task_id IN (SELECT task_id FROM reel_assets WHERE \(asset.joined(separator: " AND ")))")
        }
        if let kind = filter.kind { conditions.append("kind = \(bind(kind))") }
        if let prefix = filter.taskIdPrefix {
            // Byte-wise comparison (text_pattern_ops), whatever the database's collation says.
            conditions.append("task_id ~>=~ \(bind(prefix)) AND starts_with(task_id, \(bind(prefix)))")
        }
        if let state = filter.taskState { conditions.append("task_state = \(bind(state.rawValue))") }
        let sql = "SELECT \(columns) FROM reel_tasks" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    public func replaceAll(_ tasks: [IndexedTask]) async throws -> Int {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM reel_tasks", logger: logger) // its assets go with it
            var start = 0
            while start < tasks.count {
                let end = min(tasks.count, start + Self.batch)
                try await Self.write(Array(tasks[start..<end]), connection, logger)
                start = end
            }
        }
        return tasks.count
    }

    static let columns = "task_id, kind, status, asset_count, archived_count, failed_count, verdicts, states, script_ids, updated_at, archived_at"
    static let writtenColumns = columns + ", task_state, verdict_mask, card"

    /// Upserts `tasks` (distinct ids), then replaces their asset rows: three statements whatever their number. The list columns travel joined by U+001F (arrays of arrays must be
    /// rectangular in PostgreSQL) and are split by the database.
    static func write(_ tasks: [IndexedTask], _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !tasks.isEmpty else { return }
        let s = tasks.map(\.summary)
        let joined = { (values: [String]) in values.joined(separator: "\u{1F}") }
        let query: PostgresQuery = """
            INSERT INTO reel_tasks (\(unescaped: writtenColumns))
            SELECT t.task_id, t.kind, CASE WHEN t.has_status THEN t.status END, t.asset_count, t.archived_count, t.failed_count,
                   string_to_array(t.verdicts, chr(31)), string_to_array(t.states, chr(31)),
                   string_to_array(t.script_ids, chr(31))::bigint[], t.updated_at,
                   CASE WHEN t.has_archived THEN t.archived_at END, t.task_state, t.verdict_mask, NULLIF(t.card, '')
            FROM unnest(\(s.map(\.taskId))::text[], \(s.map(\.kind))::text[], \(s.map { $0.status != nil })::boolean[],
                        \(s.map { $0.status ?? "" })::text[], \(s.map(\.assetCount))::bigint[], \(s.map(\.archivedCount))::bigint[],
                        \(s.map(\.failedCount))::bigint[], \(s.map { joined($0.verdicts) })::text[], \(s.map { joined($0.states) })::text[],
                        \(s.map { joined($0.scriptIds.map(String.init)) })::text[], \(s.map(\.updatedAt))::timestamptz[],
                        \(s.map { $0.archivedAt != nil })::boolean[], \(s.map { $0.archivedAt ?? $0.updatedAt })::timestamptz[],
                        \(s.map(\.taskState.rawValue))::text[], \(s.map { VerdictMask($0.verdicts).rawValue })::bigint[],
                        \(s.map { $0.card?.stored ?? "" })::text[])
                AS t(task_id, kind, has_status, status, asset_count, archived_count, failed_count, verdicts, states, script_ids, updated_at,
                     has_archived, archived_at, task_state, verdict_mask, card)
            ON CONFLICT (task_id) DO UPDATE SET kind = EXCLUDED.kind, status = EXCLUDED.status,
                asset_count = EXCLUDED.asset_count, archived_count = EXCLUDED.archived_count, failed_count = EXCLUDED.failed_count,
                verdicts = EXCLUDED.verdicts, states = EXCLUDED.states, script_ids = EXCLUDED.script_ids, updated_at = EXCLUDED.updated_at,
                archived_at = EXCLUDED.archived_at, task_state = EXCLUDED.task_state, verdict_mask = EXCLUDED.verdict_mask,
                card = EXCLUDED.card
            """
        try await connection.query(query, logger: logger)
        try await connection.query("DELETE FROM reel_assets WHERE task_id = ANY(\(s.map(\.taskId)))", logger: logger)
        var (ids, scripts, roles, states, verdicts) = ([String](), [Int](), [String](), [String](), [String]())
        for task in tasks {
            for asset in task.assets {
                ids.append(task.summary.taskId)
                scripts.append(asset.scriptId)
                roles.append(asset.role.rawValue)
                states.append(asset.state)
                verdicts.append(asset.verdict ?? "") // a verdict is never empty: "" stands for none
            }
        }
        guard !ids.isEmpty else { return }
        try await connection.query("""
            INSERT INTO reel_assets (task_id, script_id, role, state, verdict)
            SELECT a.task_id, a.script_id, a.role, a.state, NULLIF(a.verdict, '')
            FROM unnest(\(ids)::text[], \(scripts)::bigint[], \(roles)::text[], \(states)::text[], \(verdicts)::text[])
                AS a(task_id, script_id, role, state, verdict)
            ON CONFLICT (task_id, script_id, role) DO UPDATE SET state = EXCLUDED.state, verdict = EXCLUDED.verdict
            """, logger: logger)
    }
}
