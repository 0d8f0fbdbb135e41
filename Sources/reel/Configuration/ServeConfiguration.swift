import Foundation
import Pipeline
import ReelBasics
import ReelServer

/// The settings of `reel serve`: the two listeners, their limits and the service's workers, watch list and
/// notifications, as the lead's ``ServerConfiguration`` takes them.
struct ServeConfiguration: Sendable {
    /// Listeners, limits and service settings. Its callback secret is empty until read: the reader requires one.
    var server: ServerConfiguration
    /// `--allow-public-admin` / `REEL_ALLOW_PUBLIC_ADMIN=1`: the admin listener may be off loopback without a token.
    var allowPublicAdmin: Bool

    init(server: ServerConfiguration = ServerConfiguration(callbackSecret: ""), allowPublicAdmin: Bool = false) {
        self.server = server
        self.allowPublicAdmin = allowPublicAdmin
    }

    /// Whether the admin listener serves anyone who reaches it (off loopback, no token): allowed, with a warning.
    var adminIsPublic: Bool { !HostAddress.isLoopback(server.adminHost) && server.adminToken == nil }

    /// Reads every `reel serve` setting from its flag, else its variable, else its default (README, "Running it as a
    /// service"); each numeric one within its ``Settings`` range.
    ///
    /// - `REEL_CALLBACK_SECRET` (required): 8+ of ASCII `A-Za-z0-9-_`.
    /// - `--callback-bind` / `REEL_CALLBACK_BIND` (`127.0.0.1:8081`), `--bind` / `REEL_BIND` (`127.0.0.1:8080`): HOST:PORT.
    /// - `REEL_ADMIN_TOKEN`: required when the admin listener is off loopback, unless `--allow-public-admin` /
    ///   `REEL_ALLOW_PUBLIC_ADMIN=1`.
    /// - `REEL_WORKERS`, `REEL_DOWNLOAD_CONCURRENCY`, `REEL_MEDIA_CONCURRENCY`, `REEL_WATCH_CONCURRENCY`: 1…64.
    /// - `REEL_WATCH_INTERVAL` ≤ `REEL_WATCH_MAX_INTERVAL`, `REEL_WATCH_HORIZON`, `REEL_HTTP_IDLE_TIMEOUT`,
    ///   `REEL_HTTP_HEADER_TIMEOUT`: decimal seconds.
    /// - `REEL_REQUESTS_PER_SECOND`, `REEL_CALLBACK_MAX_CONNECTIONS`, `REEL_ADMIN_MAX_CONNECTIONS`, `REEL_MAX_INTERRUPTIONS`.
    /// - `REEL_NOTIFY_URL` (http(s), never link-local), `REEL_NOTIFY_COMMAND`.
    /// - `--roles` / `REEL_ROLES`: the parts this process runs (``ServiceRoles``; default all).
    init(reader: ConfigurationReader, flags: ServeOptions,
         cores: Int = ProcessInfo.processInfo.activeProcessorCount) throws(ConfigurationError) {
        let secret = try Self.callbackSecret(reader.text("REEL_CALLBACK_SECRET"))
        guard let callback = ServerConfiguration.parseBind(reader.text("REEL_CALLBACK_BIND", flag: flags.callbackBind) ?? "127.0.0.1:8081") else {
            throw .refused("REEL_CALLBACK_BIND / --callback-bind", "must be HOST:PORT (e.g. 127.0.0.1:8081)")
        }
        guard let admin = ServerConfiguration.parseBind(reader.text("REEL_BIND", flag: flags.bind) ?? "127.0.0.1:8080") else {
            throw .refused("REEL_BIND / --bind", "must be HOST:PORT (e.g. 127.0.0.1:8080)")
        }
        let adminToken = reader.text("REEL_ADMIN_TOKEN")
        let allowPublic = try reader.bool("REEL_ALLOW_PUBLIC_ADMIN", flag: flags.allowPublicAdmin)
        if !HostAddress.isLoopback(admin.host), adminToken == nil, !allowPublic {
            throw ConfigurationError(setting: "REEL_ADMIN_TOKEN", message: """
                the admin listener (REEL_BIND / --bind \(Self.hostInURL(admin.host)):\(admin.port)) is off loopback and \
                REEL_ADMIN_TOKEN is not set: set REEL_ADMIN_TOKEN, bind it to 127.0.0.1, or pass --allow-public-admin \
                (REEL_ALLOW_PUBLIC_ADMIN=1) to serve it to anyone who can reach it
                """)
        }

        var service = ServiceSettings(
            workers: try reader.number("REEL_WORKERS", Settings.concurrency, flag: flags.workers),
            downloadConcurrency: try reader.number("REEL_DOWNLOAD_CONCURRENCY", Settings.concurrency, flag: flags.downloadConcurrency) ?? cores,
            mediaConcurrency: try reader.number("REEL_MEDIA_CONCURRENCY", Settings.concurrency, flag: flags.mediaConcurrency) ?? cores)
        if let v = try reader.duration("REEL_WATCH_INTERVAL", Settings.watchInterval, flag: flags.watchInterval) { service.watchInterval = v }
        if let v = try reader.duration("REEL_WATCH_MAX_INTERVAL", Settings.watchInterval, flag: flags.watchMaxInterval) { service.maxWatchInterval = v }
        guard service.watchInterval <= service.maxWatchInterval else {
            throw .refused("REEL_WATCH_INTERVAL / --watch-interval", "must not exceed REEL_WATCH_MAX_INTERVAL / --watch-max-interval")
        }
        if let v = try reader.duration("REEL_WATCH_HORIZON", Settings.watchHorizon, flag: flags.watchHorizon) { service.watchHorizon = v }
        if let v = try reader.number("REEL_WATCH_CONCURRENCY", Settings.concurrency, flag: flags.watchConcurrency) { service.feederConcurrency = v }
        if let v = try reader.number("REEL_REQUESTS_PER_SECOND", Settings.requestsPerSecond, flag: flags.requestsPerSecond) { service.requestsPerSecond = v }
        if let v = try reader.number("REEL_MAX_INTERRUPTIONS", Settings.maxInterruptions, flag: flags.maxInterruptions) { service.maxInterruptions = v }
        service.notifyURL = try reader.url("REEL_NOTIFY_URL", flagName: "--notify-url", flag: flags.notifyURL, policy: .httpOrHTTPS)
        service.notifyCommand = reader.text("REEL_NOTIFY_COMMAND", flag: flags.notifyCommand)

        var limits = HTTPLimits()
        if let v = try reader.duration("REEL_HTTP_IDLE_TIMEOUT", Settings.httpTimeout, flag: flags.httpIdleTimeout) { limits.idleTimeout = v }
        if let v = try reader.duration("REEL_HTTP_HEADER_TIMEOUT", Settings.httpTimeout, flag: flags.httpHeaderTimeout) { limits.headerTimeout = v }
        if let v = try reader.number("REEL_CALLBACK_MAX_CONNECTIONS", Settings.maxConnections, flag: flags.callbackMaxConnections) {
            limits.callbackMaxConnections = v
        }
        if let v = try reader.number("REEL_ADMIN_MAX_CONNECTIONS", Settings.maxConnections, flag: flags.adminMaxConnections) {
            limits.adminMaxConnections = v
        }

        var roles = ServiceRoles.all
        if let text = reader.text("REEL_ROLES", flag: flags.roles) {
            guard let parsed = ServiceRoles(parsing: text) else {
                throw .refused("REEL_ROLES / --roles", "must be a comma-separated list of callbacks, admin, feeder, workers "
                               + "(each at most once), e.g. --roles callbacks,admin,feeder")
            }
            roles = parsed
        }

        self.init(server: ServerConfiguration(callbackHost: callback.host, callbackPort: callback.port, callbackSecret: secret,
                                              adminHost: admin.host, adminPort: admin.port, adminToken: adminToken,
                                              limits: limits, service: service, roles: roles),
                  allowPublicAdmin: allowPublic)
    }

    /// `REEL_CALLBACK_SECRET`: 8 or more ASCII letters, digits, `-` or `_` (it is a URL path segment compared
    /// byte for byte; a Unicode letter would never match a percent-encoded request path).
    static func callbackSecret(_ value: String?) throws(ConfigurationError) -> String {
        guard let secret = value else {
            throw .refused("REEL_CALLBACK_SECRET", "is not set: callbacks need a secret path (e.g. REEL_CALLBACK_SECRET=$(openssl rand -hex 16))")
        }
        let allowed = secret.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
        guard secret.utf8.count >= 8, allowed else {
            throw .refused("REEL_CALLBACK_SECRET", "must be at least 8 characters of A-Z, a-z, 0-9, - and _ (ASCII only), "
                           + "e.g. REEL_CALLBACK_SECRET=$(openssl rand -hex 16)")
        }
        return secret
    }

    /// A host as it goes into a URL: IPv6 in brackets, anything else escaped.
    static func hostInURL(_ host: String) -> String {
        HostAddress.ipv6(host) != nil ? "[\(host)]" : SafeText.escape(host)
    }
}
