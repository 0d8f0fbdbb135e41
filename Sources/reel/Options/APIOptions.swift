import ArgumentParser
import AsyncHTTPClient
import Foundation
import Pipeline
import ReelBasics
import TopView

/// `--base-url`, `--uid` (the key only from `$TOPVIEW_API_KEY`, so it never shows in `ps`).
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: "TopView API base URL: https://, or http:// to a loopback host (default $TOPVIEW_BASE_URL, else https://api.topview.ai).")
    var baseURL: String?
    @Option(name: .long, help: "TopView uid (default $TOPVIEW_UID).") var uid: String?

    /// The API and download settings from the flags and the environment, all checked (exit 2 naming the setting).
    func settings(_ environment: SettingsEnvironment = SettingsEnvironment()) throws -> APISettings {
        var config = TopViewConfiguration.fromEnvironment(environment.values)
        if let baseURL { config.baseURL = baseURL }
        if let uid { config.uid = uid }
        if let problem = config.baseURLProblem {
            let name = baseURL == nil ? "TOPVIEW_BASE_URL" : "--base-url"
            throw ReelExit.usage("\(name) \(problem) (got '\(SafeText.escape(redactedURL(config.baseURL), limit: 128))')")
        }
        if let name = environment.text("TOPVIEW_RETRY_POLICY"), RetryPolicy.named(name.trimmingCharacters(in: .whitespaces)) == nil {
            throw ReelExit.usage("TOPVIEW_RETRY_POLICY must be standard, fast or none (got '\(SafeText.escape(name, limit: 64))')")
        }
        guard config.apiKey != nil else {
            throw ReelExit.usage("no API key: set TOPVIEW_API_KEY (for the local sandbox any value works, e.g. TOPVIEW_API_KEY=sandbox)")
        }
        let extraHosts = environment.text("REEL_ALLOWED_HOSTS").map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } ?? []
        let minFreeMB = try environment.number("REEL_MIN_FREE_MB", Settings.minFreeMB)
        return APISettings(topView: config, extraHosts: extraHosts, minFreeBytes: minFreeMB.map { $0 << 20 })
    }
}

/// What the commands that talk to TopView need, read and checked before anything starts.
struct APISettings: Sendable {
    var topView: TopViewConfiguration
    /// `REEL_ALLOWED_HOSTS`: download hosts besides the vendor's storage and the API's own host.
    var extraHosts: [String]
    /// `REEL_MIN_FREE_MB` in bytes (at most 16 TiB, so the shift never overflows); nil for the default.
    var minFreeBytes: Int64?
}

/// Runs `body` with an API client and a downloader sharing one HTTP client, shut down afterwards.
func withAPI(_ settings: APISettings, _ body: (TopViewClient, Downloader, HTTPClient) async throws -> Void) async throws {
    var httpConfig = HTTPClient.Configuration()
    httpConfig.redirectConfiguration = .disallow
    httpConfig.timeout = .init(connect: .seconds(10), read: .seconds(60))
    // A refused or failed connection fails the attempt at once: the API client and the downloader retry with
    // their own bounded backoff. (The pool's default retries every attempt until its deadline, which turned
    // the six attempts against an unreachable host into more than a minute.)
    httpConfig.connectionPool.retryConnectionEstablishment = false
    let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
    let logger = CLILogging.logger("reelvault.http")
    var hosts = HostAllowList()
    if let host = URL(string: settings.topView.baseURL)?.host { hosts = hosts.adding([host]) }
    hosts = hosts.adding(settings.extraHosts)
    let client = TopViewClient(httpClient: http, configuration: settings.topView, logger: CLILogging.logger("reelvault.topview"))
    var downloads = DownloadConfiguration(allowedHosts: hosts)
    // Free space a download must leave on the storage volume (default 256 MiB).
    if let bytes = settings.minFreeBytes { downloads.minFreeBytes = bytes }
    let downloader = Downloader(httpClient: http, configuration: downloads, logger: logger)
    do {
        try await body(client, downloader, http)
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
}
