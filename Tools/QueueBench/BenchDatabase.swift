import Foundation
import Logging
import Pipeline
import PostgresNIO
import ReelPostgres

enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// The throwaway database a mode runs against: a client with a pool of a given size, the schema, and the few SQL
/// statements the bench needs beside the queue's own (seeding rows, checking outcomes, reading the database clock).
struct BenchDatabase: Sendable {
    let settings: DatabaseSettings
    let postmasterPid: Int32?
    /// What the bench's children need to reach the same database (passed through the environment, not argv).
    let url: String

    static let kind = "bench"

    init(url: String, postmasterPid: Int32?) throws {
        do { settings = try DatabaseSettings(url: url) } catch { throw BenchError("\(error)") }
        guard DatabaseSettings.isLoopbackHost(settings.host) else {
            throw BenchError("the bench empties reel_jobs: it only runs against a database on 127.0.0.1 (got \(settings))")
        }
        self.url = url
        self.postmasterPid = postmasterPid
    }

    /// Runs `body` with a running client whose pool holds at most `connections` connections, the schema migrated and
    /// `reel_jobs` emptied; the client stops afterwards.
    func withClient<T: Sendable>(connections: Int, reset: Bool = true,
                                 _ body: @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
        var configuration = try settings.clientConfiguration()
        configuration.options.maximumConnections = connections
        let logger = BenchLog.logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: BenchLog.quiet)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            try await Migrations.migrate(client, logger: logger)
            if reset { try await client.query("TRUNCATE reel_jobs", logger: logger) }
            try await Self.openConnections(client, connections, logger)
            return try await body(client, logger)
        }
    }

    /// Opens the pool's connections before anything is timed (each with a query in flight at the same time).
    static func openConnections(_ client: PostgresClient, _ count: Int, _ logger: Logger) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { try await client.query("SELECT pg_sleep(0.05)", logger: logger) }
            }
            try await group.waitForAll()
        }
    }

    /// Inserts `count` `done` jobs, older than anything the bench enqueues, in one statement; then `ANALYZE`s.
    static func insertDone(_ client: PostgresClient, count: Int, _ logger: Logger) async throws {
        guard count > 0 else { return }
        try await client.query("""
            INSERT INTO reel_jobs (id, task_id, kind, state, attempts, max_attempts, not_before, created_at, updated_at,
                                   owner, reason, token)
            SELECT 'bench-old' || g, 'old' || g, 'bench', 'done', 1, 5, t, t, t + interval '1 minute', NULL, 'bench', 1
            FROM generate_series(1, \(count)) AS g, LATERAL (SELECT now() - interval '30 days' + g * interval '10 ms' AS t) AS s
            """, logger: logger)
        try await client.query("ANALYZE reel_jobs", logger: logger)
    }

    /// Inserts `count` pending jobs due now, as `enqueue` writes them (task ids `q000001`…), in one statement (the
    /// pgbench side's input).
    static func insertPending(_ client: PostgresClient, count: Int, _ logger: Logger) async throws {
        guard count > 0 else { return }
        try await client.query("""
            INSERT INTO reel_jobs (id, task_id, kind, state, attempts, max_attempts, not_before, created_at, updated_at,
                                   owner, reason, token)
            SELECT 'bench-' || task, task, 'bench', 'pending', 0, 5, t, t, t, NULL, 'bench', 0
            FROM generate_series(1, \(count)) AS g,
                 LATERAL (SELECT 'q' || lpad(g::text, 6, '0') AS task,
                                 date_trunc('milliseconds', now()) + g * interval '1 microsecond' AS t) AS s
            """, logger: logger)
        try await client.query("ANALYZE reel_jobs", logger: logger)
    }

    static func taskId(_ index: Int) -> String {
        let digits = String(index)
        return "q" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// The outcome every side must leave: each of the `count` bench jobs done, claimed exactly once (token 1, one
    /// attempt), nothing pending or running.
    static func checkAllDone(_ client: PostgresClient, count: Int, _ logger: Logger) async throws -> Outcome {
        let rows = try await client.query("""
            SELECT count(*) FILTER (WHERE state = 'done' AND token = 1 AND attempts = 1),
                   count(*) FILTER (WHERE state IN ('pending', 'running')),
                   count(*) FILTER (WHERE state = 'done' AND (token <> 1 OR attempts <> 1))
            FROM reel_jobs WHERE task_id LIKE 'q%'
            """, logger: logger).decode((Int, Int, Int).self)
        for try await (done, open, twice) in rows {
            return Outcome(doneOnce: done, open: open, claimedTwice: twice, expected: count)
        }
        throw BenchError("no counts")
    }

    struct Outcome: Codable, Sendable {
        var doneOnce: Int
        var open: Int
        var claimedTwice: Int
        var expected: Int
        var ok: Bool { doneOnce == expected && open == 0 && claimedTwice == 0 }
    }

    /// `EXPLAIN (ANALYZE, BUFFERS)` of the claim's SELECT, as `PostgresJobQueue.claim` sends it (copied here: the
    /// queue keeps its SQL private), one line per plan node joined with " | ".
    static func explainClaim(_ client: PostgresClient, _ logger: Logger) async throws -> String {
        var lines: [String] = []
        for try await line in try await client.query("""
            EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)
            SELECT id FROM reel_jobs WHERE state = 'pending' AND not_before <= now()
            ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
            """, logger: logger).decode(String.self) {
            lines.append(line.trimmingCharacters(in: .whitespaces))
        }
        return lines.joined(separator: " | ")
    }

    /// The database clock (`clock_timestamp()`), in seconds since 1970 with microseconds.
    static func clock(_ client: PostgresClient, _ logger: Logger) async throws -> Double {
        for try await seconds in try await client.query("SELECT extract(epoch FROM clock_timestamp())::float8", logger: logger)
            .decode(Double.self) { return seconds }
        throw BenchError("the database gave no time")
    }
}

extension DatabaseSettings {
    static func isLoopbackHost(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Logs to standard error (standard output carries the JSON results), warnings and up.
enum BenchLog {
    private static let bootstrapped: Bool = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        return true
    }()

    static var logger: Logger {
        _ = bootstrapped
        return Logger(label: "reel-queue-bench")
    }

    static var quiet: Logger {
        var logger = Self.logger
        logger.logLevel = .error
        return logger
    }
}
