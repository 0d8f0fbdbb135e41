import ArgumentParser
import AsyncHTTPClient
import Catalog
import Foundation
import Metrics
import Pipeline
import Prometheus
import ReelServer
import TopView

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run ReelVault as a service: vendor callbacks, watch list, worker pool, catalog page.",
        discussion: """
        Environment (flags win): REEL_CALLBACK_BIND (127.0.0.1:8081), REEL_CALLBACK_SECRET (required), REEL_BIND \
        (127.0.0.1:8080), REEL_ADMIN_TOKEN, REEL_DOWNLOAD_CONCURRENCY (cores), \
        REEL_MEDIA_CONCURRENCY (cores), REEL_WORKERS (downloads + media), REEL_WATCH_INTERVAL (5 s), REEL_WATCH_MAX_INTERVAL \
        (300 s), REEL_WATCH_HORIZON (86400 s), REEL_WATCH_CONCURRENCY (2), REEL_REQUESTS_PER_SECOND (2), \
        REEL_NOTIFY_URL, REEL_NOTIFY_COMMAND, REEL_LOG_LEVEL (info), plus TOPVIEW_* and REEL_STORAGE, REEL_LADDER, \
        REEL_ALLOWED_HOSTS as for reel archive. SIGTERM/SIGINT stop it gracefully.
        """)

    @Option(name: .customLong("callback-bind"), help: "HOST:PORT of the callback listener.") var callbackBind: String?
    @Option(name: .customLong("bind"), help: "HOST:PORT of the admin listener.") var bind: String?
    @Option(name: .long, help: "Archive jobs in flight at once (default: download + media concurrency).") var workers: Int?
    @Option(name: .customLong("download-concurrency"), help: "Downloads at once, across all jobs (default: cores).") var downloadConcurrency: Int?
    @Option(name: .customLong("media-concurrency"), help: "Decode/encode passes at once (default: cores).") var mediaConcurrency: Int?
    @Option(name: .customLong("watch-interval"), help: "Seconds between the first polls of a watched task.") var watchInterval: Double?
    @Option(name: .customLong("watch-max-interval"), help: "Longest wait, in seconds, between polls of a watched task.") var watchMaxInterval: Double?
    @Option(name: .customLong("watch-horizon"), help: "Seconds a settled task with null items stays watched.") var watchHorizon: Double?
    @Option(name: .customLong("watch-concurrency"), help: "Watched tasks queried at once.") var watchConcurrency: Int?
    @Option(name: .customLong("requests-per-second"), help: "Upstream queries per second (feeder).") var requestsPerSecond: Double?
    @Option(name: .customLong("notify-url"), help: "POST each archived task's show --json document here.") var notifyURL: String?
    @Option(name: .customLong("notify-command"), help: "Run this (sh -c) with the document on stdin.") var notifyCommand: String?
    @Option(name: .long, help: "Rendition ladder.") var preset: String?
    @OptionGroup var api: APIOptions
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        signal(SIGPIPE, SIG_IGN) // a notification command that exits early must not kill the service
        // A service logs its jobs: info unless REEL_LOG_LEVEL says otherwise (set before the first logger exists).
        setenv("REEL_LOG_LEVEL", "info", 0)
        let env = ProcessInfo.processInfo.environment
        func setting(_ flag: String?, _ name: String) -> String? { flag ?? env[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let secret = setting(nil, "REEL_CALLBACK_SECRET") else {
            throw ReelExit.usage("REEL_CALLBACK_SECRET is not set: callbacks need a secret path (e.g. REEL_CALLBACK_SECRET=$(openssl rand -hex 16))")
        }
        guard secret.count >= 8, secret.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ReelExit.usage("REEL_CALLBACK_SECRET must be at least 8 characters of letters, digits, - or _")
        }
        guard let cb = ServerConfiguration.parseBind(setting(callbackBind, "REEL_CALLBACK_BIND") ?? "127.0.0.1:8081") else {
            throw ReelExit.usage("REEL_CALLBACK_BIND / --callback-bind must be HOST:PORT")
        }
        guard let admin = ServerConfiguration.parseBind(setting(bind, "REEL_BIND") ?? "127.0.0.1:8080") else {
            throw ReelExit.usage("REEL_BIND / --bind must be HOST:PORT")
        }
        func number(_ flag: Double?, _ name: String) throws -> Double? {
            if let flag {
                guard flag > 0, flag <= 1e9 else { throw ReelExit.usage("\(name) must be a positive number (at most 1e9)") }
                return flag
            }
            guard let text = setting(nil, name) else { return nil }
            guard let v = Double(text), v > 0, v <= 1e9 else { throw ReelExit.usage("\(name) must be a positive number (at most 1e9)") }
            return v
        }
        func count(_ flag: Int?, _ name: String, _ what: String) throws -> Int? {
            guard let v = try number(flag.map(Double.init), name) else { return nil }
            guard v >= 1 && v <= 64, let n = Int(exactly: v.rounded(.down)) else { throw ReelExit.usage("\(what) must be between 1 and 64 (--\(what.replacingOccurrences(of: " ", with: "-")) / \(name))") }
            return n
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var service = ServiceSettings(
            workers: try count(workers, "REEL_WORKERS", "workers"),
            downloadConcurrency: try count(downloadConcurrency, "REEL_DOWNLOAD_CONCURRENCY", "download concurrency") ?? cores,
            mediaConcurrency: try count(mediaConcurrency, "REEL_MEDIA_CONCURRENCY", "media concurrency") ?? cores)
        if let v = try number(watchInterval, "REEL_WATCH_INTERVAL") { service.watchInterval = .milliseconds(Int64(v * 1000)) }
        if let v = try number(watchMaxInterval, "REEL_WATCH_MAX_INTERVAL") { service.maxWatchInterval = .milliseconds(Int64(v * 1000)) }
        if let v = try number(watchHorizon, "REEL_WATCH_HORIZON") { service.watchHorizon = .milliseconds(Int64(v * 1000)) }
        if let c = try count(watchConcurrency, "REEL_WATCH_CONCURRENCY", "watch concurrency") { service.feederConcurrency = c }
        if let v = try number(requestsPerSecond, "REEL_REQUESTS_PER_SECOND") { service.requestsPerSecond = v }
        service.notifyURL = setting(notifyURL, "REEL_NOTIFY_URL")
        service.notifyCommand = setting(notifyCommand, "REEL_NOTIFY_COMMAND")
        let config = ServerConfiguration(callbackHost: cb.host, callbackPort: cb.port, callbackSecret: secret,
                                         adminHost: admin.host, adminPort: admin.port,
                                         adminToken: setting(nil, "REEL_ADMIN_TOKEN"), service: service)
        let apiConfig = try api.configuration()
        let presets = try ladder(preset)
        let catalog = try storage.openCatalog()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = CLILogging.logger("reelvault.serve")
        let root = storage.root
        try await withAPI(apiConfig) { client, downloader, http in
            let settings = ArchiveSettings(wait: false, presets: presets)
            let archiver = Archiver(context: ArchiveContext(catalog: catalog, client: client, downloader: downloader,
                                                            settings: settings, logger: CLILogging.logger("reelvault.archive")))
            let reel = ReelService(configuration: config, catalog: catalog, queue: FileJobQueue(root: root), watch: WatchList(root: root),
                                   archiver: archiver, httpClient: http, registry: registry, logger: logger)
            try await reel.run { callbackPort, adminPort in
                Output.error("reel serve: callbacks on http://\(cb.host):\(callbackPort)/callbacks/topview/<secret>, admin on http://\(admin.host):\(adminPort)/")
            }
        }
    }
}
