import Crypto
import DurableFiles
import Foundation
import ReelBasics

/// The ``AssetStore`` on the local filesystem, under a ``CatalogLayout``'s root: the staging area is the task's
/// `.staging/`; a commit is fsync, rename into place, fsync of the directory (failpoint `catalog.store.synced` between
/// the fsync and the rename).
public struct LocalAssetStore: AssetStore {
    public let layout: CatalogLayout

    public init(layout: CatalogLayout) {
        self.layout = layout
    }

    public func stagingFile(for task: TaskID, name: String) throws -> URL {
        let directory = layout.stagingDirectory(task)
        let url = try Self.stagingEntry(name, in: directory)
        try fileIO { () throws(FileError) in try FileIO.createDirectories(directory) }
        return url
    }

    public func stagingDirectory(for task: TaskID, name: String) throws -> URL {
        let url = try Self.stagingEntry(name, in: layout.stagingDirectory(task))
        try fileIO { () throws(FileError) in
            if FileIO.exists(url.path) { try FileIO.removeTree(url.path) }
            try FileIO.createDirectories(url)
        }
        return url
    }

    public func discardStaging(for task: TaskID, name: String?) throws -> Int {
        let directory = layout.stagingDirectory(task)
        let names = try name.map { [try Self.stagingEntry($0, in: directory).lastPathComponent] } ?? FileIO.list(directory.path)
        var removed = 0
        for name in names where FileIO.exists(directory.appendingPathComponent(name).path) {
            try fileIO { () throws(FileError) in try FileIO.removeTree(directory.appendingPathComponent(name).path) }
            removed += 1
        }
        return removed
    }

    /// A rename does not change the bytes: `sha256` is not checked again here.
    public func commit(staged: URL, to relativePath: String, sha256: String?) async throws {
        let destination = try layout.absoluteURL(relative: relativePath)
        let source = staged.standardizedFileURL.path
        guard FileIO.isRegularFile(source) else {
            throw CatalogError.io("commit: no staged file", source, errno: ENOENT)
        }
        // A run that lost its task (a lost lease or task lock) renames nothing more over the new holder's files.
        try await WriteFence.check()
        // Two fsyncs and a rename: on the blocking pool, never a thread of the cooperative pool (which also serves
        // HTTP: a slow disk would stall every request of the process).
        try await BlockingPool.shared.run { () throws(CatalogError) in
            try fileIO { () throws(FileError) in
                try FileIO.createDirectories(destination.deletingLastPathComponent())
                try FileIO.fsync(path: source)
                Failpoint.hit("catalog.store.synced")
                try FileIO.renameDurably(from: source, to: destination.path)
            }
        }
    }

    public func remove(relativePath: String) async throws {
        let path = try layout.absoluteURL(relative: relativePath).path
        try await BlockingPool.shared.run { () throws(CatalogError) in
            try fileIO { () throws(FileError) in try FileIO.removeFile(path) }
        }
    }

    public func size(relativePath: String) async throws -> Int64? {
        let path = try layout.absoluteURL(relative: relativePath).path
        return FileIO.isRegularFile(path) ? FileIO.size(path) : nil
    }

    public func sha256(relativePath: String) async throws -> String? {
        let url = try layout.absoluteURL(relative: relativePath)
        guard FileIO.isRegularFile(url.path) else { return nil }
        // Reading a whole video: on the blocking pool, not one of the cooperative pool's few threads.
        return try await BlockingPool.shared.run { try fileDigest(url) }
    }

    public func recordedSHA256(relativePath: String) async throws -> String? {
        _ = try layout.absoluteURL(relative: relativePath)
        return nil
    }

    public func withLocalFile<T: Sendable>(relativePath: String, _ body: @Sendable (URL) async throws -> T) async throws -> T {
        let url = try layout.absoluteURL(relative: relativePath)
        guard FileIO.isRegularFile(url.path) else { throw CatalogError.io("open", url.path, errno: ENOENT) }
        return try await body(url)
    }

    public func files(of task: TaskID) async throws -> [String] {
        FileIO.filesRecursively(layout.taskDirectory(task).path).sorted()
    }

    /// One small file read, done where it is asked (as before the store had this method): a page or a file request
    /// never waits in a pool's queue behind every other read of the process.
    public func readManifest(of task: TaskID) async throws -> StoredManifest? {
        try Self.readManifest(layout.manifestURL(task))
    }

    /// Conditional writes compare the SHA-256 of the manifest on disk: the task's lock serialises the writers of one
    /// root, so the check and the rename cannot interleave with another holder's.
    public func writeManifest(_ data: Data, of task: TaskID, requiring precondition: ManifestPrecondition) async throws -> String {
        let url = layout.manifestURL(task)
        try await BlockingPool.shared.run { () throws in
            if precondition != .none {
                let current = try Self.readManifest(url)?.version
                let holds = switch precondition {
                case .none: true
                case .absent: current == nil
                case .version(let expected): current == expected
                }
                guard holds else { throw ManifestConflict(taskId: task.rawValue, precondition: precondition) }
            }
            try fileIO { () throws(FileError) in
                try FileIO.createDirectories(url.deletingLastPathComponent())
                try FileIO.writeAtomically(data, to: url, failpointPrefix: "catalog.manifest")
            }
        }
        return Self.version(of: data)
    }

    public func taskIDs() async throws -> [TaskID] {
        layout.scanTaskDirectories().compactMap(\.id).sorted()
    }

    public func unavailability() async -> String? {
        let root = layout.root.path
        return FileIO.isDirectory(root) && access(root, R_OK | W_OK | X_OK) == 0 ? nil : "storage root unavailable"
    }

    public func localManifestURL(of task: TaskID) -> URL? {
        layout.manifestURL(task)
    }

    private static func readManifest(_ url: URL) throws(CatalogError) -> StoredManifest? {
        switch FileIO.read(url.path, limit: Catalog.maximumManifestBytes) {
        case .missing: return nil
        case .read(let data): return StoredManifest(data: data, version: version(of: data))
        case .tooLarge(let size, _): throw .manifestTooLarge(url.path, bytes: size)
        case .directory: throw .io("read", url.path, errno: EISDIR)
        case .failed(let error): throw .io(error)
        }
    }

    static func version(of data: Data) -> String {
        hexString(SHA256.hash(data: data))
    }

    /// `directory/name` for a safe single component `name`.
    private static func stagingEntry(_ name: String, in directory: URL) throws(CatalogError) -> URL {
        if let why = SafeName.problem(name, maximumLength: 200) { throw CatalogError.unsafePath(name, "staging name \(why)") }
        return directory.appendingPathComponent(name)
    }
}

/// ``sha256(ofFileAt:)``, under a name the store's own `sha256(relativePath:)` does not hide.
private func fileDigest(_ url: URL) throws(CatalogError) -> String {
    try fileIO { () throws(FileError) in try sha256(ofFileAt: url) }
}
