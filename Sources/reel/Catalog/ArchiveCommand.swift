import ArgumentParser
import AsyncHTTPClient
import Catalog
import Foundation
import Media
import Pipeline
import ReelBasics
import TopView

struct ArchiveCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Fetch tasks from the TopView API and archive every finished video into the catalog.",
        discussion: """
        For each task: query (polling until settled), download each finished video and its cover, verify the \
        duration, make thumbnails and renditions, and file everything in the catalog. Rerunning is idempotent.
        Environment: TOPVIEW_BASE_URL (https://, or http:// to a loopback host; never link-local), TOPVIEW_API_KEY, \
        TOPVIEW_UID, TOPVIEW_RETRY_POLICY, REEL_STORAGE, REEL_LADDER, REEL_ALLOWED_HOSTS, \
        REEL_MIN_FREE_MB (\(Settings.minFreeMB.rangeText), default 256), REEL_LOG_LEVEL (trace…critical, default warning).
        Exit codes: 0 all archived (match/unreported); 1 needs attention; 2 usage, configuration or credentials; \
        3 not settled; 4 upstream or network unavailable. With several tasks, the largest.

        EXAMPLES:
          reel archive TASK
          reel archive TASK1 TASK2 --kind text2video --jobs 2 --preset 720p,480p
          reel archive TASK --no-wait --json
        """)

    @Argument(help: "Task ids.") var tasks: [String]
    @Option(name: .long, help: "Task kind (\(TaskKinds.all.map { $0.name }.joined(separator: ", "))).") var kind: String = "m2v"
    @Flag(name: .long, inversion: .prefixedNo, help: "Poll until the task is settled.") var wait = true
    @Option(name: .customLong("poll-interval"), help: "Decimal seconds between polls \(Settings.pollInterval.help(default: "5")).",
            transform: Settings.pollInterval.argument) var pollInterval: Double = 5
    @Option(name: .long, help: "Polling budget in decimal seconds \(Settings.pollTimeout.help(default: "600")).",
            transform: Settings.pollTimeout.argument) var timeout: Double = 600
    @Option(name: .long, help: "Videos processed at once per task \(Settings.jobs.help(default: "1")).",
            transform: Settings.jobs.argument) var jobs: Int = 1
    @OptionGroup var ladder: LadderOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print each task's `reel show --json` document plus `outcome` ({\"exitCode\", \"result\", \"message\", \"upstreamCode\"}); an array for several tasks.")
    var json = false

    func validate() throws {
        guard TaskKinds.kind(named: kind) != nil else {
            throw ValidationError("unknown --kind \(SafeText.escape(kind, limit: 64)); known: \(TaskKinds.all.map { $0.name }.joined(separator: ", "))")
        }
    }

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, api: api, ladder: ladder, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        let ids = try validTaskIDs(tasks)
        // Ctrl-C (or SIGTERM) stops the work at its next frame or chunk; what was kept is said, and a rerun resumes.
        try await Interruption.stoppingOnSignal {
            // With REEL_DATABASE_URL, the task locks are the deployment's: a task reel serve works on elsewhere is waited for.
            try await SharedStateAccess.with(configuration, schema: .requireCurrent) { state in
                try await archive(ids, configuration, catalog: try configuration.storage.openCatalog(state: state))
            }
        }
    }

    /// `3 tasks: 1 archived, 2 need attention` (and not settled, unavailable, usage when there are).
    static func summary(_ statuses: [ArchiveStatus]) -> String {
        let count = { (status: ArchiveStatus) in statuses.count { $0 == status } }
        var parts = ["\(count(.ok)) archived"]
        if count(.attention) > 0 { parts.append("\(count(.attention)) need\(count(.attention) == 1 ? "s" : "") attention") }
        if count(.notSettled) > 0 { parts.append("\(count(.notSettled)) not settled upstream yet") }
        if count(.unavailable) > 0 { parts.append("\(count(.unavailable)) unavailable upstream") }
        if count(.usage) > 0 { parts.append("\(count(.usage)) refused (usage or credentials)") }
        return "\(statuses.count) task\(statuses.count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }

    private func archive(_ ids: [TaskID], _ configuration: ReelConfiguration, catalog: Catalog) async throws {
        let printer = EventPrinter(quiet: false)
        let settings = ArchiveSettings(wait: wait, pollInterval: .milliseconds(Int64(pollInterval * 1000)),
                                       timeout: .milliseconds(Int64(timeout * 1000)), jobs: jobs, presets: configuration.archive.presets)
        guard let kindType = TaskKinds.kind(named: kind) else { throw ValidationError("unknown --kind \(SafeText.escape(kind, limit: 64))") }
        var worst = ArchiveStatus.ok
        var reports: [ArchiveReport] = []
        try await configuration.api.withClients(retries: printer.retry) { client, downloader, _ in
            let archiver = Archiver(context: ArchiveContext(catalog: catalog, client: client, downloader: downloader, settings: settings,
                                                            logger: CLILogging.logger("reelvault.archive"), events: printer.sink))
            for id in ids {
                let outcome = await archiver.archive(taskId: id.rawValue, kind: kindType)
                worst = max(worst, outcome.status)
                let manifest: TaskManifest
                do {
                    manifest = try await catalog.manifest(for: id) ?? TaskManifest(taskId: id, kind: kindType.name)
                } catch {
                    Output.error("warning: \(id): the manifest could not be read back: \(SafeText.escape("\(error)", limit: 1024))")
                    manifest = TaskManifest(taskId: id, kind: kindType.name)
                }
                reports.append(ArchiveReport(manifest: manifest, outcome: outcome))
            }
        }
        // The batch's summary goes to stderr, also with --json (stdout is the document's).
        Output.error(Self.summary(reports.map(\.outcome.status)))
        if Task.isCancelled {
            throw ReelExit(code: ReelExit.interrupted, message: Interruption.keptSummary(reports.map(\.manifest), command: "reel archive"))
        }
        if json {
            if reports.count == 1 { try Output.json(reports[0]) } else { try Output.json(reports) }
        } else {
            for r in reports {
                let id = try r.manifest.id()
                guard let place = try await configuration.storage.taskLocation(id, in: catalog) else { continue }
                Output.line("\(SafeText.escape(r.manifest.taskId)): \(SafeText.escape(place, limit: 1024))")
            }
        }
        if worst != .ok { throw ReelExit(code: worst.rawValue, message: "") }
    }
}
