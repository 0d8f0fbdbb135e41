import DurableFiles
import Foundation

extension Catalog {
    /// Runs `body` holding the exclusive lock of task `id`, shared with every process of the deployment (``locks``:
    /// an flock(2) on `tasks/<shard>/<id>/.lock` on one machine, which a crashed holder releases; a lease row in a
    /// shared database, which a paused holder loses when it expires).
    ///
    /// Waiting never blocks a thread of the cooperative pool, until `timeout` (forever if `nil`; then
    /// ``CatalogError/lockTimeout``). Once held, the task's `.staging/` directory and leftover manifest temporary files
    /// are emptied (they can only belong to an earlier run that crashed or lost the lock), and the task's index entry
    /// is refreshed from its manifest (an earlier run may have died between renaming the manifest and updating the
    /// index). The lock is released when `body` returns or throws. Cancellation while waiting throws
    /// `CancellationError`. A read-only catalog throws ``CatalogError/readOnly``: the lock guards changes.
    public func withTaskLock<T>(
        _ id: TaskID,
        timeout: Duration? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try requireWriteAccess()
        return try await locks.withLock(id, layout: layout, timeout: timeout, isolation: isolation) {
            try cleanLeftovers(id)
            await refreshIndexEntry(id)
            return try await body()
        }
    }

    /// Empties the task's staging area (``AssetStore/discardStaging(for:name:)``) and removes its `.manifest.json.*.tmp`
    /// files. Call only with its lock held.
    func cleanLeftovers(_ id: TaskID) throws {
        let leftovers = try store.discardStaging(for: id, name: nil)
        let directory = layout.taskDirectory(id)
        let temporaries = FileIO.list(directory.path).filter(Self.isManifestTemporary)
        for name in temporaries {
            try fileIO { () throws(FileError) in try FileIO.removeFile(directory.appendingPathComponent(name).path) }
        }
        if leftovers > 0 || !temporaries.isEmpty {
            logger.notice("removed leftovers of an interrupted run", metadata: [
                "task.id": "\(id)", "catalog.leftovers": "\(leftovers + temporaries.count)",
            ])
        }
    }

    /// Re-indexes task `id` from its manifest on disk, if it has a parsable one. The index is derived
    /// data: a failure here is logged, not thrown (`reel reindex` repairs it).
    func refreshIndexEntry(_ id: TaskID) async {
        let url = layout.manifestURL(id)
        do {
            guard let manifest = try ManifestFile.load(url, id: id) else { return }
            try await index.upsert(IndexedTask(manifest), current: Self.reader(url, id: id))
        } catch {
            logger.warning("index entry not refreshed", metadata: ["task.id": "\(id)", "error": "\(error)"])
        }
    }

    static func isManifestTemporary(_ name: String) -> Bool {
        name.hasPrefix(".manifest.json.") && name.hasSuffix(".tmp")
    }
}
