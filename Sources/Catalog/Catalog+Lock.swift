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
    /// index); on a remote store the manifest is written again first, naming this holder (the claim that fences a former
    /// one). The staging area is emptied again when `body` ends. The lock is released when `body` returns or throws.
    /// Cancellation while waiting throws
    /// `CancellationError`. A read-only catalog throws ``CatalogError/readOnly``: the lock guards changes.
    public func withTaskLock<T>(
        _ id: TaskID,
        timeout: Duration? = nil,
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try requireWriteAccess()
        return try await locks.withLock(id, layout: layout, timeout: timeout, isolation: isolation) {
            let remote = store.localManifestURL(of: id) == nil
            return try await ManifestVersions.$current.withValue(ManifestVersions(holder: remote ? Self.holder() : nil)) {
                try cleanLeftovers(id)
                if remote {
                    // The new holder's first write: the manifest again, naming this holder, conditional on the version
                    // just read (a read that fails stops here: without it there is no claim). Its version changes, so a
                    // former holder that was paused past its lease (and still holds the older version) is refused when
                    // it writes again. The save refreshes the index entry too. An flock cannot be lost: a local root
                    // skips this write.
                    if let manifest = try await manifest(for: id) { try await save(manifest) }
                } else {
                    await refreshIndexEntry(id)
                }
                // The staging area belongs to this holding: emptied when it ends, whichever way.
                defer { discardStagingQuietly(id) }
                return try await body()
            }
        }
    }

    /// This lock holder, as a manifest names it (``TaskManifest/writer``): the lock's token, host, pid and a nonce, so
    /// that no two holdings write the same bytes.
    private static func holder() -> String {
        let token = TaskLockToken.current.map { "lock \($0.token) " } ?? ""
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count - 1) // not ProcessInfo.hostName, which may ask DNS
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return token + host + " pid \(getpid()) " + UUID().uuidString.prefix(8)
    }

    /// Empties the task's staging area at the end of a holding; a failure is logged (the next holder empties it).
    func discardStagingQuietly(_ id: TaskID) {
        do {
            try store.discardStaging(for: id, name: nil)
        } catch {
            logger.warning("staging not removed; the next run of the task removes it", metadata: ["task.id": "\(id)", "error": "\(error)"])
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

    /// Re-indexes task `id` from its manifest and returns it, if it has a parsable one. The index is derived data: a
    /// failure here is logged, not thrown (`reel reindex` repairs it).
    @discardableResult
    func refreshIndexEntry(_ id: TaskID) async -> TaskManifest? {
        do {
            guard let manifest = try await manifest(for: id) else { return nil }
            try await index.upsert(IndexedTask(manifest), current: reader(id))
            return manifest
        } catch {
            logger.warning("index entry not refreshed", metadata: ["task.id": "\(id)", "error": "\(error)"])
            return nil
        }
    }

    static func isManifestTemporary(_ name: String) -> Bool {
        name.hasPrefix(".manifest.json.") && name.hasSuffix(".tmp")
    }
}
