import Foundation
import Pipeline
import ReelBasics
import ReelServer

extension ServeCommand {
    /// Every `reel serve` setting from its flag, else its variable, else its default; a value that does not fit
    /// is a usage error (exit 2) naming the flag or variable and what it takes.
    func configuration(_ environment: SettingsEnvironment) throws -> ServerConfiguration {
        func text(_ flag: String?, _ name: String) -> String? { flag.flatMap { $0.isEmpty ? nil : $0 } ?? environment.text(name) }
        func number<Value>(_ flag: Value?, _ name: String, _ setting: NumericSetting<Value>) throws -> Value? {
            try flag ?? environment.number(name, setting)
        }
        func duration(_ flag: Double?, _ name: String, _ setting: NumericSetting<Double>) throws -> Duration? {
            try number(flag, name, setting).map { .milliseconds(Int64(($0 * 1000).rounded())) }
        }

        let secret = try Self.callbackSecret(environment.text("REEL_CALLBACK_SECRET"))
        guard let cb = ServerConfiguration.parseBind(text(callbackBind, "REEL_CALLBACK_BIND") ?? "127.0.0.1:8081") else {
            throw ReelExit.usage("REEL_CALLBACK_BIND / --callback-bind must be HOST:PORT (e.g. 127.0.0.1:8081)")
        }
        guard let admin = ServerConfiguration.parseBind(text(bind, "REEL_BIND") ?? "127.0.0.1:8080") else {
            throw ReelExit.usage("REEL_BIND / --bind must be HOST:PORT (e.g. 127.0.0.1:8080)")
        }
        let adminToken = environment.text("REEL_ADMIN_TOKEN")
        let allowPublic = try allowPublicAdmin || environment.flag("REEL_ALLOW_PUBLIC_ADMIN")
        if !HostAddress.isLoopback(admin.host), adminToken == nil, !allowPublic {
            throw ReelExit.usage("""
                the admin listener (REEL_BIND / --bind \(Self.hostInURL(admin.host)):\(admin.port)) is off loopback and \
                REEL_ADMIN_TOKEN is not set: set REEL_ADMIN_TOKEN, bind it to 127.0.0.1, or pass --allow-public-admin \
                (REEL_ALLOW_PUBLIC_ADMIN=1) to serve it to anyone who can reach it
                """)
        }

        let cores = ProcessInfo.processInfo.activeProcessorCount
        var service = ServiceSettings(
            workers: try number(workers, "REEL_WORKERS", Settings.concurrency),
            downloadConcurrency: try number(downloadConcurrency, "REEL_DOWNLOAD_CONCURRENCY", Settings.concurrency) ?? cores,
            mediaConcurrency: try number(mediaConcurrency, "REEL_MEDIA_CONCURRENCY", Settings.concurrency) ?? cores)
        if let v = try duration(watchInterval, "REEL_WATCH_INTERVAL", Settings.watchInterval) { service.watchInterval = v }
        if let v = try duration(watchMaxInterval, "REEL_WATCH_MAX_INTERVAL", Settings.watchInterval) { service.maxWatchInterval = v }
        guard service.watchInterval <= service.maxWatchInterval else {
            throw ReelExit.usage("REEL_WATCH_INTERVAL / --watch-interval must not exceed REEL_WATCH_MAX_INTERVAL / --watch-max-interval")
        }
        if let v = try duration(watchHorizon, "REEL_WATCH_HORIZON", Settings.watchHorizon) { service.watchHorizon = v }
        if let v = try number(watchConcurrency, "REEL_WATCH_CONCURRENCY", Settings.concurrency) { service.feederConcurrency = v }
        if let v = try number(requestsPerSecond, "REEL_REQUESTS_PER_SECOND", Settings.requestsPerSecond) { service.requestsPerSecond = v }
        if let v = try number(maxInterruptions, "REEL_MAX_INTERRUPTIONS", Settings.maxInterruptions) { service.maxInterruptions = v }
        let notifyName = notifyURL == nil ? "REEL_NOTIFY_URL" : "--notify-url"
        service.notifyURL = try environment.url(text(notifyURL, "REEL_NOTIFY_URL"), named: notifyName, policy: .httpOrHTTPS)
        service.notifyCommand = text(notifyCommand, "REEL_NOTIFY_COMMAND")

        var limits = HTTPLimits()
        if let v = try duration(httpIdleTimeout, "REEL_HTTP_IDLE_TIMEOUT", Settings.httpTimeout) { limits.idleTimeout = v }
        if let v = try duration(httpHeaderTimeout, "REEL_HTTP_HEADER_TIMEOUT", Settings.httpTimeout) { limits.headerTimeout = v }
        if let v = try number(callbackMaxConnections, "REEL_CALLBACK_MAX_CONNECTIONS", Settings.maxConnections) {
            limits.callbackMaxConnections = v
        }
        if let v = try number(adminMaxConnections, "REEL_ADMIN_MAX_CONNECTIONS", Settings.maxConnections) { limits.adminMaxConnections = v }

        return ServerConfiguration(callbackHost: cb.host, callbackPort: cb.port, callbackSecret: secret,
                                   adminHost: admin.host, adminPort: admin.port, adminToken: adminToken,
                                   limits: limits, service: service)
    }

    /// `REEL_CALLBACK_SECRET`: 8 or more ASCII letters, digits, `-` or `_` (it is a URL path segment compared
    /// byte for byte; a Unicode letter would never match a percent-encoded request path).
    static func callbackSecret(_ value: String?) throws -> String {
        guard let secret = value else {
            throw ReelExit.usage("REEL_CALLBACK_SECRET is not set: callbacks need a secret path (e.g. REEL_CALLBACK_SECRET=$(openssl rand -hex 16))")
        }
        let allowed = secret.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
        guard secret.utf8.count >= 8, allowed else {
            throw ReelExit.usage("REEL_CALLBACK_SECRET must be at least 8 characters of A-Z, a-z, 0-9, - and _ (ASCII only), "
                                 + "e.g. REEL_CALLBACK_SECRET=$(openssl rand -hex 16)")
        }
        return secret
    }
}
