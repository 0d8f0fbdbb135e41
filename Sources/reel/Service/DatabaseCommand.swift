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
          reel db status --json   # {"schemaVersion":1,"expectedVersion":1,"pending":0}
        """,
        subcommands: [Migrate.self, Status.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "migrate", abstract: "Apply pending schema migrations.",
            discussion: """
            EXAMPLES:
              reel db migrate --database-url postgres://reel@db.internal/reel
              REEL_DATABASE_URL=postgres://reel@db.internal/reel reel db migrate
            """)
        @OptionGroup var options: DatabaseOptions

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
            discussion: """
            --json prints {"schemaVersion", "expectedVersion", "pending"}.

            EXAMPLES:
              reel db status
              reel db status --database-url postgres://reel@db.internal/reel --json
            """)
        @OptionGroup var options: DatabaseOptions
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
            if status.pending > 0 { throw ReelExit(code: ReelExit.attention, message: "warning: reel db: \(status.pending) migration(s) pending: run reel db migrate") }
        }
    }

    /// Runs `body` with a client of the configured database: exit 2 without a usable URL, 4 when unreachable.
    static func withDatabase<T: Sendable>(_ options: DatabaseOptions,
                                          _ body: @escaping @Sendable (PostgresClient, Logger) async throws -> T) async throws -> T {
        let database: DatabaseConfiguration
        do { database = try DatabaseConfiguration(reader: ConfigurationReader(), flags: options) } catch { throw ReelExit(error) }
        guard let settings = database.settings else {
            throw ReelExit.usage("REEL_DATABASE_URL is not set: give postgres://USER@HOST[:PORT]/DATABASE (or --database-url)")
        }
        let logger = CLILogging.logger("reelvault.db")
        return try await SharedStateAccess.withClient(settings, logger: logger) { client in
            try await SharedStateAccess.reachable(settings) { try await body(client, logger) }
        }
    }
}
