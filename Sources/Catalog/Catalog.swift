import DurableFiles
import Foundation
import Logging
import ReelBasics

/// The filesystem catalog of archived tasks: manifests (the truth), asset files, and a derived index.
///
/// See ``CatalogLayout`` for where everything lives. Finding a task is a path lookup; listing and
/// filtering read only the index; saving writes the manifest atomically, then updates the index.
/// Several processes may share a root: take ``withTaskLock(_:timeout:isolation:_:)`` around any
/// read-modify-write of one task. A catalog opened ``Access/readOnly`` (a mounted backup) reads only.
/// Errors are ``CatalogError``s.
public struct Catalog: Sendable {
    /// A `manifest.json` larger than this is refused unread.
    public static let maximumManifestBytes: Int64 = 16 << 20

    public let layout: CatalogLayout
    /// Where asset files are staged and committed.
    public let store: any AssetStore
    /// Whether this catalog may change anything on disk.
    public let access: Access
    /// Who may change a task (``withTaskLock(_:timeout:isolation:_:)``): ``FileTaskLocks`` unless a deployment gives
    /// shared ones.
    public let locks: any TaskLocks
    /// What listing reads: `index.sqlite` under the root unless a deployment gives a shared one.
    public let index: any CatalogIndexStore
    /// Called for each manifest write refused by its precondition (``ManifestConflict``): `reel serve` counts them.
    public var onFencedWrite: (@Sendable () -> Void)?
    let logger: Logger

    /// Opens the catalog at `root`.
    ///
    /// `.readWrite` (the default) creates its directories, and its index if it is missing or outdated (which reads
    /// every manifest once); opening may wait for another process that is rebuilding the index. A root on a
    /// read-only medium, or not writable, throws ``CatalogError/readOnly`` naming it.
    ///
    /// `.readOnly` (listing, showing and verifying a mounted backup) creates and changes nothing: the root must
    /// exist, the index is opened read-only (or built in memory from the manifests when it cannot be; see
    /// ``CatalogIndex/openReadOnly(url:lockURL:logger:scan:)``), and every change throws ``CatalogError/readOnly``.
    ///
    /// `store` keeps the asset files; `nil` (the default) is the ``LocalAssetStore`` under `root`. `locks` are the task
    /// locks; `nil` (the default) is ``FileTaskLocks``. `index` is the index; `nil` (the default) is `index.sqlite`
    /// under `root` (a shared index is neither opened nor built here: ``reindex()`` fills it).
    public init(root: URL = CatalogLayout.defaultRoot, access: Access = .readWrite, store: (any AssetStore)? = nil,
                locks: (any TaskLocks)? = nil, index: (any CatalogIndexStore)? = nil,
                logger: Logger = Logger(label: "reelvault.catalog")) throws {
        let requested = CatalogLayout(root: root)
        switch access {
        case .readWrite:
            try Self.requireWritable(requested.root)
            try fileIO { () throws(FileError) in try FileIO.createDirectories(requested.tasksDirectory) }
        case .readOnly:
            guard FileIO.isDirectory(requested.root.path) else {
                throw CatalogError.io("open the catalog", requested.root.path, errno: ENOENT)
            }
        }
        let resolved = FileIO.realPath(requested.root.path).map { URL(fileURLWithPath: $0, isDirectory: true) }
        let layout = CatalogLayout(root: resolved ?? requested.root)
        self.layout = layout
        self.access = access
        self.store = store ?? LocalAssetStore(layout: layout)
        self.locks = locks ?? FileTaskLocks()
        self.logger = logger
        if let index {
            self.index = index
            return
        }
        let lockURL = layout.root.appendingPathComponent(".index.lock")
        let scan = Self.manifestScan(layout, logger: logger)
        self.index = access == .readOnly
            ? try CatalogIndex.openReadOnly(url: layout.indexURL, lockURL: lockURL, logger: logger, scan: scan)
            : try CatalogIndex(url: layout.indexURL, lockURL: lockURL, logger: logger, scan: scan)
    }

    public var root: URL { layout.root }

    /// The manifest of task `id`, `nil` if the catalog has none: one small read (a file, an object), no scan.
    /// Throws ``CatalogError/unparsableManifest`` if it exists but does not decode. Inside
    /// ``withTaskLock(_:timeout:isolation:_:)``, the version read is what the next ``save(_:)`` requires.
    public func manifest(for id: TaskID) async throws -> TaskManifest? {
        guard let stored = try await store.readManifest(of: id) else {
            ManifestVersions.current?.record(id, version: nil)
            return nil
        }
        let manifest = try ManifestFile.decode(stored.data, id: id, source: manifestName(id))
        if let versions = ManifestVersions.current {
            // A holder that claimed the task and now reads another's claim lost it (paused past its lease): it must not
            // take that version as its own and write over the new holder's work.
            if versions.isTakenOver(id, writer: manifest.writer) {
                onFencedWrite?()
                throw ManifestConflict(taskId: id.rawValue, precondition: .none)
            }
            versions.record(id, version: stored.version)
        }
        return manifest
    }

    /// Where task `id`'s manifest is, for messages: its path, or its key in an object store.
    func manifestName(_ id: TaskID) -> String {
        store.localManifestURL(of: id)?.path ?? CatalogLayout.taskPath(id) + "/manifest.json"
    }

    /// Writes `manifest` atomically (a local file: temporary file in the task directory, fsync, rename, fsync of the
    /// directory; an object: one PUT), then updates the index. Readers see the old manifest or the new one, never a
    /// mix. The save that first finds the task fully archived stamps ``TaskManifest/archivedAt``.
    ///
    /// Inside ``withTaskLock(_:timeout:isolation:_:)`` the write is conditional on the version this holder last read
    /// or wrote: a holder that lost the task to another process gets ``ManifestConflict`` and writes nothing. One save
    /// of a task at a time within a holding (the archive's `ManifestBook` serialises them): two at once would both name
    /// the same version, and the second would be refused.
    /// Throws ``CatalogError/unsafeTaskID`` if `manifest.taskId` is not a safe id.
    public func save(_ saved: TaskManifest) async throws {
        try requireWriteAccess()
        var manifest = saved
        if manifest.archivedAt == nil, manifest.isFullyArchived { manifest.archivedAt = manifest.updatedAt }
        let versions = ManifestVersions.current
        if let holder = versions?.holder { manifest.writer = holder }
        let id = try manifest.id()
        let data = try ManifestFile.encode(manifest)
        let version: String
        do {
            version = try await store.writeManifest(data, of: id, requiring: versions?.precondition(for: id) ?? .none)
        } catch let conflict as ManifestConflict {
            onFencedWrite?()
            logger.warning("manifest write refused: another process took the task", metadata: ["task.id": "\(id)"])
            throw conflict
        }
        versions?.recordWrite(id, version: version)
        Failpoint.hit("catalog.manifest.renamed")
        try await index.upsert(IndexedTask(manifest), current: reader(id))
        Failpoint.hit("catalog.index.upserted")
        logger.debug("manifest saved", metadata: [
            "task.id": "\(id)", "catalog.assets": "\(manifest.assets.count)",
        ])
    }

    /// Reads task `id`'s index rows from its manifest as it is now (`nil` if it cannot): a local file read again
    /// inside the index's write; nothing for a remote store, whose conditional writes already order the savers.
    func reader(_ id: TaskID) -> @Sendable () -> IndexedTask? {
        guard let url = store.localManifestURL(of: id) else { return { nil } }
        return { (try? ManifestFile.load(url, id: id)).flatMap { $0 }.map(IndexedTask.init) }
    }

    /// The tasks matching `filter`, in its order (most recently updated first by default), from the index alone (no
    /// manifest is read).
    public func list(filter: TaskFilter = .all) async throws -> [TaskSummary] {
        try await index.list(filter)
    }

    /// How many tasks match `filter` (all of them by default; its limit and offset ignored), from the index alone.
    public func count(filter: TaskFilter = .all) async throws -> Int {
        try await index.count(filter)
    }

    /// Rebuilds the index from every manifest (`reel reindex`); returns how many tasks it now holds.
    /// Unparsable manifests are skipped and logged (``verifyAll()`` reports them).
    public func reindex() async throws -> Int {
        try requireWriteAccess()
        var tasks: [IndexedTask] = []
        for id in try await allTaskIDs() {
            do {
                if let manifest = try await manifest(for: id) { tasks.append(IndexedTask(manifest)) }
            } catch let error as CatalogError where error == .unparsableManifest || error == .manifestTooLarge {
                logger.warning("manifest skipped", metadata: ["task.id": "\(id)", "error": "\(error)"])
            }
        }
        let count = try await index.replaceAll(tasks)
        logger.info("index rebuilt", metadata: ["catalog.index.tasks": "\(count)"])
        return count
    }

    /// The ids of every task in the catalog's store, sorted. A scan: for `--all` commands, not lookups.
    public func allTaskIDs() async throws -> [TaskID] {
        try await store.taskIDs()
    }

    /// Calls its argument with each parsable manifest under `tasks/*/*/`.
    static func manifestScan(_ layout: CatalogLayout, logger: Logger) -> CatalogIndex.ManifestScan {
        { body in
            for entry in layout.scanTaskDirectories() {
                guard let id = entry.id else { continue }
                do {
                    if let manifest = try ManifestFile.load(layout.manifestURL(id), id: id) {
                        try body(manifest)
                    }
                } catch let error as CatalogError where error == .unparsableManifest || error == .manifestTooLarge {
                    logger.warning("manifest skipped", metadata: ["task.id": "\(id)", "error": "\(error)"])
                }
            }
        }
    }
}

extension Catalog {
    /// One task's manifest by path lookup alone, without opening the index (for `reel show`: no scan, no database).
    public static func manifest(root: URL, for id: TaskID) throws -> TaskManifest? {
        try ManifestFile.load(CatalogLayout(root: root).manifestURL(id), id: id)
    }
}
