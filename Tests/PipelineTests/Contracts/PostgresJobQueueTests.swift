import Foundation
@testable import Pipeline
import PostgresNIO
@testable import ReelPostgres
import Testing

/// The PostgreSQL queue: the whole ``JobQueueCheck`` contract, then what only a shared database has — leases that
/// expire by the database clock, fencing of a paused former owner, migrations that run once and refuse a newer schema.
@Suite("PostgreSQL job queue", .enabled(if: PostgresTestDatabase.isAvailable))
struct PostgresJobQueueTests {
    @Test(arguments: JobQueueCheck.allCases)
    func contract(_ check: JobQueueCheck) async throws {
        try await check.run(on: .postgres)
    }

    /// A worker whose lease expired (paused, partitioned) is rescued; its late complete changes nothing.
    @Test func anExpiredLeaseIsRescuedAndTheFormerOwnerIsFenced() async throws {
        try await PostgresTestDatabase.withDatabase { client, _ in
            let paused = PostgresJobQueue(client: client, owner: "other-host:1", lease: .seconds(3), logger: PostgresTestDatabase.logger)
            let alive = PostgresJobQueue(client: client, owner: "other-host:2", lease: .seconds(30), logger: PostgresTestDatabase.logger)
            _ = try await paused.enqueue(taskId: "zombie-1", kind: "m2v", reason: "callback")
            let claimedAt = ContinuousClock.now
            let first = try #require(try await paused.claim(owner: "other-host:1"))
            #expect(first.attempts == 1)
            // Not rescued while the lease runs (checked only when this machine was quick enough to ask in time).
            let early = try await alive.recover(owner: "other-host:2", maxInterruptions: 10)
            if ContinuousClock.now - claimedAt < .seconds(2) { #expect(early == 0) }
            // Rescued once it has expired (by the database clock), whatever the load.
            var rescuedCount = early
            for _ in 0..<60 where rescuedCount == 0 {
                try await Task.sleep(for: .milliseconds(500))
                rescuedCount += try await alive.recover(owner: "other-host:2", maxInterruptions: 10)
            }
            #expect(rescuedCount == 1)
            let rescued = try #require(try await alive.get(first.id))
            #expect(rescued.state == .pending && rescued.attempts == 0 && rescued.interruptions == 1)
            let second = try #require(try await alive.claim(owner: "other-host:2"))
            #expect(second.id == first.id)
            // The paused owner wakes up: its complete and fail are refused and change nothing.
            await #expect(throws: (any Error).self) { try await paused.complete(first.id) }
            await #expect(throws: (any Error).self) { _ = try await paused.fail(first.id, error: "late", retryAfter: nil) }
            #expect(try await alive.get(first.id)?.state == .running)
            #expect(try await alive.get(first.id)?.owner == "other-host:2")
            try await alive.complete(second.id)
            #expect(try await alive.get(first.id)?.state == .done)
            // The paused owner found its lease lost; its next claim of the same job is its own again.
            await #expect(throws: LeaseLost.self) { try await paused.checkLease(first.id) }
            #expect(paused.hasLostLease(first.id))
            _ = try await paused.enqueue(taskId: "zombie-1", kind: "m2v", reason: "callback")
            let again = try #require(try await paused.claim(owner: "other-host:1"))
            #expect(again.id == first.id && !paused.hasLostLease(first.id), "a lease lost earlier is not the new claim's")
            try await paused.checkLease(first.id)
            try await paused.complete(again.id)
        }
    }

    @Test func leasesAreRenewedWhileHeld() async throws {
        try await PostgresTestDatabase.withDatabase { client, _ in
            let worker = PostgresJobQueue(client: client, owner: "other-host:3", lease: .seconds(4), logger: PostgresTestDatabase.logger)
            let rescuer = PostgresJobQueue(client: client, owner: "other-host:4", logger: PostgresTestDatabase.logger)
            _ = try await worker.enqueue(taskId: "renewed-1", kind: "m2v", reason: "cli")
            let job = try #require(try await worker.claim(owner: "other-host:3"))
            // Held past its lease by renewals every second.
            for _ in 0..<6 {
                try await Task.sleep(for: .seconds(1))
                try await worker.renewLeases()
            }
            #expect(try await rescuer.recover(owner: "other-host:4", maxInterruptions: 10) == 0, "a renewed lease is not rescued")
            #expect(worker.holds(job.id))
            try await worker.complete(job.id)
        }
    }

    @Test func migrationsRunOnceAndAreCounted() async throws {
        try await PostgresTestDatabase.withDatabase { client, _ in
            let logger = PostgresTestDatabase.logger
            #expect(try await Migrations.migrate(client, logger: logger) == 0, "already migrated by the fixture")
            let status = try await Migrations.status(client, logger: logger)
            #expect(status == SchemaStatus(schemaVersion: Migrations.expectedVersion, expectedVersion: Migrations.expectedVersion))
            #expect(status.pending == 0)
            // Many processes starting at once: the advisory lock lets one apply each step.
            try await PostgresTestDatabase.dropSchema(client)
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await Migrations.migrate(client, logger: logger) } }
                return try await group.reduce(0, +)
            }
            #expect(applied == Migrations.expectedVersion)
            // A schema newer than this binary is refused.
            try await client.query("INSERT INTO reel_schema (version) VALUES (\(Migrations.expectedVersion + 1))", logger: logger)
            await #expect(throws: SchemaStatus.Ahead.self) { try await Migrations.migrate(client, logger: logger) }
        }
    }

    @Test func databaseURLsAreParsedAndThePasswordNeverShows() throws {
        let settings = try DatabaseSettings(url: "postgres://reel:s3cr%40t@db.example.com:6543/reel_prod?sslmode=require", environment: [:])
        #expect(settings.host == "db.example.com" && settings.port == 6543 && settings.user == "reel" && settings.database == "reel_prod")
        #expect(settings.sslMode == .require)
        #expect(!settings.description.contains("s3cr"))
        #expect(try DatabaseSettings(url: "postgres://u@127.0.0.1/db", environment: [:]).sslMode == .disable)
        #expect(try DatabaseSettings(url: "postgresql://u@db.example.com/db", environment: [:]).sslMode == .verifyFull)
        for bad in ["mysql://u@h/db", "postgres://h/db", "postgres://u@/db", "postgres://u@h/", "postgres://u@h/db?sslmode=prefer",
                    "postgres://u@h/db?foo=1", "postgres://u:secretpw@h:99999/db"] {
            #expect(throws: DatabaseSettings.Invalid.self, "\(bad)") { try DatabaseSettings(url: bad, environment: [:]) }
        }
        do {
            _ = try DatabaseSettings(url: "postgres://u:secretpw@h:99999/db", environment: [:])
        } catch {
            #expect(!"\(error)".contains("secretpw"))
        }
    }

    /// The password from `PGPASSWORD`, or from a `~/.pgpass` line that matches, but only from a private file.
    @Test func passwordsComeFromTheEnvironmentOrAPrivatePgpass() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent(".pgpass")
        try Data("# comment\nother:5432:*:reel:wrong\ndb.example.com:*:reel_prod:reel:from\\:pgpass\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let url = "postgres://reel@db.example.com/reel_prod"
        #expect(try DatabaseSettings(url: url, environment: ["HOME": home.path]).password == "from:pgpass")
        #expect(try DatabaseSettings(url: url, environment: ["HOME": home.path, "PGPASSWORD": "env"]).password == "env")
        #expect(try DatabaseSettings(url: "postgres://reel:url@db.example.com/reel_prod", environment: ["PGPASSWORD": "env"]).password == "url")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(try DatabaseSettings(url: url, environment: ["HOME": home.path]).password == nil, "a world-readable .pgpass is ignored")
    }
}
