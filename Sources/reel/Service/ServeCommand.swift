import ArgumentParser
import AsyncHTTPClient
import Catalog
import Foundation
import Media
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
        REEL_NOTIFY_URL (http(s), never link-local), REEL_NOTIFY_COMMAND, REEL_ROLES (callbacks,admin,feeder,workers; \
        all), REEL_DATABASE_URL (postgres://…: shared state in PostgreSQL), REEL_LEASE (\(Settings.lease.rangeText), 30), REEL_LOG_LEVEL (trace, debug, info, notice, \
        warning, error, critical; default info), plus TOPVIEW_* and REEL_STORAGE, REEL_LADDER, REEL_ALLOWED_HOSTS, \
        REEL_MIN_FREE_MB as for reel archive. Seconds are decimal seconds; counts are decimal integers. \
        SIGTERM/SIGINT stop it gracefully.

        EXAMPLES:
          REEL_CALLBACK_SECRET=change-me-0123 reel serve --storage /srv/reel
          reel serve --bind 127.0.0.1:8080 --callback-bind 0.0.0.0:8081 --workers 4
          reel serve --roles workers --database-url postgres://reel@db.internal/reel
        """)

    @OptionGroup var serve: ServeOptions
    @OptionGroup var ladder: LadderOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var store: StoreOptions

    var configurationFlags: ConfigurationFlags {
        ConfigurationFlags(storage: storage, api: api, ladder: ladder, serve: serve, database: database, store: store)
    }

    /// A service logs its jobs: info unless `REEL_LOG_LEVEL` says otherwise.
    static var defaultLogLevel: Logger.Level { .info }

    func run(_ configuration: ReelConfiguration) async throws {
        signal(SIGPIPE, SIG_IGN) // a notification command that exits early must not kill the service
        let server = {
            var server = configuration.serve.server
            server.build = (ReelVersion.string, MediaEngine.ffmpegVersion)
            return server
        }()
        let logger = CLILogging.logger("reelvault.serve")
        let started = ContinuousClock.now
        if configuration.serve.adminIsPublic {
            logger.warning("the admin listener is off loopback without REEL_ADMIN_TOKEN (--allow-public-admin): anyone who reaches it can read the catalog and the job queue",
                           metadata: ["admin.bind": "\(SafeText.escape(server.adminHost)):\(server.adminPort)"])
        }
        var listeners = [(name: "admin", host: server.adminHost, port: server.adminPort, flag: "--bind", variable: "REEL_BIND")]
        if server.roles.contains(.callbacks) {
            listeners.insert((name: "callback", host: server.callbackHost, port: server.callbackPort, flag: "--callback-bind",
                              variable: "REEL_CALLBACK_BIND"), at: 0)
        }
        if let taken = PortCheck.problem(listeners) { throw ReelExit.usage(taken) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        if let settings = configuration.database.settings {
            logger.notice("shared state in PostgreSQL", metadata: ["db": "\(settings)"])
        }
        try await SharedStateAccess.with(configuration, schema: .migrate, maxInterruptions: server.service.maxInterruptions) { state in
            var catalog = try configuration.storage.openCatalog(state: state)
            let metrics = ReelMetrics()
            catalog.onFencedWrite = { metrics.fencedWrite() }
            try await configuration.api.withClients { client, downloader, http in
                let settings = ArchiveSettings(wait: false, presets: configuration.archive.presets)
                let archiver = Archiver(context: ArchiveContext(catalog: catalog, client: client, downloader: downloader,
                                                                settings: settings, logger: CLILogging.logger("reelvault.archive")))
                let reel = ReelService(configuration: server, catalog: catalog, state: state, archiver: archiver, httpClient: http,
                                       registry: registry, logger: logger)
                try await reel.run { callbackPort, adminPort in
                    let callbacks = server.roles.contains(.callbacks)
                        ? "callbacks on http://\(ServeConfiguration.hostInURL(server.callbackHost)):\(callbackPort)/callbacks/topview/<secret>, " : ""
                    let roles = server.roles == .all ? "" : " (roles: \(server.roles))"
                    Output.error("reel serve: \(callbacks)admin on http://\(ServeConfiguration.hostInURL(server.adminHost)):\(adminPort)/\(roles)")
                }
                // One line when it stops (a graceful stop: running jobs were handed back or finished).
                let uptime = (ContinuousClock.now - started).components.seconds
                Output.error("reel serve: stopped after \(uptime) s; jobs still queued resume at the next start")
            }
        }
    }
}
