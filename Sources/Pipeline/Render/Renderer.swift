import Catalog
import Foundation
import Logging
import Media
import ReelBasics

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
    /// Presets already present with their file intact are kept; `force` redoes them.
    public func render(taskId id: TaskID, scriptId: Int?, role: AssetRole?, presets: [RenditionPreset], force: Bool = false) async throws -> (TaskManifest, ArchiveStatus) {
        // Checked before the lock too, so that rendering an unknown task leaves no directory behind.
        guard try catalog.manifest(for: id) != nil else { throw Self.notInCatalog(id) }
        return try await catalog.withTaskLock(id) {
            guard var manifest = try catalog.manifest(for: id) else {
                throw Self.notInCatalog(id)
            }
            let targets = manifest.assets.filter { a in
                a.role.isVideo && a.source != nil && a.state == .archived && (scriptId == nil || a.scriptId == scriptId) && (role == nil || a.role == role)
            }
            if targets.isEmpty, scriptId != nil || role != nil {
                throw PipelineError(code: "not_found", message: "task \(id) has no archived asset matching script \(scriptId.map(String.init) ?? "any") role \(role?.rawValue ?? "any")")
            }
            var status = ArchiveStatus.ok
            for var asset in targets {
                let wanted = force ? presets : await missing(presets, of: asset)
                guard !wanted.isEmpty, let source = asset.source else { continue }
                events(.stage(task: id.rawValue, scriptId: asset.scriptId, role: asset.role.rawValue, stage: "render"))
                do {
                    asset = try await renderAsset(asset, source: source, presets: wanted, id: id)
                } catch {
                    logger.error("render failed", metadata: ["task.id": "\(id)", "asset.script_id": "\(asset.scriptId)", "error": "\(error)"])
                    status = .attention
                    continue
                }
                manifest.upsert(asset)
                manifest.updatedAt = Date()
                try await WriteFence.check() // the task lock may have been lost (a paused process)
                try await catalog.save(manifest)
            }
            return (manifest, status)
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

    private func renderAsset(_ start: AssetRecord, source: FileRecord, presets: [RenditionPreset], id: TaskID) async throws -> AssetRecord {
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
        return asset
    }
}
