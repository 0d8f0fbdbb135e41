import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import ReelPostgres

/// `reel db migrate` and `reel db status [--json]`: the PostgreSQL schema of shared state (`REEL_DATABASE_URL`).
/// Exit codes: 0 up to date, 1 migrations pending (status), 2 misconfigured (no or a bad URL, a schema newer than this
/// binary), 4 the database cannot be reached.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "PostgreSQL schema of the shared state (REEL_DATABASE_URL).",
        discussion: """
        REEL_DATABASE_URL=postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|require|verify-full] \
        (the password may come from PGPASSWORD or ~/.pgpass; it is never printed). Exit codes: 0 up to date, 1 pending \
        (status), 2 misconfigured, 4 unreachable.

        EXAMPLES:
          REEL_DATABASE_URL=postgres://reel@db.internal/reel reel db migrate
          reel db status --json     # {"schemaVersion":1,"expectedVersion":1,"pending":0}
        """,
        subcommands: [Migrate.self, Status.self])

    struct Options: ParsableArguments {
        @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: REEL_DATABASE_URL).") var databaseURL: String?
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending schema migrations.")
        @OptionGroup var options: Options

        func run() async throws {
            let applied = try await DatabaseCommand.withDatabase(options) { client, logger in
                try await Migrations.migrate(client, logger: logger)
            }
            Output.error("reel db: \(applied) migration\(applied == 1 ? "" : "s") applied; schema at version \(Migrations.expectedVersion)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status", abstract: "Schema version of the database and of this binary.",
            discussion: "--json prints {\"schemaVersion\", \"expectedVersion\", \"pending\"}.")
        @OptionGroup var options: Options
        @Flag(name: .long, help: "Print {\"schemaVersion\",\"expectedVersion\",\"pending\"} on stdout.") var json = false

        func run() async throws {
            let status = try await DatabaseCommand.withDatabase(options) { client, logger in
                try await Migrations.status(client, logger: logger)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(status), as: UTF8.self))
            } else {
                print("schema version \(status.schemaVersion), this reel expects \(status.expectedVersion), \(status.pending) pending")
            }
            if status.isAhead { throw ReelExit.usage(SchemaStatus.Ahead(status: status).description) }
            if status.pending > 0 { throw ReelExit(code: ReelExit.attention, message: "reel db: \(status.pending) migration(s) pending: run reel db migrate") }
        }
    }

    /// Runs `body` with a client of the configured database: exit 2 without a usable URL, 4 when unreachable.
    static func withDatabase<T: Sendable>(_ options: Options, _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
        let database: DatabaseConfiguration
        do { database = try DatabaseConfiguration(reader: ConfigurationReader(), flag: options.databaseURL) } catch { throw ReelExit(error) }
        guard let settings = database.settings else {
            throw ReelExit.usage("REEL_DATABASE_URL is not set: give postgres://USER@HOST[:PORT]/DATABASE (or --database-url)")
        }
        let logger = CLILogging.logger("reelvault.db")
        let client = PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: CLILogging.quiet(logger))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            do {
                // A database that does not answer within 15 s is unreachable (the pool alone would retry for a minute).
                return try await withThrowingTaskGroup(of: T.self) { attempt in
                    attempt.addTask { try await body(client, logger) }
                    attempt.addTask {
                        try await Task.sleep(for: .seconds(15))
                        throw DatabaseTimeout()
                    }
                    defer { attempt.cancelAll() }
                    return try await attempt.next()!
                }
            } catch let error as SchemaStatus.Ahead {
                throw ReelExit.usage(error.description)
            } catch let error as ReelExit {
                throw error
            } catch {
                throw ReelExit(code: ReelExit.unavailable,
                               message: "error: the database \(settings) cannot be reached or refused the request: \(String(reflecting: error).prefix(300))")
            }
        }
    }
}

struct DatabaseTimeout: Error, CustomStringConvertible {
    var description: String { "no answer within 15 s" }
}
