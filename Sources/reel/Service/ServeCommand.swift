import ArgumentParser
import AsyncHTTPClient
import Catalog
import Foundation
import Logging
import Metrics
import Pipeline
import Prometheus
import PostgresNIO
import ReelBasics
import ReelPostgres
import ServiceLifecycle
import ReelServer
import TopView

struct ServeCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run ReelVault as a service: vendor callbacks, watch list, worker pool, catalog page.",
        discussion: """
        Environment (flags win; an empty variable is unset; a value out of its range stops the start with exit 2): \
        REEL_CALLBACK_SECRET (required: 8+ of A-Za-z0-9-_), REEL_CALLBACK_BIND (127.0.0.1:8081), REEL_BIND \
        (127.0.0.1:8080), REEL_ADMIN_TOKEN (required when REEL_BIND is off loopback, unless REEL_ALLOW_PUBLIC_ADMIN=1), \
        REEL_DOWNLOAD_CONCURRENCY (\(Settings.concurrency.rangeText), cores), REEL_MEDIA_CONCURRENCY \
        (\(Settings.concurrency.rangeText), cores), REEL_WORKERS (\(Settings.concurrency.rangeText), downloads + media), \
        REEL_WATCH_INTERVAL (\(Settings.watchInterval.rangeText), 5), REEL_WATCH_MAX_INTERVAL (\(Settings.watchInterval.rangeText), \
        300), REEL_WATCH_HORIZON (\(Settings.watchHorizon.rangeText), 86400), REEL_WATCH_CONCURRENCY \
        (\(Settings.concurrency.rangeText), 2), REEL_REQUESTS_PER_SECOND (\(Settings.requestsPerSecond.rangeText), 2), \
        REEL_HTTP_IDLE_TIMEOUT (\(Settings.httpTimeout.rangeText), 30), REEL_HTTP_HEADER_TIMEOUT (\(Settings.httpTimeout.rangeText), 10), \
        REEL_CALLBACK_MAX_CONNECTIONS (\(Settings.maxConnections.rangeText), 512), REEL_ADMIN_MAX_CONNECTIONS \
        (\(Settings.maxConnections.rangeText), 64), REEL_MAX_INTERRUPTIONS (\(Settings.maxInterruptions.rangeText), 10), \
        REEL_NOTIFY_URL (http(s), never link-local), REEL_NOTIFY_COMMAND, REEL_LOG_LEVEL (trace, debug, info, notice, \
        warning, error, critical; default info), plus TOPVIEW_* and REEL_STORAGE, REEL_LADDER, REEL_ALLOWED_HOSTS, \
        REEL_MIN_FREE_MB as for reel archive. Seconds are decimal seconds; counts are decimal integers. \
        SIGTERM/SIGINT stop it gracefully.
        """)

    @OptionGroup var serve: ServeOptions
    @OptionGroup var ladder: LadderOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var storage: StorageOptions
    @Option(name: .customLong("database-url"), help: "PostgreSQL for shared state (default: REEL_DATABASE_URL; unset: the embedded files).")
    var databaseURL: String?
    @Option(name: .long, help: "A claimed job's lease in seconds with PostgreSQL (1…3600; default 30).") var lease: Double?

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, api: api, ladder: ladder, serve: serve) }

    /// A service logs its jobs: info unless `REEL_LOG_LEVEL` says otherwise.
    static var defaultLogLevel: Logger.Level { .info }

    func run(_ configuration: ReelConfiguration) async throws {
        signal(SIGPIPE, SIG_IGN) // a notification command that exits early must not kill the service
        let server = configuration.serve.server
        let logger = CLILogging.logger("reelvault.serve")
        if configuration.serve.adminIsPublic {
            logger.warning("the admin listener is off loopback without REEL_ADMIN_TOKEN (--allow-public-admin): anyone who reaches it can read the catalog and the job queue",
                           metadata: ["admin.bind": "\(SafeText.escape(server.adminHost)):\(server.adminPort)"])
        }
        let catalog = try configuration.storage.openCatalog()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let root = configuration.storage.root
        let database: DatabaseConfiguration
        do { database = try DatabaseConfiguration(reader: ConfigurationReader(), flag: databaseURL, leaseFlag: lease) } catch { throw ReelExit(error) }
        try await withJobQueue(database, root: root, maxInterruptions: server.service.maxInterruptions, logger: logger) { queue, services in
            try await configuration.api.withClients { client, downloader, http in
                let settings = ArchiveSettings(wait: false, presets: configuration.archive.presets)
                let archiver = Archiver(context: ArchiveContext(catalog: catalog, client: client, downloader: downloader,
                                                                settings: settings, logger: CLILogging.logger("reelvault.archive")))
                let reel = ReelService(configuration: server, catalog: catalog, queue: queue, watch: WatchList(root: root),
                                       archiver: archiver, httpClient: http, registry: registry, logger: logger,
                                       additionalServices: services)
                try await reel.run { callbackPort, adminPort in
                    Output.error("reel serve: callbacks on http://\(ServeConfiguration.hostInURL(server.callbackHost)):\(callbackPort)/callbacks/topview/<secret>, "
                                 + "admin on http://\(ServeConfiguration.hostInURL(server.adminHost)):\(adminPort)/")
                }
            }
        }
    }

    /// The job queue of this deployment: the embedded files, or PostgreSQL when `REEL_DATABASE_URL` is set (migrated
    /// at start; its client and lease renewal run beside the service).
    private func withJobQueue(_ database: DatabaseConfiguration, root: URL, maxInterruptions: Int, logger: Logger,
                              _ body: @Sendable (any JobQueue, [any Service]) async throws -> Void) async throws {
        guard let settings = database.settings else {
            try await body(FileJobQueue(root: root), [])
            return
        }
        logger.notice("shared state in PostgreSQL", metadata: ["db": "\(settings)"])
        let client = PostgresClient(configuration: try settings.clientConfiguration(), backgroundLogger: CLILogging.quiet(CLILogging.logger("reelvault.db")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            do {
                try await Migrations.migrate(client, logger: logger)
            } catch let error as SchemaStatus.Ahead {
                throw ReelExit.usage(error.description)
            } catch {
                throw ReelExit(code: ReelExit.unavailable, message: "error: the database \(settings) cannot be reached: \(String(reflecting: error).prefix(300))")
            }
            let queue = PostgresJobQueue(client: client, owner: JobOwner.current, lease: database.lease,
                                         maxInterruptions: maxInterruptions, logger: CLILogging.logger("reelvault.queue"))
            try await body(queue, [queue])
        }
    }
}
