import ArgumentParser
import Catalog
import Foundation
import Pipeline
import ReelBasics
import ReelPostgres

/// `reel migrate --to-database URL`: moves an embedded deployment's shared state (the job queue and the watch list under
/// the storage root) into PostgreSQL, and indexes the root's manifests there. Every item is inserted unless it is there
/// already and the index is rebuilt from the manifests, so a run cut short is finished by running it again, and a second
/// run changes nothing.
struct MigrateCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move the embedded job queue, watch list and catalog index of a storage root into PostgreSQL, and its files into an object store.",
        discussion: """
        Stop every `reel serve` on the storage root first (a live one is refused). Jobs keep their state, attempts and \
        dates (a job left running comes in pending); watched tasks keep their polls and dates. Idempotent and resumable: \
        what is in the database already is left as it is. The catalog index is rebuilt in the database from the \
        manifests; the catalog itself (manifests, files) stays on the storage root, and the embedded files are left in place. Exit codes: 0 done; 1 a reel serve is running on the root; 2 a bad URL; \
        4 the database cannot be reached.

        --to-store copies every file a manifest records, then the manifest, into the bucket under the same keys \
        (tasks/<shard>/<taskId>/…), each uploaded with its SHA-256 (the store refuses other bytes) and checked against its \
        manifest first (a local file that no longer matches is reported, not copied, exit 1). Idempotent and resumable: \
        a file whose object the store recorded with the same SHA-256 is not sent again. The storage root is left as it is.

        EXAMPLES:
          reel migrate --to-database postgres://reel@db.internal/reel
          reel migrate --to-store s3://media-archive/reel --storage /srv/reel
          reel migrate --storage /srv/reel --to-database postgres://reel@db/reel
        """)

    @Option(name: .customLong("to-database"), help: "The PostgreSQL URL to move the shared state into (postgres://…).")
    var toDatabase: String?
    @Option(name: .customLong("to-store"), help: "Copy the root's files and manifests into this object store (s3://BUCKET[/PREFIX]; endpoint and keys from REEL_S3_ENDPOINT, REEL_S3_PATH_STYLE, AWS_*).")
    var toStore: String?
    @OptionGroup var storage: StorageOptions

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage) }

    func validate() throws {
        if toDatabase == nil, toStore == nil { throw ValidationError("give --to-database URL, --to-store s3://BUCKET[/PREFIX], or both") }
    }

    func run(_ configuration: ReelConfiguration) async throws {
        if let toStore {
            try await StoreMigration(root: configuration.storage.root, target: toStore).run()
        }
        guard let toDatabase else { return }
        let settings: DatabaseSettings
        do { settings = try DatabaseConfiguration.settings(url: toDatabase, setting: "--to-database") } catch { throw ReelExit(error) }
        let embedded = SharedState.embedded(root: configuration.storage.root, logger: CLILogging.logger)
        let live = try await embedded.workers.list()
        if let serving = live.workers.first(where: live.isAlive) {
            throw ReelExit(code: ReelExit.attention, message: "error: reel serve \(SafeText.escape(serving.id)) is running on "
                           + "\(configuration.storage.root.path) (heartbeat \(Int(live.now.timeIntervalSince(serving.heartbeatAt))) s ago): stop it first")
        }
        let jobs = try await embedded.diagnostics.inspect(state: nil).jobs
        let watched = try await embedded.watch.listReadOnly()
        let logger = CLILogging.logger("reelvault.db")
        let root = configuration.storage.root
        let (jobsAdded, watchAdded, indexed) = try await SharedStateAccess.withClient(settings, logger: logger) { client in
            try await SharedStateAccess.reachable(settings, timeout: .seconds(600)) {
                try await Migrations.migrate(client, logger: logger)
                let queue = PostgresJobQueue(client: client, owner: JobOwner.current, logger: CLILogging.logger("reelvault.queue"))
                let watch = PostgresWatchList(client: client, logger: CLILogging.logger("reelvault.watch"))
                var jobsAdded = 0, watchAdded = 0
                for job in jobs where try await queue.importJob(job) { jobsAdded += 1 }
                for entry in watched where try await watch.importEntry(entry) { watchAdded += 1 }
                let index = PostgresCatalogIndex(client: client, logger: CLILogging.logger("reelvault.catalog"))
                let indexed = try await Catalog(root: root, index: index, logger: CLILogging.logger("reelvault.catalog")).reindex()
                return (jobsAdded, watchAdded, indexed)
            }
        }
        Output.line("jobs: \(jobsAdded) moved, \(jobs.count - jobsAdded) already in the database")
        Output.line("watched tasks: \(watchAdded) moved, \(watched.count - watchAdded) already in the database")
        Output.line("catalog index: \(indexed) task(s) indexed from the manifests")
        Output.error("reel migrate: done; run reel serve with REEL_DATABASE_URL set to this database (\(settings))")
    }
}
