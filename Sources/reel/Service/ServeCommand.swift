import ArgumentParser
import AsyncHTTPClient
import Catalog
import Foundation
import Metrics
import Pipeline
import Prometheus
import ReelBasics
import ReelServer
import TopView

struct ServeCommand: AsyncParsableCommand {
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

    @Option(name: .customLong("callback-bind"), help: "HOST:PORT of the callback listener.") var callbackBind: String?
    @Option(name: .customLong("bind"), help: "HOST:PORT of the admin listener.") var bind: String?
    @Flag(name: .customLong("allow-public-admin"), help: "Serve the admin listener off loopback without REEL_ADMIN_TOKEN (logs a warning).")
    var allowPublicAdmin = false
    @Option(name: .long, help: "Archive jobs in flight at once \(Settings.concurrency.help(default: "download + media concurrency")).",
            transform: Settings.concurrency.argument) var workers: Int?
    @Option(name: .customLong("download-concurrency"), help: "Downloads at once, across all jobs \(Settings.concurrency.help(default: "cores")).",
            transform: Settings.concurrency.argument) var downloadConcurrency: Int?
    @Option(name: .customLong("media-concurrency"), help: "Decode/encode passes at once \(Settings.concurrency.help(default: "cores")).",
            transform: Settings.concurrency.argument) var mediaConcurrency: Int?
    @Option(name: .customLong("watch-interval"), help: "Seconds between the first polls of a watched task \(Settings.watchInterval.help(default: "5")).",
            transform: Settings.watchInterval.argument) var watchInterval: Double?
    @Option(name: .customLong("watch-max-interval"), help: "Longest wait, in seconds, between polls of a watched task \(Settings.watchInterval.help(default: "300")).",
            transform: Settings.watchInterval.argument) var watchMaxInterval: Double?
    @Option(name: .customLong("watch-horizon"), help: "Seconds a settled task with null items stays watched \(Settings.watchHorizon.help(default: "86400")).",
            transform: Settings.watchHorizon.argument) var watchHorizon: Double?
    @Option(name: .customLong("watch-concurrency"), help: "Watched tasks queried at once \(Settings.concurrency.help(default: "2")).",
            transform: Settings.concurrency.argument) var watchConcurrency: Int?
    @Option(name: .customLong("requests-per-second"), help: "Upstream queries per second (feeder) \(Settings.requestsPerSecond.help(default: "2")).",
            transform: Settings.requestsPerSecond.argument) var requestsPerSecond: Double?
    @Option(name: .customLong("http-idle-timeout"), help: "Seconds an open connection with no request in progress stays open \(Settings.httpTimeout.help(default: "30")).",
            transform: Settings.httpTimeout.argument) var httpIdleTimeout: Double?
    @Option(name: .customLong("http-header-timeout"), help: "Seconds from a request's first byte to the end of its headers \(Settings.httpTimeout.help(default: "10")).",
            transform: Settings.httpTimeout.argument) var httpHeaderTimeout: Double?
    @Option(name: .customLong("callback-max-connections"), help: "Connections held at once on the callback listener \(Settings.maxConnections.help(default: "512")).",
            transform: Settings.maxConnections.argument) var callbackMaxConnections: Int?
    @Option(name: .customLong("admin-max-connections"), help: "Connections held at once on the admin listener \(Settings.maxConnections.help(default: "64")).",
            transform: Settings.maxConnections.argument) var adminMaxConnections: Int?
    @Option(name: .customLong("max-interruptions"), help: "Interruptions in a row after which a job fails as a likely poison input \(Settings.maxInterruptions.help(default: "10")).",
            transform: Settings.maxInterruptions.argument) var maxInterruptions: Int?
    @Option(name: .customLong("notify-url"), help: "POST each archived task's show --json document here (http(s); never link-local).") var notifyURL: String?
    @Option(name: .customLong("notify-command"), help: "Run this (sh -c) with the document on stdin.") var notifyCommand: String?
    @Option(name: .long, help: "Rendition ladder.") var preset: String?
    @OptionGroup var api: APIOptions
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        signal(SIGPIPE, SIG_IGN) // a notification command that exits early must not kill the service
        let environment = SettingsEnvironment()
        // A service logs its jobs: info unless REEL_LOG_LEVEL says otherwise (set before the first logger exists).
        if environment.text("REEL_LOG_LEVEL") == nil { setenv("REEL_LOG_LEVEL", "info", 1) }
        // Every setting is read and checked before anything is opened or bound.
        let config = try configuration(environment)
        let apiSettings = try api.settings(environment)
        let presets = try ladder(preset)
        let logger = CLILogging.logger("reelvault.serve")
        if !HostAddress.isLoopback(config.adminHost) && config.adminToken == nil {
            logger.warning("the admin listener is off loopback without REEL_ADMIN_TOKEN (--allow-public-admin): anyone who reaches it can read the catalog and the job queue",
                           metadata: ["admin.bind": "\(SafeText.escape(config.adminHost)):\(config.adminPort)"])
        }
        let catalog = try storage.openCatalog()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let root = storage.root
        try await withAPI(apiSettings) { client, downloader, http in
            let settings = ArchiveSettings(wait: false, presets: presets)
            let archiver = Archiver(context: ArchiveContext(catalog: catalog, client: client, downloader: downloader,
                                                            settings: settings, logger: CLILogging.logger("reelvault.archive")))
            let reel = ReelService(configuration: config, catalog: catalog, queue: FileJobQueue(root: root), watch: WatchList(root: root),
                                   archiver: archiver, httpClient: http, registry: registry, logger: logger)
            try await reel.run { callbackPort, adminPort in
                Output.error("reel serve: callbacks on http://\(Self.hostInURL(config.callbackHost)):\(callbackPort)/callbacks/topview/<secret>, "
                             + "admin on http://\(Self.hostInURL(config.adminHost)):\(adminPort)/")
            }
        }
    }

    /// A host as it goes into a URL: IPv6 in brackets, anything else escaped.
    static func hostInURL(_ host: String) -> String {
        HostAddress.ipv6(host) != nil ? "[\(host)]" : SafeText.escape(host)
    }
}
