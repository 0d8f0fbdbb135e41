import Catalog
import Foundation

/// The one writer of a task's manifest during a run: items update it concurrently, every change is saved
/// atomically (a checkpoint that a crash leaves behind for the rerun).
actor ManifestBook {
    private let catalog: Catalog
    private(set) var manifest: TaskManifest

    init(catalog: Catalog, manifest: TaskManifest) {
        self.catalog = catalog
        self.manifest = manifest
    }

    /// Applies a change and saves the manifest (and the index entry) atomically.
    func update(_ change: (inout TaskManifest) -> Void) throws {
        change(&manifest)
        manifest.updatedAt = Date()
        try catalog.save(manifest)
    }

    func asset(scriptId: Int, role: AssetRole) -> AssetRecord? {
        manifest.asset(scriptId: scriptId, role: role)
    }

    func upsert(_ asset: AssetRecord) throws {
        try update { $0.upsert(asset) }
    }
}
