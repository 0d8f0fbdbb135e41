import Catalog
import Foundation
@testable import Pipeline
import ReelPostgres

/// One implementation of the deployment's shared state beside the queue — ``WatchStore``, ``WorkerRegistry``,
/// ``LeaderLease`` — under the contract (``DeploymentContractTests``): the embedded files or PostgreSQL.
struct DeploymentBackend: Sendable, CustomStringConvertible {
    let name: String
    let withFixture: @Sendable (@Sendable (DeploymentFixture) async throws -> Void) async throws -> Void
    var description: String { name }

    static let file = DeploymentBackend(name: "files") { body in
        try await withQueueRoot { root in
            try await body(DeploymentFixture(
                watch: WatchList(root: root, lockTimeout: patientLock), otherWatch: WatchList(root: root, lockTimeout: patientLock), workers: FileWorkerRegistry(root: root),
                lease: { FileLeaderLease(root: root) }, leaseExpires: false,
                taskLocks: { FileTaskLocks() }, layout: CatalogLayout(root: root),
                catalogIndex: { try Catalog(root: root).index }))
        }
    }

    static let postgres = DeploymentBackend(name: "PostgreSQL") { body in
        try await PostgresTestDatabase.withDatabase { client, _ in
            try await body(DeploymentFixture(
                watch: PostgresWatchList(client: client, logger: PostgresTestDatabase.logger),
                otherWatch: PostgresWatchList(client: client, logger: PostgresTestDatabase.logger),
                workers: PostgresWorkerRegistry(client: client, logger: PostgresTestDatabase.logger),
                lease: { PostgresLeaderLease(client: client, logger: PostgresTestDatabase.logger) }, leaseExpires: true,
                taskLocks: { PostgresTaskLocks(client: client, owner: JobOwner.current, lease: .seconds(5), logger: PostgresTestDatabase.logger) },
                layout: CatalogLayout(root: FileManager.default.temporaryDirectory.appendingPathComponent("unused-\(UUID().uuidString)")),
                catalogIndex: { PostgresCatalogIndex(client: client, logger: PostgresTestDatabase.logger) }))
        }
    }

    static var available: [DeploymentBackend] { PostgresTestDatabase.isAvailable ? [.file, .postgres] : [.file] }
}

/// The stores under test, as a check sees them.
struct DeploymentFixture: Sendable {
    let watch: any WatchStore
    /// Another handle on the same watch list (as another process opens it).
    let otherWatch: any WatchStore
    let workers: any WorkerRegistry
    /// A new handle on the leases, as another process has one.
    let lease: @Sendable () -> any LeaderLease
    /// Whether a lease that is not renewed expires (PostgreSQL); the embedded one ends with its holder's process.
    let leaseExpires: Bool
    /// A new handle on the task locks, as another process has one, and the catalog layout they lock in.
    let taskLocks: @Sendable () -> any TaskLocks
    let layout: CatalogLayout
    /// A new handle on the catalog index (another SQLite connection, another client), as another process opens it.
    let catalogIndex: @Sendable () throws -> any CatalogIndexStore
}
