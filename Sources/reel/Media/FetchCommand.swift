import ArgumentParser
import AsyncHTTPClient
import Foundation
import Pipeline
import ReelBasics

/// `reel media fetch`: one download through the archive's `Downloader` (allow-list, resume, SHA-256 on the way,
/// fsync at the end) into a local file. A developer and benchmark tool (`Tools/bench/`), hidden from help.
///
/// The allow-list is the vendor's storage domains, plus the URL's own host only when it is loopback
/// (`127.0.0.1`, `localhost`, `::1`), so a local test server works and nothing else is opened up.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download one URL with the archive's downloader (developer tool).",
        discussion: """
        Allowed hosts: the vendor's storage domains, and the URL's host when it is 127.0.0.1, localhost or ::1.

        EXAMPLES:
          reel media fetch http://127.0.0.1:8000/clip.mp4 --out /tmp/clip.mp4
          reel media fetch http://localhost:8000/clip.mp4 --out /tmp/clip.mp4 --json
        """,
        shouldDisplay: false)

    static let loopbackHosts: Set<String> = ["127.0.0.1", "localhost", "::1"]

    @Argument(help: "http(s) URL.") var url: String
    @Option(name: .long, help: "Destination file (created or truncated).") var out: String
    @Flag(name: .long, help: "Print one JSON object: {\"path\", \"bytes\", \"sha256\", \"seconds\"}.")
    var json = false

    struct Report: Encodable {
        var path: String
        var bytes: Int64
        var sha256: String
        var seconds: Double
    }

    func validate() throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), components.host != nil else {
            throw ValidationError("\(url) is not an http(s) URL")
        }
    }

    func run() async throws {
        var hosts = HostAllowList()
        if let host = URLComponents(string: url)?.host.map(HostAllowList.normalizeHost), Self.loopbackHosts.contains(host) {
            hosts.add(host)
        }
        var httpConfig = HTTPClient.Configuration()
        httpConfig.redirectConfiguration = .disallow
        httpConfig.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
        let downloader = Downloader(httpClient: http, configuration: DownloadConfiguration(allowedHosts: hosts),
                                    logger: CLILogging.logger("reelvault.fetch"))
        let destination = URL(fileURLWithPath: out)
        let started = ContinuousClock.now
        let result: DownloadResult
        do {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            result = try await downloader.download(from: url, to: destination)
        } catch {
            try? await http.shutdown() // best effort: the download's error is the one to report
            throw ReelExit(code: ReelExit.attention, message: "error: \(error)")
        }
        try await http.shutdown()
        let elapsed = ContinuousClock.now - started
        let report = Report(path: destination.path, bytes: result.bytes, sha256: result.sha256,
                            seconds: elapsed.inSeconds)
        if json {
            try Output.json(report)
        } else {
            Output.line("\(report.path)  \(report.bytes) bytes  sha256 \(report.sha256)  \(String(format: "%.2f s", report.seconds))")
        }
    }
}

private extension HostAllowList {
    /// A URL's host as the allow-list compares it: lowercased, without IPv6 brackets or a trailing dot.
    static func normalizeHost(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }
}
