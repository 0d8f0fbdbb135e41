import Foundation
import Logging
import Pipeline
import PostgresNIO
import ReelPostgres
import ServiceLifecycle

/// Opens the deployment's shared state for a command: the embedded files under the storage root, or PostgreSQL when
/// `REEL_DATABASE_URL` is set. Exit codes as `reel db`: 2 for a schema this binary cannot use, 4 when the database
/// cannot be reached (within 15 s).
enum SharedStateAccess {
    /// What a command does with the schema before it reads or writes.
    enum Schema {
        /// `reel serve`: apply pending migrations (serialised across processes).
        case migrate
        /// Other commands: refuse a schema that is behind or ahead (exit 2, naming `reel db migrate`).
        case requireCurrent
    }

    /// Runs `body` with the shared state of `configuration`; with PostgreSQL, its client runs meanwhile and the
    /// state's services (lease renewal and rescue) are for `reel serve` to run.
    static func with<T: Sendable>(_ configuration: ReelConfiguration, schema: Schema, maxInterruptions: Int = Job.defaultMaxInterruptions,
                                  _ body: @Sendable (SharedState) async throws -> T) async throws -> T {
        let root = configuration.storage.root
        guard let settings = configuration.database.settings else {
            return try await body(.embedded(root: root, logger: CLILogging.logger))
        }
        let logger = CLILogging.logger("reelvault.db")
        return try await withClient(settings, logger: logger) { client in
            try await reachable(settings) {
                switch schema {
                case .migrate:
                    try await Migrations.migrate(client, logger: logger)
                case .requireCurrent:
                    let status = try await Migrations.status(client, logger: logger)
                    if status.isAhead { throw SchemaStatus.Ahead(status: status) }
                    if status.pending > 0 {
                        throw ReelExit.usage("the database schema is at version \(status.schemaVersion) and this reel needs "
                                             + "\(status.expectedVersion): run reel db migrate (reel serve migrates at start)")
                    }
                }
            }
            let lease = configuration.database.lease
            let queue = PostgresJobQueue(client: client, owner: JobOwner.current, lease: lease, maxInterruptions: maxInterruptions,
                                         logger: CLILogging.logger("reelvault.queue"))
            let state = SharedState(queue: queue, watch: PostgresWatchList(client: client, logger: CLILogging.logger("reelvault.watch")),
                                    workers: PostgresWorkerRegistry(client: client), leader: PostgresLeaderLease(client: client),
                                    leaderLease: lease,
                                    taskLocks: PostgresTaskLocks(client: client, owner: JobOwner.current, lease: lease,
                                                                 logger: CLILogging.logger("reelvault.catalog")),
                                    catalogIndex: PostgresCatalogIndex(client: client, logger: CLILogging.logger("reelvault.catalog")),
                                    services: [queue])
            return try await body(state)
        }
    }

    /// Runs `body` with a running client of `settings` (stopped afterwards).
    static func withClient<T: Sendable>(_ settings: DatabaseSettings, logger: Logger,
                                        _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: CLILogging.quiet(logger))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { await client.run(); return nil }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Runs `operation` against the database: a schema ahead of this binary is exit 2, an error or no answer within
    /// `timeout` is exit 4 (the pool alone would retry for a minute); a ``ReelExit`` passes through.
    static func reachable<T: Sendable>(_ settings: DatabaseSettings, timeout: Duration = .seconds(15),
                                       _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withThrowingTaskGroup(of: T.self) { attempt in
                attempt.addTask { try await operation() }
                attempt.addTask {
                    try await Task.sleep(for: timeout)
                    throw DatabaseTimeout(timeout: timeout)
                }
                defer { attempt.cancelAll() }
                guard let first = try await attempt.next() else { throw DatabaseTimeout(timeout: timeout) }
                return first
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

struct DatabaseTimeout: Error, CustomStringConvertible {
    var timeout: Duration
    var description: String { "no answer within \(timeout.components.seconds) s" }
}
