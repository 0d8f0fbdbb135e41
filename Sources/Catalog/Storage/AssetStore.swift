import Foundation

/// Where the catalog's files are kept: the seam between the pipeline and the storage medium. ``LocalAssetStore`` keeps
/// them under the storage root; an object store (S3) can conform without touching callers, which hold `any AssetStore`.
///
/// **Paths** are relative to the storage root, as ``CatalogLayout`` builds them and manifests store them
/// (`tasks/<shard>/<taskId>/<scriptId>/<role>/source.mp4`). Every method that takes one refuses (throws
/// ``CatalogError/unsafePath``) an empty or absolute path, `.`/`..`/hidden/empty components, backslashes and control
/// characters, and a path that leads out of the store.
///
/// **Nothing half-written is ever visible.** A file is written on local disk first, in the task's staging area
/// (``stagingFile(for:name:)``, ``stagingDirectory(for:name:)``) or anywhere local, then ``commit(staged:to:)`` puts
/// it in place whole: a reader sees the old file or the new one, never a part. The staging area is local working space
/// on every backend (an object store stages in a scratch directory), emptied by ``discardStaging(for:name:)``, which
/// the catalog calls when a task's lock is taken.
///
/// **Reading** never assumes a local path: ``size(relativePath:)`` and ``sha256(relativePath:)`` answer from the store
/// (a stat, a HEAD, a streamed hash), ``withLocalFile(relativePath:_:)`` lends a local path for decoding (the file
/// itself, or a copy fetched to scratch for as long as the body runs), and ``files(of:)`` lists what the store holds
/// for a task. Errors are ``CatalogError``s.
public protocol AssetStore: Sendable {
    /// A local file in the task's staging area to write to (the area is created if needed). `name` must be one safe
    /// path component.
    func stagingFile(for task: TaskID, name: String) throws -> URL

    /// A local directory in the task's staging area for a pass that writes several files (a decode's stills and
    /// renditions), created empty: anything an earlier run left under this name is removed. `name` must be one safe
    /// path component.
    func stagingDirectory(for task: TaskID, name: String) throws -> URL

    /// Removes the staging file or directory `name` of the task, or (`nil`) everything in its staging area; returns
    /// how many entries were removed. Missing entries are not an error.
    @discardableResult
    func discardStaging(for task: TaskID, name: String?) throws -> Int

    /// Puts the complete local file `staged` at `relativePath`, replacing any file there, atomically: durable when it
    /// returns, and never visible in part. The staged file is consumed (moved or uploaded, then gone). `sha256` (lowercase
    /// hex), when given, is what the caller recorded for these bytes: a store that checks checksums is given that one, so
    /// bytes that changed since are refused instead of stored under a record that does not describe them.
    func commit(staged: URL, to relativePath: String, sha256: String?) async throws

    /// Removes the file at `relativePath`; a missing file is not an error.
    func remove(relativePath: String) async throws

    /// The size in bytes of the file at `relativePath`, `nil` if there is none.
    func size(relativePath: String) async throws -> Int64?

    /// The lowercase hex SHA-256 of the bytes at `relativePath` (read through, never from a cache), `nil` if there
    /// is no file.
    func sha256(relativePath: String) async throws -> String?

    /// The lowercase hex SHA-256 the store itself recorded for the file when it was written and checked the bytes
    /// against (an object store's `x-amz-checksum-sha256`), read without reading the file; `nil` when it keeps none
    /// (the local store) or there is no file.
    func recordedSHA256(relativePath: String) async throws -> String?

    /// Runs `body` with a local path holding the file at `relativePath` (for a decoder that needs one), valid until
    /// `body` returns. Throws ``CatalogError/io`` (`ENOENT`) if there is no such file.
    func withLocalFile<T: Sendable>(relativePath: String, _ body: @Sendable (URL) async throws -> T) async throws -> T

    /// Every file the store holds for task `task`, as paths relative to the task's directory
    /// (`manifest.json`, `1/preview/source.mp4`, and on the local store its working files: `.lock`, `.staging/…`,
    /// `.partial/…`), sorted. Empty when the store has nothing for the task.
    func files(of task: TaskID) async throws -> [String]

    /// Task `task`'s `manifest.json` (at most ``Catalog/maximumManifestBytes``, else
    /// ``CatalogError/manifestTooLarge``), `nil` if it has none.
    func readManifest(of task: TaskID) async throws -> StoredManifest?

    /// Writes task `task`'s `manifest.json` whole and atomically, if `precondition` holds (else throws
    /// ``ManifestConflict`` and changes nothing); returns the new version.
    func writeManifest(_ data: Data, of task: TaskID, requiring precondition: ManifestPrecondition) async throws -> String

    /// Every task that has a directory (local) or any object (an object store), sorted: a scan, for `--all` commands.
    func taskIDs() async throws -> [TaskID]

    /// The local path of task `task`'s manifest when the store keeps it in a local file (read again inside an index
    /// write); `nil` for a remote store.
    func localManifestURL(of task: TaskID) -> URL?

    /// A short reason when the store cannot be used now (for `/healthz`; no path, no secret), `nil` when it can.
    func unavailability() async -> String?
}

extension AssetStore {
    /// ``commit(staged:to:sha256:)`` without a recorded checksum: the store hashes what it stores.
    public func commit(staged: URL, to relativePath: String) async throws {
        try await commit(staged: staged, to: relativePath, sha256: nil)
    }
}
