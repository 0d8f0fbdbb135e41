import Catalog
import Foundation
import Logging
import Media

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
                a.source != nil && a.state == .archived && (scriptId == nil || a.scriptId == scriptId) && (role == nil || a.role == role)
            }
            if targets.isEmpty, scriptId != nil || role != nil {
                throw PipelineError(code: "not_found", message: "task \(id) has no archived asset matching script \(scriptId.map(String.init) ?? "any") role \(role?.rawValue ?? "any")")
            }
            var status = ArchiveStatus.ok
            for var asset in targets {
                let wanted = presets.filter { p in
                    force || !asset.renditions.contains { $0.preset == p.name && catalog.store.size(relativePath: $0.path) == $0.bytes }
                }
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
                try catalog.save(manifest)
            }
            return (manifest, status)
        }
    }

    private static func notInCatalog(_ id: TaskID) -> PipelineError {
        PipelineError(code: "not_found", message: "task \(id) is not in the catalog; run reel archive \(id) first")
    }

    private func renderAsset(_ start: AssetRecord, source: FileRecord, presets: [RenditionPreset], id: TaskID) async throws -> AssetRecord {
        var asset = start
        let sourceURL = try catalog.layout.absoluteURL(relative: source.path)
        let staging = catalog.layout.stagingDirectory(id).appendingPathComponent("render-\(asset.scriptId)-\(asset.role.rawValue)")
        defer { try? FileManager.default.removeItem(at: staging) }
        try DiskSpace.require(bytes: source.bytes * 2 + (64 << 20), at: catalog.root, for: "renditions")
        let events = self.events, sid = asset.scriptId, role = asset.role.rawValue
        let report = try await MediaEngine.process(sourceURL.path, PassRequest(presets: presets, renditionDirectory: staging.path, encoder: encoder)) { f in
            events(.progress(task: id.rawValue, scriptId: sid, role: role, stage: "render", fraction: f))
        }
        for r in report.renditions {
            let relative = try catalog.layout.assetPath(id, scriptId: asset.scriptId, role: asset.role, .rendition(preset: r.preset))
            let staged = URL(fileURLWithPath: r.path)
            let digest = try sha256(ofFileAt: staged)
            try catalog.store.commit(staged: staged, to: relative)
            asset.renditions.removeAll { $0.preset == r.preset }
            asset.renditions.append(RenditionRecord(preset: r.preset, path: relative, width: r.width, height: r.height,
                                                    bytes: r.bytes, sha256: digest, durationUs: r.durationUs))
        }
        for s in report.skipped where !asset.skippedPresets.contains(where: { $0.preset == s.preset }) {
            asset.skippedPresets.append(SkippedPreset(preset: s.preset, reason: s.reason))
        }
        return asset
    }
}
