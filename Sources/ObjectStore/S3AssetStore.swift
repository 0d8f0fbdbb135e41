import Catalog
import DurableFiles
import Foundation
import Logging
import ReelBasics

/// The ``AssetStore`` on S3-compatible object storage (`REEL_STORE_URL=s3://BUCKET[/PREFIX]`): every file the catalog
/// records and each `manifest.json` is an object under the same `tasks/<shard>/<taskId>/…` key as on disk.
///
/// Staging is local: a ``LocalAssetStore`` under the scratch directory (`REEL_SCRATCH`). A commit hashes the staged file,
/// uploads it with its checksum (multipart above 64 MiB) and removes it: S3 makes a PUT visible whole or not at all.
/// Manifests are written conditionally (`If-None-Match: *` / `If-Match: <ETag>`); their version is the ETag.
public struct S3AssetStore: AssetStore {
    public let client: S3Client
    /// Local working space: staging areas and files fetched for decoding.
    public let scratch: LocalAssetStore
    let logger: Logger

    public init(client: S3Client, scratch: CatalogLayout, logger: Logger = Logger(label: "reelvault.s3")) {
        self.client = client
        self.scratch = LocalAssetStore(layout: scratch)
        self.logger = logger
    }

    public func stagingFile(for task: TaskID, name: String) throws -> URL {
        try scratch.stagingFile(for: task, name: name)
    }

    public func stagingDirectory(for task: TaskID, name: String) throws -> URL {
        try scratch.stagingDirectory(for: task, name: name)
    }

    @discardableResult
    public func discardStaging(for task: TaskID, name: String?) throws -> Int {
        try scratch.discardStaging(for: task, name: name)
    }

    public func commit(staged: URL, to relativePath: String, sha256: String?) async throws {
        let key = try key(relativePath)
        let source = staged.standardizedFileURL
        guard FileIO.isRegularFile(source.path) else {
            throw CatalogError.io("commit: no staged file", source.path, errno: ENOENT)
        }
        let size = FileIO.size(source.path) ?? 0
        // A run that lost its task (a lost lease or task lock) uploads nothing more over the new holder's objects.
        try await WriteFence.check()
        let type = ContentTypes.forPath(relativePath)
        if let sha256 {
            // The recorded checksum goes up with the bytes: the store refuses them if they changed since.
            try await client.upload(source, key: key, sha256: sha256.lowercased(), size: size, contentType: type)
        } else {
            try await client.upload(source, key: key, size: size, contentType: type)
        }
        Failpoint.hit("catalog.store.synced")
        // A source is decoded right after its commit: its local copy stays in the task's staging area for the rest of
        // this holding (``withLocalFile(relativePath:_:)`` uses it instead of fetching the object back), and goes with
        // the staging area when the lock is released or taken again.
        if let kept = keptURL(relativePath), (try? FileManager.default.createDirectory(at: kept.deletingLastPathComponent(),
                                                                                       withIntermediateDirectories: true)) != nil {
            try? FileManager.default.removeItem(at: kept)
            if (try? FileManager.default.moveItem(at: source, to: kept)) != nil { return }
        }
        try? FileManager.default.removeItem(at: source)
    }

    /// Where a committed source of this holding is kept locally (`<staging>/kept/<path in the task>`); `nil` for any
    /// other file.
    func keptURL(_ relativePath: String) -> URL? {
        guard let parts = try? CatalogLayout.components(of: relativePath), parts.count >= 4, parts[0] == "tasks",
              let id = try? TaskID(validating: parts[2]), parts.last?.hasPrefix("source.") == true else { return nil }
        return parts.dropFirst(3).reduce(scratch.layout.stagingDirectory(id).appendingPathComponent("kept")) {
            $0.appendingPathComponent($1)
        }
    }

    public func remove(relativePath: String) async throws {
        try await client.delete(key(relativePath))
    }

    public func size(relativePath: String) async throws -> Int64? {
        try await client.head(key(relativePath))?.size
    }

    public func sha256(relativePath: String) async throws -> String? {
        try await client.sha256(key(relativePath))
    }

    public func recordedSHA256(relativePath: String) async throws -> String? {
        try await client.head(key(relativePath))?.sha256
    }

    /// Fetches the object to a scratch file for as long as `body` runs.
    public func withLocalFile<T: Sendable>(relativePath: String, _ body: @Sendable (URL) async throws -> T) async throws -> T {
        let key = try key(relativePath)
        if let kept = keptURL(relativePath), FileIO.isRegularFile(kept.path) { return try await body(kept) }
        let directory = scratch.layout.root.appendingPathComponent("fetched", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = (relativePath as NSString).lastPathComponent
        let local = directory.appendingPathComponent(UUID().uuidString + "-" + name)
        defer { try? FileManager.default.removeItem(at: local) }
        guard try await client.download(key, to: local) != nil else {
            throw CatalogError.io("open", "s3://\(client.location.bucket)/\(key)", errno: ENOENT)
        }
        return try await body(local)
    }

    public func files(of task: TaskID) async throws -> [String] {
        let prefix = client.location.key(CatalogLayout.taskPath(task)) + "/"
        return try await client.list(prefix: prefix).map { String($0.key.dropFirst(prefix.count)) }.sorted()
    }

    public func readManifest(of task: TaskID) async throws -> StoredManifest? {
        let key = manifestKey(task)
        let found: (data: Data, etag: String)?
        do {
            found = try await client.get(key, limit: Int(Catalog.maximumManifestBytes))
        } catch let error as S3Client.TooLarge {
            throw CatalogError.manifestTooLarge("s3://\(client.location.bucket)/\(key)", bytes: error.bytes)
        }
        guard let (data, etag) = found else { return nil }
        return StoredManifest(data: data, version: etag)
    }

    public func writeManifest(_ data: Data, of task: TaskID, requiring precondition: ManifestPrecondition) async throws -> String {
        let condition: S3Client.Condition = switch precondition {
        case .none: .none
        case .absent: .absent
        case .version(let etag): .etag(etag)
        }
        do {
            return try await client.put(data, key: manifestKey(task), condition: condition)
        } catch let error as S3Error where error.isPreconditionFailed {
            throw ManifestConflict(taskId: task.rawValue, precondition: precondition)
        }
    }

    /// The tasks with any object: a delimited listing of `tasks/` (one request per 1000 shards), then of each shard.
    public func taskIDs() async throws -> [TaskID] {
        let root = client.location.key("tasks") + "/"
        var ids: [TaskID] = []
        for shardPrefix in try await client.prefixes(under: root) {
            let shard = String(shardPrefix.dropFirst(root.count).dropLast())
            for taskPrefix in try await client.prefixes(under: shardPrefix) {
                let name = String(taskPrefix.dropFirst(shardPrefix.count).dropLast())
                if let id = try? TaskID(validating: name), CatalogLayout.shard(of: id) == shard { ids.append(id) }
            }
        }
        return ids.sorted()
    }

    public func localManifestURL(of task: TaskID) -> URL? { nil }

    /// The bucket answers a one-key listing of the prefix, and the scratch directory is usable.
    public func unavailability() async -> String? {
        if await scratch.unavailability() != nil { return "scratch directory unavailable" }
        do {
            _ = try await client.list(prefix: client.location.key("tasks/"), limit: 1)
            return nil
        } catch {
            return "object store unavailable"
        }
    }

    func manifestKey(_ task: TaskID) -> String {
        client.location.key(CatalogLayout.taskPath(task) + "/manifest.json")
    }

    /// The object key of a catalog path, refusing what every store refuses (``CatalogLayout/components(of:)``).
    func key(_ relativePath: String) throws -> String {
        _ = try CatalogLayout.components(of: relativePath)
        return client.location.key(relativePath)
    }
}
