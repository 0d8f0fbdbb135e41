import Foundation
import Logging
import PostgresNIO
import ReelPostgres
import Testing

/// The PostgreSQL the test script started (`REEL_TEST_DATABASE_URL`, see Tools/postgres.sh): each test gets a database
/// of its own, created from a template and dropped afterwards. Without the variable, tests skip with a message;
/// with `CI=true` a missing database is a failure, never a skip.
enum PostgresTestDatabase {
    static let url = ProcessInfo.processInfo.environment["REEL_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether the PostgreSQL tests can run here; records an issue under CI when they cannot.
    static var isAvailable: Bool {
        if url != nil { return true }
        if required { Issue.record("REEL_TEST_DATABASE_URL is not set under CI: Tools/test.sh starts PostgreSQL") }
        return false
    }

    static let logger: Logger = {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs `body` with a running client on a fresh, migrated database, and the URL of that database.
    static func withDatabase<T: Sendable>(_ body: @Sendable (PostgresClient, String) async throws -> T) async throws -> T {
        guard let url else { throw PostgresTestUnavailable() }
        let admin = try DatabaseSettings(url: url)
        let name = "reel_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await withClient(admin) { client in
            try await client.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        var settings = admin
        settings.database = name
        var components = URLComponents(string: url)
        components?.path = "/\(name)"
        guard let testURL = components?.string else { throw PostgresTestUnavailable() }
        do {
            let result = try await withClient(settings) { client in
                try await Migrations.migrate(client, logger: logger)
                return try await body(client, testURL)
            }
            try await withClient(admin) { client in try await client.query("DROP DATABASE \(unescaped: name) WITH (FORCE)", logger: logger) }
            return result
        } catch {
            try? await withClient(admin) { client in try await client.query("DROP DATABASE \(unescaped: name) WITH (FORCE)", logger: logger) }
            throw error
        }
    }

    static func withClient<T: Sendable>(_ settings: DatabaseSettings, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}

extension PostgresTestDatabase {
    /// Undoes every migration: the tables and the recorded versions, as on a database never migrated.
    static func dropSchema(_ client: PostgresClient) async throws {
        try await client.query("DROP TABLE IF EXISTS reel_jobs, reel_watch, reel_workers, reel_leaders, reel_task_locks, reel_assets, reel_tasks, reel_schema", logger: logger)
    }
}

struct PostgresTestUnavailable: Error, CustomStringConvertible {
    var description: String { "no test PostgreSQL (REEL_TEST_DATABASE_URL); run the tests through Tools/test.sh" }
}
