import DurableFiles
import Foundation
import GRDB
import Logging
import ReelBasics

/// The embedded ``CatalogIndexStore``: the derived index of tasks and assets in `index.sqlite` (GRDB, SQLite in WAL
/// mode). Its calls run on ``BlockingPool/shared`` (SQLite blocks its thread).
///
/// Derived data only: the manifests are the truth. When the file is missing, is not a database, or has
/// another schema version (`PRAGMA user_version`), it is rebuilt from the manifests on open. Several
/// processes may read and write it at once (WAL, busy timeout); opening and rebuilding are serialised
/// across processes by an flock on `<root>/.index.lock`. A read-only catalog opens it with
/// ``openReadOnly(url:lockURL:logger:scan:)`` instead, which changes and creates nothing.
final class CatalogIndex: Sendable {
    /// Bump when the tables change: every catalog then rebuilds its index on next open.
    static let schemaVersion = 4
    /// How long a writer waits for another process's write transaction.
    static let busyTimeout: TimeInterval = 60
    /// Separates the values of the list columns (`verdicts`, `states`, `scriptIds`).
    static let separator = "\u{1F}"

    /// Calls its argument with every parsable manifest of the catalog.
    typealias ManifestScan = ((TaskManifest) throws -> Void) throws -> Void

    /// The index database: a pool on `index.sqlite`, or (read-only) one connection on it or an in-memory copy.
    let database: any DatabaseWriter
    let path: String

    init(database: any DatabaseWriter, path: String) {
        self.database = database
        self.path = path
    }

    /// Opens the index at `url`, rebuilding it with `scan` when it is missing or outdated.
    init(url: URL, lockURL: URL, logger: Logger, scan: ManifestScan) throws(CatalogError) {
        path = url.path
        let lock = try fileIO { () throws(FileError) in try FileLock(path: lockURL.path) }
        defer { lock.close() }
        let indexPath = url.path
        try fileIO { () throws(FileError) in
            try lock.lockBlocking()
            if !FileManager.default.fileExists(atPath: indexPath) {
                // A WAL left without its database would be replayed into the new one.
                for suffix in ["-wal", "-shm"] { try FileIO.removeFile(indexPath + suffix) }
            }
        }
        do {
            database = try Self.openAndMigrate(path: path, logger: logger, scan: scan)
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            logger.warning("index unreadable, rebuilding", metadata: ["catalog.index": "\(path)", "error": "\(error)"])
            for suffix in ["", "-wal", "-shm"] { try fileIO { () throws(FileError) in try FileIO.removeFile(indexPath + suffix) } }
            do {
                database = try Self.openAndMigrate(path: path, logger: logger, scan: scan)
            } catch {
                throw .index(path, error)
            }
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .index(path, error)
        }
    }

    private static func openAndMigrate(path: String, logger: Logger, scan: ManifestScan) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.label = "reelvault.index"
        configuration.busyMode = .timeout(busyTimeout)
        configuration.maximumReaderCount = 4
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            guard version != schemaVersion else { return }
            try createSchema(db)
            let count = try insertAll(db, scan: scan)
            try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
            logger.log(level: count > 0 ? .notice : .debug, "index built from manifests", metadata: [
                "catalog.index": "\(path)", "catalog.index.from_version": "\(version)",
                "catalog.index.tasks": "\(count)",
            ])
        }
        return pool
    }

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            DROP TABLE IF EXISTS asset;
            DROP TABLE IF EXISTS task;
            CREATE TABLE task (
                taskId TEXT PRIMARY KEY NOT NULL,
                kind TEXT NOT NULL,
                status TEXT,
                assetCount INTEGER NOT NULL,
                archivedCount INTEGER NOT NULL,
                failedCount INTEGER NOT NULL,
                verdicts TEXT NOT NULL,
                states TEXT NOT NULL,
                scriptIds TEXT NOT NULL,
                updatedAt REAL NOT NULL,
                archivedAt REAL,
                taskState TEXT NOT NULL,
                verdictMask INTEGER NOT NULL,
                card TEXT
            ) WITHOUT ROWID;
            -- One index per order, each covering the page's filters (state, kind, verdict, id prefix), so that a page
            -- deep in any filter is a scan of one index, never a sort; the state's own index serves its counts.
            CREATE INDEX task_updatedAt ON task(updatedAt DESC, taskId, taskState, kind, verdictMask);
            CREATE INDEX task_archivedAt ON task(archivedAt IS NULL, archivedAt, taskId, taskState, kind, verdictMask);
            CREATE INDEX task_archivedAtDesc ON task(archivedAt IS NULL, archivedAt DESC, taskId, taskState, kind, verdictMask);
            CREATE INDEX task_taskState ON task(taskState, updatedAt DESC, taskId, kind, verdictMask);
            CREATE INDEX task_kind ON task(kind, updatedAt DESC, taskId, taskState, verdictMask);
            CREATE TABLE asset (
                taskId TEXT NOT NULL,
                scriptId INTEGER NOT NULL,
                role TEXT NOT NULL,
                state TEXT NOT NULL,
                verdict TEXT,
                PRIMARY KEY (taskId, scriptId, role)
            ) WITHOUT ROWID;
            CREATE INDEX asset_scriptId ON asset(scriptId, taskId);
            CREATE INDEX asset_state ON asset(state, taskId);
            CREATE INDEX asset_verdict ON asset(verdict, taskId);
            """)
    }

    /// Inserts every manifest `scan` yields; returns how many.
    static func insertAll(_ db: Database, scan: ManifestScan) throws -> Int {
        var count = 0
        try scan { manifest in
            try upsert(IndexedTask(manifest), in: db)
            count += 1
        }
        return count
    }

    /// Replaces the rows of `task`.
    static func upsert(_ task: IndexedTask, in db: Database) throws {
        let summary = task.summary
        try db.cachedStatement(sql: "DELETE FROM asset WHERE taskId = ?").execute(arguments: [summary.taskId])
        try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO task
            (taskId, kind, status, assetCount, archivedCount, failedCount, verdicts, states, scriptIds, updatedAt, archivedAt,
             taskState, verdictMask, card)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                summary.taskId, summary.kind, summary.status, summary.assetCount, summary.archivedCount,
                summary.failedCount, summary.verdicts.joined(separator: separator),
                summary.states.joined(separator: separator),
                summary.scriptIds.map(String.init).joined(separator: separator),
                summary.updatedAt.timeIntervalSince1970, summary.archivedAt?.timeIntervalSince1970,
                summary.taskState.rawValue, VerdictMask(summary.verdicts).rawValue, summary.card?.stored,
            ])
        let insertAsset = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO asset (taskId, scriptId, role, state, verdict) VALUES (?, ?, ?, ?, ?)
            """)
        for asset in task.assets {
            try insertAsset.execute(arguments: [summary.taskId, asset.scriptId, asset.role.rawValue, asset.state, asset.verdict])
        }
    }

    /// Runs `body` in a write transaction; any failure is ``CatalogError/index(_:_:)``.
    func write<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try database.write(body)
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .index(path, error)
        }
    }
}

extension CatalogIndex: CatalogIndexStore {
    /// Inside the write transaction the task is read again (`current`), so that of two racing saves the index ends
    /// with what is on disk; `task` is the fallback if it is gone.
    func upsert(_ task: IndexedTask, current: @escaping @Sendable () -> IndexedTask?) async throws {
        try await BlockingPool.shared.run { () throws(CatalogError) in
            try self.write { db in try Self.upsert(current() ?? task, in: db) }
        }
    }

    /// Reads run on their own pool (``BlockingPool/reads``): a page never waits behind the saves of busy workers.
    func list(_ filter: TaskFilter) async throws -> [TaskSummary] {
        try await BlockingPool.reads.run { () throws(CatalogError) in try self.listNow(filter) }
    }

    func count(_ filter: TaskFilter) async throws -> Int {
        try await BlockingPool.reads.run { () throws(CatalogError) in try self.countNow(filter) }
    }

    func replaceAll(_ tasks: [IndexedTask]) async throws -> Int {
        try await BlockingPool.shared.run { () throws(CatalogError) in
            try self.write { db in
                try db.execute(sql: "DELETE FROM asset; DELETE FROM task;")
                for task in tasks { try Self.upsert(task, in: db) }
                return tasks.count
            }
        }
    }
}
