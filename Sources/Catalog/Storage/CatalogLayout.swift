import Crypto
import DurableFiles
import Foundation
import ReelBasics

/// Where everything lives under the storage root.
///
/// ```
/// <root>/                                   default ./storage (REEL_STORAGE or --storage)
///   index.sqlite (+ -wal, -shm)             derived index of tasks and assets; rebuilt from the
///                                           manifests when missing or of another schema version
///   .index.lock                             flock(2) serialising the index's creation and rebuilds
///   tasks/
///     <shard>/                              first 2 hex chars of SHA-256(taskId): 256 shards
///       <taskId>/                           a path lookup, never a scan
///         manifest.json                     the truth for the task, written atomically
///         .lock                             flock(2) per-task lock (never deleted)
///         .staging/                         files being written; emptied when the lock is taken
///         .partial/                         downloads a restart cut, resumed by the next run (see
///                                           ``partialDirectory(_:)``); kept across lock takings, 7 days at most
///         .manifest.json.<random>.tmp       a manifest being written (only during a save)
///         <scriptId>/<role>/                role is `preview` or `export`
///           source.mp4
///           cover.jpg
///           poster.jpg
///           thumbs/NNN.jpg                  NNN = thumbnail index, zero-padded to 3 digits
///           storyboard/sprite.jpg
///           storyboard/storyboard.vtt
///           renditions/<preset>.mp4
/// ```
///
/// Manifests store paths relative to the root. Files reach their place only complete: written in
/// `.staging/`, fsynced, renamed into place, the directory fsynced.
public struct CatalogLayout: Sendable {
    /// The storage root, absolute and standardised.
    public let root: URL

    public init(root: URL) {
        self.root = FileIO.absolute(root)
    }

    /// The default root, `./storage`.
    public static var defaultRoot: URL {
        URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("storage")
    }

    public var tasksDirectory: URL { root.appendingPathComponent("tasks", isDirectory: true) }
    public var indexURL: URL { root.appendingPathComponent("index.sqlite") }

    /// The first two hex characters of SHA-256 of the task id.
    public static func shard(of id: TaskID) -> String {
        hexString(SHA256.hash(data: Data(id.rawValue.utf8)).prefix(1))
    }

    public func taskDirectory(_ id: TaskID) -> URL {
        tasksDirectory
            .appendingPathComponent(Self.shard(of: id), isDirectory: true)
            .appendingPathComponent(id.rawValue, isDirectory: true)
    }

    public func manifestURL(_ id: TaskID) -> URL {
        taskDirectory(id).appendingPathComponent("manifest.json")
    }

    public func lockURL(_ id: TaskID) -> URL {
        taskDirectory(id).appendingPathComponent(".lock")
    }

    public func stagingDirectory(_ id: TaskID) -> URL {
        taskDirectory(id).appendingPathComponent(".staging", isDirectory: true)
    }

    public func assetDirectory(_ id: TaskID, scriptId: Int, role: AssetRole) -> URL {
        taskDirectory(id)
            .appendingPathComponent(String(scriptId), isDirectory: true)
            .appendingPathComponent(role.rawValue, isDirectory: true)
    }

    /// The path of `url` relative to the root (`tasks/ab/T1/1/preview/source.mp4`). A URL outside the
    /// root comes back as its absolute path, which ``absoluteURL(relative:)`` then refuses.
    public func relativePath(of url: URL) -> String {
        let path = url.standardizedFileURL.path
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return path.hasPrefix(rootPath) ? String(path.dropFirst(rootPath.count)) : path
    }

    /// The file URL of a path relative to the root, for manifests' paths and HTTP file routes.
    ///
    /// Refuses (``CatalogError/unsafePath``) an empty or absolute path, backslashes, control characters,
    /// empty, `.`, `..` and hidden (`.`-prefixed) components, and a path that a symbolic link leads
    /// out of the root.
    public func absoluteURL(relative path: String) throws(CatalogError) -> URL {
        var url = root
        for component in try Self.components(of: path) { url.appendPathComponent(component) }
        try checkNoSymlinkEscape(url, original: path)
        return url
    }

    /// The components of a relative path, refusing (``CatalogError/unsafePath``) what ``absoluteURL(relative:)``
    /// refuses before it looks at the disk: the one syntax check of every store (an object store's keys included).
    public static func components(of path: String) throws(CatalogError) -> [String] {
        if path.isEmpty { throw .unsafePath(path, "empty") }
        if path.hasPrefix("/") { throw .unsafePath(path, "absolute") }
        if path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) {
            throw .unsafePath(path, "contains a control character or a backslash")
        }
        var components: [String] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { throw .unsafePath(path, "has an empty component") }
            if component == "." || component == ".." { throw .unsafePath(path, "has a '.' or '..' component") }
            if component.hasPrefix(".") { throw .unsafePath(path, "has a hidden component") }
            components.append(String(component))
        }
        return components
    }

    /// A task directory's path relative to the root (`tasks/ab/T1`): the key prefix of its files in an object store.
    public static func taskPath(_ id: TaskID) -> String {
        "tasks/\(shard(of: id))/\(id.rawValue)"
    }

    /// Resolves symbolic links in the deepest existing ancestor of `url` and checks it stays under the root.
    private func checkNoSymlinkEscape(_ url: URL, original: String) throws(CatalogError) {
        guard let realRoot = FileIO.realPath(root.path) else { return }
        var candidate = url.path
        while candidate.count > root.path.count {
            if let real = FileIO.realPath(candidate) {
                if real != realRoot && !real.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") {
                    throw .unsafePath(original, "leads out of the storage root through a symbolic link")
                }
                return
            }
            candidate = (candidate as NSString).deletingLastPathComponent
        }
    }
}
