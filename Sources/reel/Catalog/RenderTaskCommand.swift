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
        discussion: "reel render TASK --script N --role export --preset 480p[,...]   or   reel render --all --preset P")

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
    @OptionGroup var output: JSONFlag

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
        let targets = ids ?? catalog.allTaskIDs()
        let printer = EventPrinter(quiet: false)
        let renderer = Renderer(catalog: catalog, encoder: EncoderSettings(preset: x264Preset, crf: crf),
                                logger: CLILogging.logger("reelvault.render"), events: printer.sink)
        var worst = ArchiveStatus.ok
        var documents: [TaskManifest] = []
        for id in targets {
            do {
                let (manifest, status) = try await renderer.render(taskId: id, scriptId: script, role: role.flatMap(AssetRole.init(rawValue:)),
                                                                   presets: presets, force: force)
                documents.append(manifest)
                worst = max(worst, status)
            } catch let error as PipelineError where all && error.code == "not_found" {
                // `--all` works what is there: a task directory without a manifest (a query that failed) or
                // without an asset matching --script/--role is nothing to render, not a failure.
                continue
            } catch {
                Output.error("\(id): \(SafeText.escape("\(error)", limit: 1024))")
                worst = max(worst, .attention)
            }
        }
        if output.json {
            if !all, documents.count == 1 { try Output.json(documents[0]) } else { try Output.json(documents) }
        } else {
            for d in documents {
                for a in d.assets where !a.renditions.isEmpty {
                    Output.line("\(SafeText.escape(d.taskId)) script \(a.scriptId) \(a.role.rawValue): \(SafeText.escape(a.renditions.map(\.preset).joined(separator: ", ")))")
                }
            }
        }
        if worst != .ok { throw ReelExit(code: worst.rawValue, message: "") }
    }
}
