import Logging
import PostgresNIO

/// The schema of ReelVault's shared state, as numbered steps applied in order, each in its own transaction with the
/// version recorded in `reel_schema`. Many processes may start at once: `migrate` takes a transaction-scoped advisory
/// lock first, so the steps run once. A database ahead of this binary refuses it (``SchemaStatus/isAhead``).
public enum Migrations {
    /// Every step; a step is never edited once released, only new ones appended.
    static let steps: [String] = [
        // 1: jobs, one row per (kind, taskId); a running job has an owner, a lease and a fencing token.
        """
        CREATE TABLE reel_jobs (
            id text PRIMARY KEY,
            task_id text NOT NULL,
            kind text NOT NULL,
            state text NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'cancelled')),
            attempts integer NOT NULL DEFAULT 0,
            max_attempts integer NOT NULL,
            not_before timestamptz NOT NULL,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            last_error text,
            owner text,
            reason text,
            cancel_requested boolean NOT NULL DEFAULT false,
            rerun_requested boolean NOT NULL DEFAULT false,
            interruptions integer NOT NULL DEFAULT 0,
            lease_expires_at timestamptz,
            token bigint NOT NULL DEFAULT 0
        );
        CREATE INDEX reel_jobs_due ON reel_jobs (created_at, id) WHERE state = 'pending';
        CREATE INDEX reel_jobs_state ON reel_jobs (state, created_at, id);
        CREATE INDEX reel_jobs_leases ON reel_jobs (lease_expires_at) WHERE state = 'running';
        """,
        // 2: the watch list (in the order tasks were added), the processes of the deployment with their heartbeats, and
        // named leader leases (the feeder's) expiring by the database clock.
        """
        CREATE TABLE reel_watch (
            task_id text PRIMARY KEY,
            seq bigserial NOT NULL,
            kind text NOT NULL,
            added_at timestamptz NOT NULL,
            next_poll_at timestamptz NOT NULL,
            polls integer NOT NULL DEFAULT 0,
            last_status text,
            last_error text,
            settled_at timestamptz
        );
        CREATE INDEX reel_watch_due ON reel_watch (next_poll_at);
        CREATE TABLE reel_workers (
            id text PRIMARY KEY,
            roles text NOT NULL,
            host text NOT NULL,
            pid integer NOT NULL,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            jobs text NOT NULL DEFAULT ''
        );
        CREATE TABLE reel_leaders (
            name text PRIMARY KEY,
            holder text NOT NULL,
            expires_at timestamptz NOT NULL,
            term bigint NOT NULL DEFAULT 1
        )
        """,
        // 3: per-task locks as leases (a paused holder's lease expires), each taking a new token.
        """
        CREATE TABLE reel_task_locks (
            task_id text PRIMARY KEY,
            holder text NOT NULL,
            token bigint NOT NULL,
            expires_at timestamptz NOT NULL
        )
        """,
        // 4: the catalog index (derived from the manifests, as index.sqlite is): a row per task, one per asset.
        """
        CREATE TABLE reel_tasks (
            task_id text PRIMARY KEY,
            kind text NOT NULL,
            status text,
            asset_count integer NOT NULL,
            archived_count integer NOT NULL,
            failed_count integer NOT NULL,
            verdicts text[] NOT NULL,
            states text[] NOT NULL,
            script_ids bigint[] NOT NULL,
            updated_at timestamptz NOT NULL
        );
        CREATE INDEX reel_tasks_recent ON reel_tasks (updated_at DESC, task_id);
        CREATE TABLE reel_assets (
            task_id text NOT NULL REFERENCES reel_tasks ON DELETE CASCADE,
            script_id bigint NOT NULL,
            role text NOT NULL,
            state text NOT NULL,
            verdict text,
            PRIMARY KEY (task_id, script_id, role)
        );
        CREATE INDEX reel_assets_script ON reel_assets (script_id, task_id);
        CREATE INDEX reel_assets_state ON reel_assets (state, task_id);
        CREATE INDEX reel_assets_verdict ON reel_assets (verdict, task_id)
        """,
        // 5: how a done job's last run went (`reel jobs ls`).
        """
        ALTER TABLE reel_jobs ADD COLUMN outcome text, ADD COLUMN outcome_message text
        """,
        // 6: when a task was first fully archived (`reel ls`, the page's sort).
        """
        ALTER TABLE reel_tasks ADD COLUMN archived_at timestamptz
        """,
        // 7: the catalog page: each task's state and verdicts as columns of its row (filtered on the index of the page's
        // order), its card (badges, duration, poster: a page reads no manifest; null until the task is saved again or
        // `reel reindex` runs), the sort by archive time, and the task-id search (a prefix, compared byte by byte).
        """
        ALTER TABLE reel_tasks ADD COLUMN task_state text NOT NULL DEFAULT 'pending',
            ADD COLUMN verdict_mask integer NOT NULL DEFAULT 0, ADD COLUMN card text;
        UPDATE reel_tasks SET
            task_state = CASE
                WHEN failed_count > 0 OR verdicts && ARRAY['mismatch', 'undecodable'] THEN 'attention'
                WHEN asset_count > 0 AND NOT ('pending' = ANY(states)) THEN 'archived'
                ELSE 'pending' END,
            verdict_mask = (CASE WHEN 'match' = ANY(verdicts) THEN 1 ELSE 0 END)
                | (CASE WHEN 'mismatch' = ANY(verdicts) THEN 2 ELSE 0 END)
                | (CASE WHEN 'unreported' = ANY(verdicts) THEN 4 ELSE 0 END)
                | (CASE WHEN 'undecodable' = ANY(verdicts) THEN 8 ELSE 0 END)
                | (CASE WHEN verdicts <@ ARRAY['match', 'mismatch', 'unreported', 'undecodable'] THEN 0 ELSE 16 END);
        CREATE INDEX reel_tasks_state ON reel_tasks (task_state, updated_at DESC, task_id);
        CREATE INDEX reel_tasks_kind ON reel_tasks (kind, updated_at DESC, task_id);
        CREATE INDEX reel_tasks_archived ON reel_tasks (archived_at, task_id);
        CREATE INDEX reel_tasks_id_prefix ON reel_tasks (task_id text_pattern_ops)
        """,
    ]

    public static var expectedVersion: Int { steps.count }

    /// The advisory lock key that serialises migrations across processes ("reelmigr" as a number).
    static let lockKey: Int64 = 0x7265_656C_6D69_6772

    /// Applies the pending steps; returns how many ran. Throws ``SchemaStatus/Ahead`` when the database is newer.
    @discardableResult
    public static func migrate(_ client: PostgresClient, logger: Logger) async throws -> Int {
        // Under the lock too: concurrent `CREATE TABLE IF NOT EXISTS` on a fresh database race in the catalog
        // (a duplicate key on pg_type), so many processes starting at once would fail.
        try await client.withTransaction(logger: logger) { connection in
            try await waitForMigrationLock(connection, logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS reel_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", logger: logger)
        }
        var applied = 0
        for (index, step) in steps.enumerated() {
            let version = index + 1
            let ran = try await client.withTransaction(logger: logger) { connection -> Bool in
                try await waitForMigrationLock(connection, logger)
                let rows = try await connection.query("SELECT version FROM reel_schema WHERE version = \(version)", logger: logger)
                for try await _ in rows { return false }
                for statement in step.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) where !statement.isEmpty {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO reel_schema (version) VALUES (\(version))", logger: logger)
                return true
            }
            if ran {
                applied += 1
                logger.notice("database schema migrated", metadata: ["db.schema_version": "\(version)"])
            }
        }
        let status = try await status(client, logger: logger)
        if status.isAhead { throw SchemaStatus.Ahead(status: status) }
        return applied
    }

    /// Takes the migration lock for this transaction, waiting as long as another process's migration takes (a step may
    /// rewrite every row): without the session's `lock_timeout` (``DatabaseSettings/lockTimeout``).
    private static func waitForMigrationLock(_ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("SET LOCAL lock_timeout = 0", logger: logger)
        try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
    }

    public static func status(_ client: PostgresClient, logger: Logger) async throws -> SchemaStatus {
        var exists = false
        for try await found in try await client.query("SELECT to_regclass('reel_schema') IS NOT NULL", logger: logger).decode(Bool.self) {
            exists = found
        }
        var version = 0
        if exists {
            for try await v in try await client.query("SELECT coalesce(max(version), 0) FROM reel_schema", logger: logger).decode(Int.self) {
                version = v
            }
        }
        return SchemaStatus(schemaVersion: version, expectedVersion: expectedVersion)
    }
}

/// `reel db status --json`: `{"schemaVersion", "expectedVersion", "pending"}`.
public struct SchemaStatus: Codable, Sendable, Equatable {
    public var schemaVersion: Int
    public var expectedVersion: Int
    public var pending: Int { max(0, expectedVersion - schemaVersion) }
    public var isAhead: Bool { schemaVersion > expectedVersion }

    public init(schemaVersion: Int, expectedVersion: Int) {
        self.schemaVersion = schemaVersion
        self.expectedVersion = expectedVersion
    }

    private enum CodingKeys: String, CodingKey { case schemaVersion, expectedVersion, pending }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        expectedVersion = try c.decode(Int.self, forKey: .expectedVersion)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schemaVersion, forKey: .schemaVersion)
        try c.encode(expectedVersion, forKey: .expectedVersion)
        try c.encode(pending, forKey: .pending)
    }

    /// The database was migrated by a newer ReelVault: this binary must not touch it.
    public struct Ahead: Error, CustomStringConvertible {
        public let status: SchemaStatus
        public init(status: SchemaStatus) { self.status = status }
        public var description: String {
            "the database schema is at version \(status.schemaVersion), newer than this reel understands "
                + "(\(status.expectedVersion)): run a reel built for schema \(status.schemaVersion) or later"
        }
    }
}
