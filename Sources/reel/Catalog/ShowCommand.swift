import ArgumentParser
import Catalog
import Foundation

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one archived task (a path lookup, no scan).")

    @Argument(help: "Task id.") var task: String
    @OptionGroup var storage: StorageOptions
    @OptionGroup var output: JSONFlag

    func run() async throws {
        let id = try validTaskIDs([task])[0]
        // A path lookup: the index is not opened (nor created) for one task.
        guard let manifest = try Catalog.manifest(root: storage.root, for: id) else {
            throw ReelExit(code: ReelExit.attention, message: "error: task \(id) is not in the catalog at \(storage.root.path); archive it with: reel archive \(id)")
        }
        if output.json {
            try Output.json(manifest)
            return
        }
        Output.line("\(manifest.taskId)  kind \(manifest.kind)  upstream \(manifest.status ?? "unknown")\(manifest.errorMsg.map { "  (\($0))" } ?? "")")
        for a in manifest.assets {
            var line = "  script \(a.scriptId) \(a.role.rawValue): \(a.state.rawValue)"
            if let v = a.verification {
                line += "  \(v.verdict): measured \(seconds(v.measuredDurationUs)), reported \(seconds(a.reportedDurationUs))"
            }
            if let e = a.error { line += "  [\(e.code)] \(e.message)" }
            Output.line(line)
            if let s = a.source { Output.line("    source     \(s.path)  \(s.bytes) bytes  sha256 \(s.sha256)") }
            if let p = a.poster { Output.line("    poster     \(p.path)  \(p.width)x\(p.height)") }
            for r in a.renditions {
                let name = r.preset.count < 10 ? r.preset.padding(toLength: 10, withPad: " ", startingAt: 0) : r.preset
                Output.line("    \(name) \(r.path)  \(r.width)x\(r.height)  \(r.bytes) bytes")
            }
            for s in a.skippedPresets { Output.line("    skipped \(s.preset): \(s.reason)") }
        }
    }
}

struct LsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls", abstract: "List archived tasks from the index (no manifest is parsed).")

    @Option(name: .long, help: "Only tasks with this script id.") var script: Int?
    @Option(name: .long, help: "Only tasks with an asset of this verdict (match, mismatch, unreported, undecodable).") var verdict: String?
    @Option(name: .long, help: "Only tasks with an asset in this state (pending, archived, failed, absent).") var state: String?
    @Option(name: .long, help: "At most this many tasks.") var limit: Int?
    @OptionGroup var storage: StorageOptions
    @OptionGroup var output: JSONFlag

    func validate() throws {
        if let verdict, !["match", "mismatch", "unreported", "undecodable"].contains(verdict) {
            throw ValidationError("--verdict must be one of match, mismatch, unreported, undecodable")
        }
        if let state, AssetState(rawValue: state) == nil {
            throw ValidationError("--state must be one of \(AssetState.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let limit, limit < 0 { throw ValidationError("--limit must be 0 or more") }
    }

    func run() async throws {
        // Listing reads: a root that does not exist (nothing archived yet, or a mistyped --storage) is not created.
        guard FileManager.default.fileExists(atPath: storage.root.path) else {
            Output.error("note: no catalog at \(storage.root.path) yet (nothing archived there); check --storage / REEL_STORAGE")
            if output.json { try Output.json([TaskSummary]()) }
            return
        }
        let catalog = try storage.openCatalog()
        let tasks = try catalog.list(filter: TaskFilter(scriptId: script, verdict: verdict, state: state, limit: limit))
        if output.json {
            try Output.json(tasks)
        } else {
            for t in tasks {
                Output.line("\(t.taskId)  \(t.status ?? "-")  \(t.archivedCount)/\(t.assetCount) archived  \(t.verdicts.joined(separator: ","))")
            }
        }
    }
}

struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex", abstract: "Rebuild the catalog index from the manifests.")
    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let count = try storage.openCatalog().reindex()
        Output.line("indexed \(count) task(s)")
    }
}
