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
}
