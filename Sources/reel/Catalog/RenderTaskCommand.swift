import ArgumentParser
import Catalog
import Foundation
import ReelBasics
import Media
import Pipeline

struct RenderTaskCommand: ConfiguredCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Add derivative renditions to archived tasks (e.g. after a ladder change).",
        discussion: """
        One line per preset of each asset: `created`, `already present` (--force redoes it) or `skipped: <reason>` \
        (a preset that would upscale the source is never made). Exit codes: 0 every requested preset now exists or was \
        skipped by the no-upscale rule; 1 a render failed; 2 usage. --json prints the task's `reel show --json` \
        document (an array with --all), each with `renders`: [{"scriptId", "role", "preset", "result" \
        (created|already present|skipped|failed), "reason"}].
        EXAMPLES:
          reel render TASK --script 0 --role export --preset 480p,720p
          reel render TASK --role video --preset 240p --force
          reel render --all --preset 1x1-720p-crop
        """)

    @Argument(help: "Task id (or --all).") var task: String?
    @Flag(name: .long, help: "Every task in the catalog.") var all = false
    @Option(name: .long, help: "Only this script id \(Settings.scriptId.help()).", transform: Settings.scriptId.argument) var script: Int?
    @Option(name: .long, help: "Only this role (preview, export, or video for the other video kinds).") var role: String?
    @Option(name: .long, help: "Comma-separated presets.") var preset: String
    @Flag(name: .long, help: "Redo presets that already exist.") var force = false
    @Option(name: .long, help: "libx264 CRF \(Settings.crf.help(default: "23")).", transform: Settings.crf.argument) var crf: Int = 23
    @Option(name: .customLong("x264-preset"), help: "libx264 preset.") var x264Preset: String = "veryfast"
    @OptionGroup var storage: StorageOptions
    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print the task's `reel show --json` document with `renders` (each preset's result); an array with --all.")
    var json = false

    func validate() throws {
        if all == (task != nil) { throw ValidationError("give either a task id or --all") }
        if let role, AssetRole(rawValue: role)?.isVideo != true { throw ValidationError("--role must be preview, export or video") }
        if !RenderCommand.x264Presets.contains(x264Preset) { throw ValidationError("unknown --x264-preset \(SafeText.escape(x264Preset, limit: 64))") }
    }

    /// `--preset` is required here, so the ladder is always the flag's (checked as `REEL_LADDER` would be).
    var configurationFlags: ConfigurationFlags {
        var ladder = LadderOptions()
        ladder.preset = preset
        return ConfigurationFlags(storage: storage, ladder: ladder, database: database)
    }

    func run(_ configuration: ReelConfiguration) async throws {
        let ids = try task.map { try validTaskIDs([$0]) }
        // With REEL_DATABASE_URL, the task locks are the deployment's.
        try await SharedStateAccess.with(configuration, schema: .requireCurrent) { state in
            try await render(ids, configuration, catalog: try configuration.storage.openCatalog(state: state))
        }
    }

    private func render(_ ids: [TaskID]?, _ configuration: ReelConfiguration, catalog: Catalog) async throws {
        let presets = configuration.archive.presets
        let targets = if let ids { ids } else { try await catalog.allTaskIDs() }
        let printer = EventPrinter(quiet: false)
        let renderer = Renderer(catalog: catalog, encoder: EncoderSettings(preset: x264Preset, crf: crf),
                                logger: CLILogging.logger("reelvault.render"), events: printer.sink)
        var worst = ArchiveStatus.ok
        var documents: [RenderDocument] = []
        for id in targets {
            do {
                let (manifest, status, outcomes) = try await renderer.render(taskId: id, scriptId: script, role: role.flatMap(AssetRole.init(rawValue:)),
                                                                             presets: presets, force: force)
                documents.append(RenderDocument(manifest: manifest, renders: outcomes))
                worst = max(worst, status)
            } catch let error as PipelineError where all && error.code == "not_found" {
                // `--all` works what is there: a task directory without a manifest (a query that failed) or
                // without an asset matching --script/--role is nothing to render, not a failure.
                continue
            } catch {
                Output.error("error: \(id): \(SafeText.escape("\(error)", limit: 1024))")
                worst = max(worst, .attention)
            }
        }
        if json {
            if !all, documents.count == 1 { try Output.json(documents[0]) } else { try Output.json(documents) }
        } else {
            for outcome in documents.flatMap(\.renders) { Output.line(Self.line(outcome)) }
        }
        if worst != .ok { throw ReelExit(code: worst.rawValue, message: "") }
    }

    /// `TASK script 0 export 480p: created`, `… 1080p skipped: would upscale 360×640 (…)`.
    static func line(_ o: PresetOutcome) -> String {
        let what = "\(SafeText.escape(o.taskId)) script \(o.scriptId) \(o.role) \(SafeText.escape(o.preset, limit: 64))"
        switch o.result {
        case .created, .alreadyPresent: return "\(what): \(o.result.rawValue)"
        case .skipped: return "\(what) skipped: \(SafeText.escape(o.reason ?? "", limit: 300))"
        case .failed: return "\(what): failed: \(SafeText.escape(o.reason ?? "", limit: 1024))"
        }
    }
}

/// `reel render --json`: the task's `reel show --json` document with what became of each preset.
struct RenderDocument: Encodable {
    let manifest: TaskManifest
    let renders: [PresetOutcome]

    private enum CodingKeys: String, CodingKey { case renders }

    func encode(to encoder: any Encoder) throws {
        try manifest.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(renders.map(Row.init), forKey: .renders)
    }

    /// One preset's outcome without the task id (the document's).
    struct Row: Encodable {
        let scriptId: Int
        let role: String
        let preset: String
        let result: String
        let reason: String?
        init(_ o: PresetOutcome) { (scriptId, role, preset, result, reason) = (o.scriptId, o.role, o.preset, o.result.rawValue, o.reason) }
        private enum CodingKeys: String, CodingKey { case scriptId, role, preset, result, reason }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(scriptId, forKey: .scriptId)
            try c.encode(role, forKey: .role)
            try c.encode(preset, forKey: .preset)
            try c.encode(result, forKey: .result)
            try c.encode(reason, forKey: .reason)
        }
    }
}
