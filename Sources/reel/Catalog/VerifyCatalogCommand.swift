import ArgumentParser
import Catalog
import Foundation
import ReelBasics
import Media
import Pipeline

struct VerifyCatalogCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Audit the catalog's fixity: re-hash every catalogued file against its manifest, re-decode the archived "
            + "sources, report changed, missing and untracked files.",
        discussion: """
        reel verify TASK...   or   reel verify --all. One line per problem (one per file), then on stderr \
        `checked N tasks, M files: K problems`. On a writable root the result and its time are kept in each task's \
        manifest (the catalog page shows them). Staging and partial downloads of a task a running archive holds are \
        not reported. --repair makes damaged tasks whole: derived files (poster, stills, storyboard, renditions) made \
        again from the kept source, a missing or changed source fetched again after re-querying the task (it needs \
        TOPVIEW_API_KEY); it says what it did. Exit 0 when clean (after --repair: when everything is whole), 1 otherwise. \
        On an object store (REEL_STORE_URL=s3://…) a file is checked by HEAD (present, of its size, with the checksum \
        the store recorded at upload); --deep streams every file to re-hash it and re-decodes the sources.

        EXAMPLES:
          reel verify TASK
          reel verify --all --no-decode
          reel verify --all --repair
          REEL_STORE_URL=s3://bucket reel verify --all --deep
        """)

    @Argument(help: "Task ids (or --all).") var tasks: [String] = []
    @Flag(name: .long, help: "Check the whole catalog.") var all = false
    @Flag(name: .customLong("no-decode"), help: "Only re-hash; do not re-decode the sources.") var noDecode = false
    @Flag(name: .long, help: "On an object store, stream every file to re-hash it and re-decode the sources (a local root always does).")
    var deep = false
    @Flag(name: .long, help: "Make damaged tasks whole again (regenerate derived files, re-fetch a missing source).") var repair = false
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var ladder: LadderOptions
    @Flag(name: .long, help: "Print a JSON array of findings ({\"kind\", \"taskId\", \"path\", \"detail\"}); [] when clean.")
    var json = false

    func validate() throws {
        if all == !tasks.isEmpty { throw ValidationError("give task ids or --all") }
    }

    /// The API and the ladder are read only for --repair (a plain check needs no key).
    var configurationFlags: ConfigurationFlags {
        ConfigurationFlags(storage: storage, api: repair ? api : nil, ladder: repair ? ladder : nil, database: database)
    }

    func run(_ configuration: ReelConfiguration) async throws {
        let ids = try validTaskIDs(tasks)
        try await SharedStateAccess.with(configuration, schema: .requireCurrent) { state in
            // Writable: the results are kept in the manifests (and --repair can work); a mounted backup is only read,
            // and a root that does not exist is not created.
            let exists = configuration.storage.store.isRemote || FileManager.default.fileExists(atPath: configuration.storage.root.path)
            let writable = exists ? try? configuration.storage.openCatalog(.readWrite, state: state) : nil
            if repair, writable == nil {
                throw ReelExit.usage("--repair needs a writable storage root; \(SafeText.escape(configuration.storage.root.path, limit: 1024)) is not")
            }
            let catalog = try writable ?? configuration.storage.openCatalog(.readOnly, state: state)
            try await check(ids, catalog: catalog, writable: writable != nil, configuration)
        }
    }

    private func check(_ ids: [TaskID], catalog: Catalog, writable: Bool, _ configuration: ReelConfiguration) async throws {
        // A local file is hashed and its source decoded every time; an object store's only with --deep (a HEAD
        // otherwise: reading every byte back from a bucket is a deliberate act).
        let deep = self.deep || !configuration.storage.store.isRemote
        var findings: [VerifyFinding] = []
        var targets = ids
        if all {
            targets = try await catalog.allTaskIDs()
            findings = catalog.verifyLayout().map(VerifyFinding.init) // strays under tasks/, not a task's
        }
        let progress = VerifyProgress(total: targets.count)
        var files = 0
        var perTask: [TaskID: [FixityProblem]] = [:]
        for (n, id) in targets.enumerated() {
            progress.show(done: n)
            let manifest = try? await catalog.manifest(for: id)
            let inCatalog = manifest != nil ? true : try await !catalog.store.files(of: id).isEmpty
            guard inCatalog else {
                findings.append(VerifyFinding(kind: "notInCatalog", taskId: id.rawValue, path: CatalogLayout.taskPath(id),
                                              detail: "no such task in the catalog at \(configuration.storage.location)"))
                continue
            }
            files += manifest?.referencedPaths.count ?? 0
            let problems = try await catalog.verify(id, rehash: deep)
            perTask[id] = problems
            var found = problems.map(VerifyFinding.init)
            if !noDecode, deep { found += await redecode(id, catalog: catalog, skipping: Set(found.map(\.path))) }
            findings += found
            if writable, !repair, manifest != nil {
                try? await catalog.recordFixity(id, problems: found.count)
            }
        }
        progress.finish()
        var unrepaired = findings
        if repair {
            unrepaired = findings.filter { $0.taskId == nil }
            try await repairTasks(perTask.filter { !$0.value.isEmpty }, catalog: catalog, configuration, remaining: &unrepaired)
        }
        if json { try Output.json(findings) } else {
            for f in findings { Output.line(f.description) }
            if findings.isEmpty { Output.line("catalog is clean") }
        }
        let problems = findings.count
        Output.error("checked \(targets.count) task\(targets.count == 1 ? "" : "s"), \(files) file\(files == 1 ? "" : "s"): "
                     + "\(problems) problem\(problems == 1 ? "" : "s")" + (repair ? ", \(unrepaired.count) left after repair" : ""))
        if !(repair ? unrepaired : findings).isEmpty { throw ReelExit(code: ReelExit.attention, message: "") }
    }

    /// Repairs each task with problems and says what it did; what is still wrong afterwards goes to `remaining`.
    private func repairTasks(_ tasks: [TaskID: [FixityProblem]], catalog: Catalog, _ configuration: ReelConfiguration,
                             remaining: inout [VerifyFinding]) async throws {
        guard !tasks.isEmpty else { return }
        let printer = EventPrinter(quiet: false)
        let settings = ArchiveSettings(wait: false, presets: configuration.archive.presets)
        var left: [VerifyFinding] = []
        try await configuration.api.withClients(retries: printer.retry) { client, downloader, _ in
            let archiver = Archiver(context: ArchiveContext(catalog: catalog, client: client, downloader: downloader, settings: settings,
                                                            logger: CLILogging.logger("reelvault.archive"), events: printer.sink))
            let repairer = Repairer(archiver: archiver, renderer: Renderer(catalog: catalog, logger: CLILogging.logger("reelvault.render")))
            for (id, problems) in tasks.sorted(by: { $0.key < $1.key }) {
                let outcome = try await repairer.repair(id, problems: problems)
                Output.error("\(id): repair: \(SafeText.escape(outcome.summary, limit: 1024))")
                left += outcome.remaining.map(VerifyFinding.init)
                try? await catalog.recordFixity(id, problems: outcome.remaining.count, repair: outcome.summary)
            }
        }
        remaining += left
    }

    /// Decodes every archived source of the task again and compares with its recorded verification.
    /// Sources already found changed or missing are skipped (they are reported already).
    private func redecode(_ id: TaskID, catalog: Catalog, skipping: Set<String>) async -> [VerifyFinding] {
        // A manifest that cannot be read is a finding of the fixity check already (unparsableManifest).
        guard let manifest = try? await catalog.manifest(for: id) else { return [] }
        var findings: [VerifyFinding] = []
        for asset in manifest.assets where asset.role.isVideo {
            guard let source = asset.source, let recorded = asset.verification, !skipping.contains(source.path) else { continue }
            do {
                let reported = asset.reportedDurationUs
                let now = try await catalog.store.withLocalFile(relativePath: source.path) { url in
                    try await MediaEngine.verify(url.path, reportedUs: reported)
                }
                if now.verdict.rawValue != recorded.verdict || now.frames != recorded.frames || now.decodeErrors != recorded.decodeErrors {
                    findings.append(VerifyFinding(
                        kind: "decodeMismatch", taskId: id.rawValue, path: source.path,
                        detail: "decodes as \(now.verdict.rawValue) (\(now.frames) frames, \(now.decodeErrors) decode errors); "
                            + "the manifest says \(recorded.verdict) (\(recorded.frames) frames, \(recorded.decodeErrors) decode errors)"))
                }
            } catch {
                findings.append(VerifyFinding(kind: "decodeMismatch", taskId: id.rawValue, path: source.path, detail: "does not decode: \(error)"))
            }
        }
        return findings
    }
}

/// One finding of `reel verify`: a fixity problem, or a source that no longer decodes as recorded.
/// Printed with the keys of ``FixityProblem``: `kind`, `taskId`, `path`, `detail`.
struct VerifyFinding: Encodable, CustomStringConvertible {
    var kind: String
    var taskId: String?
    var path: String
    var detail: String

    init(kind: String, taskId: String?, path: String, detail: String) {
        self.kind = kind
        self.taskId = taskId
        self.path = path
        self.detail = detail
    }

    init(_ problem: FixityProblem) {
        self.init(kind: problem.kind.rawValue, taskId: problem.taskId, path: problem.path, detail: problem.detail)
    }

    /// The human line: the path and the detail can quote untracked file names and upstream text, so both are escaped.
    var description: String { "\(kind) \(SafeText.escape(path, limit: 1024)): \(SafeText.escape(detail, limit: 1024))" }

    private enum CodingKeys: String, CodingKey { case kind, taskId, path, detail }

    /// Every key is written, `null` when absent.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(taskId, forKey: .taskId)
        try c.encode(path, forKey: .path)
        try c.encode(detail, forKey: .detail)
    }
}

/// `verify: 12/40 tasks` on a terminal (redrawn at most every 0.2 s, cleared at the end), a line every 10 s otherwise.
final class VerifyProgress: @unchecked Sendable {
    private let total: Int
    private let terminal = Output.stderrIsTerminal
    private var last = ContinuousClock.now
    private var shown = false

    init(total: Int) { self.total = total }

    func show(done: Int) {
        let now = ContinuousClock.now
        guard total > 1, now - last >= (terminal ? .milliseconds(200) : .seconds(10)) || done == 0 else { return }
        last = now
        let text = "verify: \(done)/\(total) tasks"
        if terminal {
            Output.write(Data("\r\(text)\u{1B}[K".utf8), to: .standardError)
            shown = true
        } else if done > 0 {
            Output.error(text)
        }
    }

    func finish() {
        if shown { Output.write(Data("\r\u{1B}[K".utf8), to: .standardError) }
    }
}
