import DurableFiles
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Catalog {
    /// What a catalog may do on disk.
    public enum Access: String, Sendable {
        /// Archive, render, reindex: directories, locks and the index are created as needed.
        case readWrite
        /// List, show, verify (without repair): nothing is created or changed, so a read-only medium (a mounted
        /// backup) works. A shared lock is taken only on lock files that already exist.
        case readOnly
    }

    /// Throws ``CatalogError/readOnly`` unless this catalog was opened ``Access/readWrite``.
    func requireWriteAccess() throws(CatalogError) {
        if access == .readOnly { throw .readOnly(root.path, "opened for reading only") }
    }

    /// Throws ``CatalogError/readOnly`` naming `root` when it (or, if it does not exist yet, its nearest existing
    /// ancestor, where it would be created) is on a read-only file system or not writable by this process. Checked
    /// with access(2), which reports a read-only mount even to root (who ignores file modes).
    static func requireWritable(_ root: URL) throws(CatalogError) {
        var probe = root.standardizedFileURL.path
        while !probe.isEmpty, probe != "/", !FileIO.isDirectory(probe) {
            probe = (probe as NSString).deletingLastPathComponent
        }
        guard !isWritable(probe) else { return }
        switch errno {
        case EROFS: throw .readOnly(root.path, "read-only file system")
        case EACCES, EPERM: throw .readOnly(root.path, "not writable by this user")
        default: return  // Let the first write report anything else with its own errno.
        }
    }

    private static func isWritable(_ path: String) -> Bool {
        #if canImport(Glibc)
        Glibc.access(path, W_OK) == 0
        #else
        Darwin.access(path, W_OK) == 0
        #endif
    }
}
