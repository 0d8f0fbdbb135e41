import ArgumentParser

/// The flags of `reel serve` that stand for a `REEL_*` variable (a flag wins over its variable; see
/// ``ServeConfiguration``). Numeric flags are parsed with their setting's range, so `--help` shows it and a bad
/// value is a usage error naming the flag.
struct ServeOptions: ParsableArguments {
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
    @Option(name: .customLong("roles"), help: "Parts this process runs: any of callbacks,admin,feeder,workers (default: all; REEL_ROLES).")
    var roles: String?
    @Option(name: .long, help: "A claimed job's lease in seconds with PostgreSQL \(Settings.lease.help(default: "30")); also the feeder's leader lease.",
            transform: Settings.lease.argument) var lease: Double?
}
