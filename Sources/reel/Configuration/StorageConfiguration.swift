import Catalog
import Foundation
import ObjectStore
import Pipeline
import ReelBasics

/// The catalog root every command works on.
struct StorageConfiguration: Sendable, Equatable {
    /// The catalog root, standardized (`./storage` by default, relative to the working directory).
    var root: URL
    /// Where the files live: under ``root`` (the default) or in an object store (read with the database settings).
    var store = StoreConfiguration()

    init(root: URL = URL(fileURLWithPath: "storage", isDirectory: true).standardizedFileURL) {
        self.root = root
    }

    /// Reads the storage settings (never fails).
    ///
    /// - `--storage` / `REEL_STORAGE`: the catalog root (default `./storage`).
    ///
    /// `flags` is nil for a command without `--storage` (`reel media …`).
    init(reader: ConfigurationReader, flags: StorageOptions?) {
        let path = flags?.storage ?? reader.text("REEL_STORAGE") ?? "storage"
        self.init(root: URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL)
    }

    /// Opens the catalog at ``root``; `.readOnly` for the commands that only read (ls, verify): they work on a
    /// read-only root and create nothing. A root that cannot be opened is a usage error (exit 2) naming it.
    /// `state`: the deployment's task locks and index (PostgreSQL), or the embedded ones when it has none.
    func openCatalog(_ access: Catalog.Access = .readWrite, state: SharedState? = nil) throws -> Catalog {
        let logger = CLILogging.logger("reelvault.catalog")
        do {
            switch store.backend {
            case .local:
                return try Catalog(root: root, access: access, locks: state?.taskLocks, index: state?.catalogIndex, logger: logger)
            case .s3(let location, let credentials):
                guard let state, let index = state.catalogIndex else {
                    throw ReelExit.usage("REEL_STORE_URL=s3://… needs REEL_DATABASE_URL: the catalog's index and locks live in PostgreSQL")
                }
                // The catalog's root is the scratch directory: staging and partial downloads are local working files.
                try Self.prepareScratch(store.scratch)
                let client = S3Client(location: location, credentials: credentials, logger: CLILogging.logger("reelvault.s3"))
                let objects = S3AssetStore(client: client, scratch: CatalogLayout(root: store.scratch), logger: CLILogging.logger("reelvault.s3"))
                return try Catalog(root: store.scratch, access: access, store: objects, locks: state.taskLocks, index: index, logger: logger)
            }
        } catch let error as ReelExit {
            throw error
        } catch {
            throw ReelExit.usage("cannot open the catalog at \(SafeText.escape(location, limit: 1024)): \(SafeText.escape("\(error)", limit: 1024))")
        }
    }

    /// Creates the scratch directory private to this user (0700), or checks that an existing one is this user's and
    /// private: files staged there are uploaded as the catalog's, so no other user may swap them.
    static func prepareScratch(_ url: URL) throws {
        let path = url.path
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ReelExit.usage("the scratch directory \(SafeText.escape(path, limit: 1024)) is not a directory: set REEL_SCRATCH to one")
        }
        guard info.st_uid == getuid() else {
            throw ReelExit.usage("the scratch directory \(SafeText.escape(path, limit: 1024)) belongs to another user: set REEL_SCRATCH to a directory of your own")
        }
        if info.st_mode & 0o077 != 0 { chmod(path, 0o700) }
    }

    /// Where the catalog is, for messages: the root, or the bucket and prefix.
    var location: String {
        switch store.backend {
        case .local: root.path
        case .s3(let location, _): "s3://\(location.bucket)\(location.prefix.isEmpty ? "" : "/" + location.prefix)"
        }
    }

    /// Where task `id`'s files are (its directory, or its key prefix in the bucket), `nil` when it has no manifest.
    func taskLocation(_ id: TaskID, in catalog: Catalog) async throws -> String? {
        switch store.backend {
        case .local:
            return FileManager.default.fileExists(atPath: catalog.layout.manifestURL(id).path) ? catalog.layout.taskDirectory(id).path : nil
        case .s3(let location, _):
            return try await catalog.store.readManifest(of: id) == nil ? nil : "s3://\(location.bucket)/\(location.key(CatalogLayout.taskPath(id)))/"
        }
    }
}
