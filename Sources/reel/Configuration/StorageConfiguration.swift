import Catalog
import Foundation
import Pipeline
import ReelBasics

/// The catalog root every command works on.
struct StorageConfiguration: Sendable, Equatable {
    /// The catalog root, standardized (`./storage` by default, relative to the working directory).
    var root: URL

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
        do {
            return try Catalog(root: root, access: access, locks: state?.taskLocks, index: state?.catalogIndex,
                               logger: CLILogging.logger("reelvault.catalog"))
        } catch {
            throw ReelExit.usage("cannot open the catalog at \(SafeText.escape(root.path, limit: 1024)): \(SafeText.escape("\(error)", limit: 1024))")
        }
    }
}
