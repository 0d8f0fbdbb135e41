import Catalog
import Foundation
import Logging
import ReelBasics

/// The one writer of a task's manifest during a run: items update it concurrently, every change is saved
/// atomically (a checkpoint that a crash leaves behind for the rerun). Saves (fsyncs and the index's SQLite write)
/// run on ``BlockingPool``, one at a time and in order: each writes the manifest as it is when its turn comes, so the
/// last save holds every change.
actor ManifestBook {
    private let catalog: Catalog
    private(set) var manifest: TaskManifest
    /// A save is on the pool; later ones wait here, first come first served.
    private var saving = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(catalog: Catalog, manifest: TaskManifest) {
        self.catalog = catalog
        self.manifest = manifest
    }

    /// Applies a change and saves the manifest (and the index entry) atomically.
    func update(_ change: (inout TaskManifest) -> Void) async throws {
        change(&manifest)
        manifest.updatedAt = Date()
        while saving { await withCheckedContinuation { waiting.append($0) } }
        saving = true
        defer {
            saving = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        // A run whose job lease or task lock was lost meanwhile writes nothing: another process has the task.
        try await WriteFence.check()
        try await catalog.save(manifest)
    }

    func asset(scriptId: Int, role: AssetRole) -> AssetRecord? {
        manifest.asset(scriptId: scriptId, role: role)
    }

    func upsert(_ asset: AssetRecord) async throws {
        try await update { $0.upsert(asset) }
    }

    /// Saves `asset` where the run goes on whatever happens (the asset's outcome is known). A manifest that cannot be
    /// saved is logged, and the asset comes back with that failure as its error (when it has none of its own), so
    /// that the task's outcome needs attention instead of reporting work the catalog does not record.
    func save(_ asset: AssetRecord, logger: Logger) async -> AssetRecord {
        do {
            try await upsert(asset)
            return asset
        } catch {
            logger.error("manifest not saved", metadata: [
                "task.id": "\(manifest.taskId)", "asset.script_id": "\(asset.scriptId)", "asset.role": "\(asset.role.rawValue)",
                "error": "\(error)",
            ])
            var asset = asset
            if asset.error == nil {
                asset.error = AssetError(code: AssetArchiver.errorCode(error), message: "the manifest was not saved: \(error)")
            }
            return asset
        }
    }
}
