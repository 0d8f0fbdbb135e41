import Catalog
import Foundation
@testable import Pipeline
import PostgresNIO
import ReelPostgres
import Testing

/// What only a lease can do: a holder that stopped renewing (paused) loses the task to another process, and its
/// writes are refused from then on.
@Suite("PostgreSQL task locks", .enabled(if: PostgresTestDatabase.isAvailable))
struct PostgresTaskLocksTests {
    @Test func anExpiredHolderLosesTheTaskAndIsFenced() async throws {
        try await PostgresTestDatabase.withDatabase { client, _ in
            let layout = CatalogLayout(root: FileManager.default.temporaryDirectory)
            let id = try TaskID(validating: "paused-1")
            let make = { PostgresTaskLocks(client: client, owner: "other-host:1", lease: .seconds(30), logger: PostgresTestDatabase.logger) }
            let (paused, rescuer) = (make(), make())
            try await paused.withLock(id, layout: layout, timeout: nil, isolation: nil) {
                try await WriteFence.check()
                // As if the holder had been stopped past its lease: the row expires by the database clock.
                try await client.query("UPDATE reel_task_locks SET expires_at = now() - interval '1 second'", logger: PostgresTestDatabase.logger)
                // Another process: detached, so that it does not inherit this holder's fence.
                try await Task.detached {
                    try await rescuer.withLock(id, layout: layout, timeout: .seconds(5), isolation: nil) {
                        try await WriteFence.check()
                    }
                }.value
                await #expect(throws: TaskLockLost.self, "the former holder's writes are refused") { try await WriteFence.check() }
            }
            #expect(try await client.value("SELECT count(*) FROM reel_task_locks", as: Int.self) == 0, "every take released")
        }
    }

    /// A holder paused (or cut off) between two statements of a transaction — the index write that takes the task's
    /// advisory lock and its lock row `FOR SHARE` — keeps those locks only until the server ends its idle session
    /// (`idle_in_transaction_session_timeout`, set on every connection): the rescuer then takes the task and writes its
    /// index row, instead of waiting forever (seen in CI: a worker paused at that moment held its task up for 300 s).
    @Test(.timeLimit(.minutes(2))) func aHolderPausedInsideATransactionDoesNotHoldTheTaskUp() async throws {
        try await PostgresTestDatabase.withDatabase { client, url in
            let logger = PostgresTestDatabase.logger
            let layout = CatalogLayout(root: FileManager.default.temporaryDirectory)
            let id = try TaskID(validating: "paused-in-tx")
            let settings = try DatabaseSettings(url: url)
            #expect(try await client.value("SHOW idle_in_transaction_session_timeout", as: String.self) == "10s")
            #expect(try await client.value("SHOW lock_timeout", as: String.self) == "1min")
            try await client.query("""
                INSERT INTO reel_task_locks (task_id, holder, token, expires_at) VALUES (\(id.rawValue), 'paused-host:1', 1, now() + interval '1 second')
                """, logger: logger)
            let zombie = PostgresClient(configuration: try settings.clientConfiguration(idleInTransactionTimeout: .seconds(2)),
                                        backgroundLogger: logger)
            let (holding, holds) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await zombie.run() }
                group.addTask {
                    // What PostgresCatalogIndex.upsert does under the lock, then nothing more: the process is stopped.
                    try? await zombie.withConnection { connection in
                        try await connection.query("BEGIN", logger: logger)
                        try await connection.query("SELECT pg_advisory_xact_lock(hashtext('reel_tasks:' || \(id.rawValue)))", logger: logger)
                        try await connection.query("SELECT 1 FROM reel_task_locks WHERE task_id = \(id.rawValue) FOR SHARE", logger: logger)
                        holds.yield()
                        try await Task.sleep(for: .seconds(120))
                    }
                    holds.finish()
                }
                for await _ in holding { break }
                let rescuer = PostgresTaskLocks(client: client, owner: "other-host:2", lease: .seconds(30), logger: logger)
                let index = PostgresCatalogIndex(client: client, logger: logger)
                let task = CatalogIndexContractTests.task(id.rawValue, at: 5, [(1, .preview, .archived, "match")])
                // Without the session timeout this waits forever (the time limit fails it).
                try await rescuer.withLock(id, layout: layout, timeout: .seconds(60), isolation: nil) {
                    try await index.upsert(task, current: { nil })
                }
                #expect(try await client.value("SELECT count(*) FROM reel_tasks WHERE task_id = \(id.rawValue)", as: Int.self) == 1)
                group.cancelAll()
            }
        }
    }
}
