import AsyncHTTPClient
import Foundation
import Pipeline
import TopView

extension APIConfiguration {
    /// Runs `body` with an API client and a downloader sharing one HTTP client, shut down afterwards. `retries`: whom
    /// to tell of each retry of a query in one short line (the commands people watch); `reel serve` logs them instead.
    func withClients(retries: (@Sendable (RetryNotice) -> Void)? = nil,
                     _ body: (TopViewClient, Downloader, HTTPClient) async throws -> Void) async throws {
        var httpConfig = HTTPClient.Configuration()
        httpConfig.redirectConfiguration = .disallow
        httpConfig.timeout = .init(connect: .seconds(10), read: .seconds(60))
        // A refused or failed connection fails the attempt at once: the API client and the downloader retry with
        // their own bounded backoff. (The pool's default retries every attempt until its deadline, which turned
        // the six attempts against an unreachable host into more than a minute.)
        httpConfig.connectionPool.retryConnectionEstablishment = false
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
        var hosts = HostAllowList()
        if let host = URL(string: topView.baseURL)?.host { hosts = hosts.adding([host]) }
        hosts = hosts.adding(extraHosts)
        var topView = self.topView
        topView.onRetry = retries
        let client = TopViewClient(httpClient: http, configuration: topView, logger: CLILogging.logger("reelvault.topview"))
        var downloads = DownloadConfiguration(allowedHosts: hosts)
        // Free space a download must leave on the storage volume (default 256 MiB).
        if let minFreeBytes { downloads.minFreeBytes = minFreeBytes }
        let downloader = Downloader(httpClient: http, configuration: downloads, logger: CLILogging.logger("reelvault.http"))
        do {
            try await body(client, downloader, http)
        } catch {
            try? await http.shutdown() // best effort: the body's error is the one to report
            throw error
        }
        try await http.shutdown()
    }
}
