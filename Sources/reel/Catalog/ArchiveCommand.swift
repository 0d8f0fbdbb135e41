import ArgumentParser
import AsyncHTTPClient
import Catalog
import Foundation
import Media
import Pipeline
import TopView

struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Fetch tasks from the TopView API and archive every finished video into the catalog.",
        discussion: """
        For each task: query (polling until settled), download each finished video and its cover, verify the \
        duration, make thumbnails and renditions, and file everything in the catalog. Rerunning is idempotent.
        Environment: TOPVIEW_BASE_URL, TOPVIEW_API_KEY, TOPVIEW_UID, REEL_STORAGE, REEL_LADDER, REEL_ALLOWED_HOSTS.
        Exit codes: 0 all archived (match/unreported); 1 needs attention; 2 usage, configuration or credentials; \
        3 not settled; 4 upstream or network unavailable. With several tasks, the largest.
        """)

    @Argument(help: "Task ids.") var tasks: [String]
    @Option(name: .long, help: "Task kind (\(TaskKinds.all.map { $0.name }.joined(separator: ", "))).") var kind: String = "m2v"
    @Flag(name: .long, inversion: .prefixedNo, help: "Poll until the task is settled.") var wait = true
    @Option(name: .customLong("poll-interval"), help: "Seconds between polls.") var pollInterval: Double = 5
    @Option(name: .long, help: "Polling budget in seconds.") var timeout: Double = 600
    @Option(name: .long, help: "Videos processed at once per task.") var jobs: Int = 1
    @Option(name: .long, help: "Rendition ladder, comma-separated (default $REEL_LADDER, else 720p,480p).") var preset: String?
    @OptionGroup var api: APIOptions
    @OptionGroup var storage: StorageOptions
    @OptionGroup var output: JSONFlag

    func validate() throws {
        guard TaskKinds.kind(named: kind) != nil else {
            throw ValidationError("unknown --kind \(kind); known: \(TaskKinds.all.map { $0.name }.joined(separator: ", "))")
        }
        if !(pollInterval > 0) { throw ValidationError("--poll-interval must be more than 0") }
        if !(timeout >= 0) { throw ValidationError("--timeout must be 0 or more") }
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs must be between 1 and 64") }
    }

    func run() async throws {
        let ids = try validTaskIDs(tasks)
        let presets = try ladder(preset)
        let config = try api.configuration()
        let catalog = try storage.openCatalog()
        let printer = EventPrinter(quiet: false)
        let settings = ArchiveSettings(wait: wait, pollInterval: .milliseconds(Int64(pollInterval * 1000)),
                                       timeout: .milliseconds(Int64(timeout * 1000)), jobs: jobs, presets: presets)
        let kindType = TaskKinds.kind(named: kind)!
        var worst = ArchiveStatus.ok
        var reports: [ArchiveReport] = []
        try await withAPI(config) { client, downloader, _ in
            let archiver = Archiver(context: ArchiveContext(catalog: catalog, client: client, downloader: downloader, settings: settings,
                                                            logger: CLILogging.logger("reelvault.archive"), events: printer.sink))
            for id in ids {
                let outcome = await archiver.archive(taskId: id.rawValue, kind: kindType)
                worst = max(worst, outcome.status)
                let manifest = (try? catalog.manifest(for: id)) ?? TaskManifest(taskId: id, kind: kindType.name)
                reports.append(ArchiveReport(manifest: manifest, outcome: outcome))
            }
        }
        if output.json {
            if reports.count == 1 { try Output.json(reports[0]) } else { try Output.json(reports) }
        } else {
            for r in reports {
                let id = try r.manifest.id()
                guard FileManager.default.fileExists(atPath: catalog.layout.manifestURL(id).path) else { continue }
                Output.line("\(r.manifest.taskId): \(catalog.layout.taskDirectory(id).path)")
            }
        }
        if worst != .ok { throw ReelExit(code: worst.rawValue, message: "") }
    }
}

/// `--base-url`, `--uid` (the key only from `$TOPVIEW_API_KEY`, so it never shows in `ps`).
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: "TopView API base URL (default $TOPVIEW_BASE_URL, else https://api.topview.ai).")
    var baseURL: String?
    @Option(name: .long, help: "TopView uid (default $TOPVIEW_UID).") var uid: String?

    func configuration() throws -> TopViewConfiguration {
        var config = TopViewConfiguration.fromEnvironment()
        if let baseURL { config.baseURL = baseURL }
        if let uid { config.uid = uid }
        guard let url = URL(string: config.baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ReelExit.usage("the API base URL \(redactedURL(config.baseURL)) is not an http(s) URL")
        }
        if let name = ProcessInfo.processInfo.environment["TOPVIEW_RETRY_POLICY"], !name.isEmpty, RetryPolicy.named(name) == nil {
            throw ReelExit.usage("TOPVIEW_RETRY_POLICY must be standard, fast or none")
        }
        guard config.apiKey != nil else {
            throw ReelExit.usage("no API key: set TOPVIEW_API_KEY (for the local sandbox any value works, e.g. TOPVIEW_API_KEY=sandbox)")
        }
        return config
    }
}

/// Runs `body` with an API client and a downloader sharing one HTTP client, shut down afterwards.
func withAPI(_ config: TopViewConfiguration, _ body: (TopViewClient, Downloader, HTTPClient) async throws -> Void) async throws {
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
    if let host = URL(string: config.baseURL)?.host { hosts = hosts.adding([host]) }
    if let extra = ProcessInfo.processInfo.environment["REEL_ALLOWED_HOSTS"] {
        hosts = hosts.adding(extra.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }
    let client = TopViewClient(httpClient: http, configuration: config, logger: CLILogging.logger("reelvault.topview"))
    var downloads = DownloadConfiguration(allowedHosts: hosts)
    // Free space a download must leave on the storage volume (default 256 MiB).
    if let text = ProcessInfo.processInfo.environment["REEL_MIN_FREE_MB"], let mb = Int64(text), mb >= 0 {
        downloads.minFreeBytes = mb << 20
    }
    let downloader = Downloader(httpClient: http, configuration: downloads, logger: logger)
    do {
        try await body(client, downloader, http)
    } catch {
        try? await http.shutdown()
        throw error
    }
    try await http.shutdown()
}
