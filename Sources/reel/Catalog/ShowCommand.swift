import ArgumentParser
import Catalog
import Foundation
import ReelBasics
import TopView

struct ShowCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one archived task (a path lookup, no scan).",
        discussion: """
        Exit codes: 0 shown; 1 the task is not in the catalog; 2 an unsafe task id.

        EXAMPLES:
          reel show TASK
          reel show TASK --json
          reel show TASK --storage /srv/reel
        """)

    @Argument(help: "Task id.") var task: String
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print the task's manifest as JSON (the same document as /api/tasks/{id}).") var json = false

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        let id = try validTaskIDs([task])[0]
        let found: TaskManifest?
        if configuration.storage.store.isRemote {
            found = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { state in
                try await configuration.storage.openCatalog(.readOnly, state: state).manifest(for: id)
            }
        } else {
            // A path lookup: the index is not opened (nor created) for one task.
            found = try Catalog.manifest(root: configuration.storage.root, for: id)
        }
        guard let manifest = found else {
            throw ReelExit(code: ReelExit.attention, message: "error: task \(id) is not in the catalog at \(SafeText.escape(configuration.storage.location, limit: 1024)); archive it with: reel archive \(id)")
        }
        if json {
            try Output.json(manifest)
            return
        }
        // Human output: every stored value passes SafeText (the manifest holds upstream text: status, errorMsg,
        // error messages quoting the upstream), so no value can move the cursor, colour the terminal or fake a line.
        let safe = { (text: String) in SafeText.escape(text) }
        Output.line("\(safe(manifest.taskId))  kind \(safe(manifest.kind))  upstream \(safe(manifest.status ?? "unknown"))\(manifest.errorMsg.map { "  (\(safe($0)))" } ?? "")")
        for a in manifest.assets {
            var line = "  script \(a.scriptId) \(a.role.rawValue): \(a.state.rawValue)"
            if let v = a.verification {
                line += "  \(Output.verdict(safe(v.verdict), terminal: Output.stdoutIsTerminal)): measured \(seconds(v.measuredDurationUs)), reported \(seconds(a.reportedDurationUs))"
            }
            if let e = a.error { line += "  [\(safe(e.code))] \(safe(e.message))" }
            Output.line(line)
            if let s = a.source { Output.line("    source     \(safe(s.path))  \(mebibytes(s.bytes))  sha256 \(safe(s.sha256))") }
            if let w = a.width, let h = a.height { Output.line("    image      \(w)x\(h)\(a.format.map { " \(safe($0))" } ?? "")") }
            if let raw = a.reportedDurationRaw { Output.line("    reported   duration \(safe(raw)) (unit not documented; not checked)") }
            if let failure = a.verification?.audioFailure { Output.line("    audio      not decoded: \(safe(failure))") }
            if let warning = a.verification?.desyncWarning { Output.line("    warning    \(warning) (beyond the tolerance)") }
            if let p = a.poster { Output.line("    poster     \(safe(p.path))  \(p.width)x\(p.height)") }
            for r in a.renditions {
                let preset = safe(r.preset)
                let name = preset.count < 10 ? preset.padding(toLength: 10, withPad: " ", startingAt: 0) : preset
                Output.line("    \(name) \(safe(r.path))  \(r.width)x\(r.height)  \(mebibytes(r.bytes))")
            }
            for s in a.skippedPresets { Output.line("    skipped \(safe(s.preset)): \(safe(s.reason))") }
        }
    }
}

struct LsCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List archived tasks from the index (no manifest is parsed).",
        discussion: """
        A table, newest first: TASK, KIND, ASSETS (archived of those made upstream; an export never requested is \
        "not made upstream yet", not a gap), VERDICTS, ARCHIVED AT (when the task was first fully archived). --json \
        prints an array of task summaries: {"taskId", "kind", "status", "assetCount", "archivedCount", "failedCount", \
        "verdicts", "states", "scriptIds", "updatedAt", "archivedAt"}.
        EXAMPLES:
          reel ls --limit 20
          reel ls --kind text2image --offset 20 --limit 20
          reel ls --verdict mismatch --json
        """)

    @Option(name: .long, help: "Only tasks with this script id \(Settings.scriptId.help()).", transform: Settings.scriptId.argument) var script: Int?
    @Option(name: .long, help: "Only tasks with an asset of this verdict (match, mismatch, unreported, undecodable).") var verdict: String?
    @Option(name: .long, help: "Only tasks with an asset in this state (pending, archived, failed, absent).") var state: String?
    @Option(name: .long, help: "Only tasks of this kind (\(TaskKinds.names.joined(separator: ", "))).") var kind: String?
    @Option(name: .long, help: "At most this many tasks \(Settings.listLimit.help()).", transform: Settings.listLimit.argument) var limit: Int?
    @Option(name: .long, help: "Skip this many tasks first (default 0).") var offset: Int = 0
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print a JSON array of task summaries, newest first ({\"taskId\", \"kind\", \"assetCount\", \"verdicts\", …}; [] when none).")
    var json = false

    func validate() throws {
        if let verdict, !["match", "mismatch", "unreported", "undecodable"].contains(verdict) {
            throw ValidationError("--verdict must be one of match, mismatch, unreported, undecodable")
        }
        if offset < 0 { throw ValidationError("--offset must be 0 or more") }
        if let kind, TaskKinds.kind(named: kind) == nil {
            throw ValidationError("unknown --kind \(SafeText.escape(kind, limit: 64)); known: \(TaskKinds.names.joined(separator: ", "))")
        }
        if let state, AssetState(rawValue: state) == nil {
            throw ValidationError("--state must be one of \(AssetState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        // Listing reads: a root that does not exist (nothing archived yet, or a mistyped --storage) is not created.
        // With PostgreSQL the index is the database's, whatever the root holds.
        guard configuration.database.settings != nil || FileManager.default.fileExists(atPath: configuration.storage.root.path) else {
            Output.error("note: no catalog at \(SafeText.escape(configuration.storage.root.path, limit: 1024)) yet (nothing archived there); check --storage / REEL_STORAGE")
            if json { try Output.json([TaskSummary]()) }
            return
        }
        let filter = TaskFilter(scriptId: script, verdict: verdict, state: state, kind: kind.flatMap { TaskKinds.kind(named: $0)?.name }, limit: limit, offset: offset)
        let tasks = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { state in
            try await configuration.storage.openCatalog(.readOnly, state: state).list(filter: filter)
        }
        if json {
            try Output.json(tasks)
        } else {
            for line in Self.table(tasks) { Output.line(line) }
        }
    }

    /// A header and aligned columns: task, kind, assets (archived of those made upstream, and what else), verdicts,
    /// when first fully archived. Every value is escaped (task ids and verdicts come from the catalog, once from
    /// upstream).
    static func table(_ tasks: [TaskSummary]) -> [String] {
        let rows = tasks.map { t in
            [SafeText.escape(t.taskId, limit: 128), SafeText.escape(t.kind, limit: 32), assets(t),
             t.verdicts.isEmpty ? "-" : SafeText.escape(t.verdicts.joined(separator: ","), limit: 64),
             t.archivedAt.map(isoSeconds) ?? "-"]
        }
        let header = ["TASK", "KIND", "ASSETS", "VERDICTS", "ARCHIVED AT"]
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, value in
                column == row.count - 1 ? value : value.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    /// `2/2 archived`; `1/1 archived, 1 not made upstream yet` (an export never requested is not a gap); failures and
    /// pending ones named.
    static func assets(_ t: TaskSummary) -> String {
        let rest = t.assetCount - t.archivedCount - t.failedCount
        // The index keeps which states occur, not how many of each: the rest is absent or pending, or both.
        let absent = t.states.contains("absent") && !t.states.contains("pending") ? rest : 0
        let pending = rest - absent
        var text = "\(t.archivedCount)/\(t.assetCount - absent) archived"
        if t.failedCount > 0 { text += ", \(t.failedCount) failed" }
        if pending > 0 { text += t.states.contains("absent") ? ", \(pending) pending or not made yet" : ", \(pending) pending" }
        if absent > 0 { text += ", \(absent) not made upstream yet" }
        return text
    }
}

struct ReindexCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex", abstract: "Rebuild the catalog index from the manifests (index.sqlite, or PostgreSQL's with --database-url).",
        discussion: """
        Prints how many tasks were indexed.

        EXAMPLES:
          reel reindex
          reel reindex --database-url postgres://reel@db.internal/reel
        """)
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions

    var configurationFlags: ConfigurationFlags { ConfigurationFlags(storage: storage, database: database) }

    func run(_ configuration: ReelConfiguration) async throws {
        let count = try await SharedStateAccess.with(configuration, schema: .requireCurrent) { state in
            try await configuration.storage.openCatalog(state: state).reindex()
        }
        Output.line("indexed \(count) task(s)")
    }
}
