import Catalog
import Foundation
import Logging
import Media
import ReelBasics

/// What became of one requested preset of one asset (`reel render` prints one line each).
public struct PresetOutcome: Sendable, Codable, Equatable {
    public enum Result: String, Sendable, Codable {
        /// Written now.
        case created
        /// Kept: its file is recorded and whole (`--force` redoes it).
        case alreadyPresent = "already present"
        /// Not written by the no-upscale rule (the reason says the source's size).
        case skipped
        /// The render of the asset failed (the reason says why).
        case failed
    }

    public var taskId: String
    public var scriptId: Int
    public var role: String
    public var preset: String
    public var result: Result
    public var reason: String?
}

/// Derivative renditions from archived sources (`reel render`): how a changed ladder reaches old tasks.
public struct Renderer: Sendable {
    public let catalog: Catalog
    public let encoder: EncoderSettings
    public let logger: Logger
    public let events: @Sendable (ArchiveEvent) -> Void

    public init(catalog: Catalog, encoder: EncoderSettings = .init(), logger: Logger, events: @escaping @Sendable (ArchiveEvent) -> Void = { _ in }) {
        self.catalog = catalog
        self.encoder = encoder
        self.logger = logger
        self.events = events
    }

    /// Adds `presets` to the archived assets of a task (all of them, or the one `scriptId`/`role` names).
    /// Presets already present with their file intact are kept; `force` redoes them. Returns the manifest, `.attention`
    /// when a render failed, and what became of each preset of each asset.
    public func render(taskId id: TaskID, scriptId: Int?, role: AssetRole?, presets: [RenditionPreset],
                       force: Bool = false) async throws -> (TaskManifest, ArchiveStatus, [PresetOutcome]) {
        // Checked before the lock too, so that rendering an unknown task leaves no directory behind.
        guard try await catalog.manifest(for: id) != nil else { throw Self.notInCatalog(id) }
        return try await catalog.withTaskLock(id) {
            guard var manifest = try await catalog.manifest(for: id) else {
                throw Self.notInCatalog(id)
            }
            let targets = manifest.assets.filter { a in
                a.role.isVideo && a.source != nil && a.state == .archived && (scriptId == nil || a.scriptId == scriptId) && (role == nil || a.role == role)
            }
            if targets.isEmpty, scriptId != nil || role != nil {
                throw PipelineError(code: "not_found", message: "task \(id) has no archived asset matching script \(scriptId.map(String.init) ?? "any") role \(role?.rawValue ?? "any")")
            }
            var status = ArchiveStatus.ok
            var outcomes: [PresetOutcome] = []
            for var asset in targets {
                let wanted = force ? presets : await missing(presets, of: asset)
                let outcome = { (preset: String, result: PresetOutcome.Result, reason: String?) in
                    PresetOutcome(taskId: id.rawValue, scriptId: asset.scriptId, role: asset.role.rawValue, preset: preset,
                                  result: result, reason: reason)
                }
                outcomes += presets.filter { p in !wanted.contains { $0.name == p.name } }.map { outcome($0.name, .alreadyPresent, nil) }
                guard !wanted.isEmpty, let source = asset.source else { continue }
                events(.stage(task: id.rawValue, scriptId: asset.scriptId, role: asset.role.rawValue, stage: "render"))
                let report: PassReport
                do {
                    (asset, report) = try await renderAsset(asset, source: source, presets: wanted, id: id)
                } catch {
                    logger.error("render failed", metadata: ["task.id": "\(id)", "asset.script_id": "\(asset.scriptId)", "error": "\(error)"])
                    status = .attention
                    outcomes += wanted.map { outcome($0.name, .failed, "\(error)") }
                    continue
                }
                for preset in wanted {
                    if let skipped = report.skipped.first(where: { $0.preset == preset.name }) {
                        outcomes.append(outcome(preset.name, .skipped, skipped.reason))
                    } else if report.renditions.contains(where: { $0.preset == preset.name }) {
                        outcomes.append(outcome(preset.name, .created, nil))
                    } else {
                        status = .attention
                        outcomes.append(outcome(preset.name, .failed, "the pass wrote no \(preset.name) rendition"))
                    }
                }
                manifest.upsert(asset)
                manifest.updatedAt = Date()
                try await WriteFence.check() // the task lock may have been lost (a paused process)
                try await catalog.save(manifest)
            }
            return (manifest, status, outcomes)
        }
    }

    private static func notInCatalog(_ id: TaskID) -> PipelineError {
        PipelineError(code: "not_found", message: "task \(id) is not in the catalog; run reel archive \(id) first")
    }

    /// The presets of `presets` that `asset` has no intact rendition of (recorded, and in the store at its size).
    private func missing(_ presets: [RenditionPreset], of asset: AssetRecord) async -> [RenditionPreset] {
        var missing: [RenditionPreset] = []
        for preset in presets {
            let kept = asset.renditions.first { $0.preset == preset.name }
            if let kept, (try? await catalog.store.size(relativePath: kept.path)) == kept.bytes { continue }
            missing.append(preset)
        }
        return missing
    }

    private func renderAsset(_ start: AssetRecord, source: FileRecord, presets: [RenditionPreset], id: TaskID) async throws -> (AssetRecord, PassReport) {
        var asset = start
        let store = catalog.store
        let stagingName = "render-\(asset.scriptId)-\(asset.role.rawValue)"
        let staging = try store.stagingDirectory(for: id, name: stagingName)
        defer {
            do { try store.discardStaging(for: id, name: stagingName) } catch {
                logger.warning("staging not removed; the next run of the task removes it", metadata: ["task.id": "\(id)", "error": "\(error)"])
            }
        }
        try DiskSpace.require(bytes: source.bytes * 2 + (64 << 20), at: catalog.root, for: "renditions")
        let events = self.events, sid = asset.scriptId, role = asset.role.rawValue, encoder = self.encoder
        let report = try await store.withLocalFile(relativePath: source.path) { sourceURL in
            try await MediaEngine.process(sourceURL.path, PassRequest(presets: presets, renditionDirectory: staging.path, encoder: encoder)) { f in
                events(.progress(task: id.rawValue, scriptId: sid, role: role, stage: "render", fraction: f))
            }
        }
        for r in report.renditions {
            let relative = try catalog.layout.assetPath(id, scriptId: asset.scriptId, role: asset.role, .rendition(preset: r.preset))
            let record = try await store.commitRendition(r, to: relative)
            asset.renditions.removeAll { $0.preset == r.preset }
            asset.renditions.append(record)
        }
        for s in report.skipped where !asset.skippedPresets.contains(where: { $0.preset == s.preset }) {
            asset.skippedPresets.append(SkippedPreset(preset: s.preset, reason: s.reason))
        }
        return (asset, report)
    }
}
