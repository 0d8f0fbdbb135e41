import Foundation

/// An ``AssetStore`` on the local filesystem, under a ``CatalogLayout``'s root.
public struct LocalAssetStore: AssetStore {
    public let layout: CatalogLayout

    public init(layout: CatalogLayout) {
        self.layout = layout
    }

    public func stagingFile(for task: TaskID, name: String) throws -> URL {
        try SafeName.check(name, maximumLength: 200) { why throws(CatalogError) in
            throw CatalogError.unsafePath(name, "staging name \(why)")
        }
        let directory = layout.stagingDirectory(task)
        try FileIO.createDirectories(directory)
        return directory.appendingPathComponent(name)
    }

    public func commit(staged: URL, to relativePath: String) throws {
        let destination = try layout.absoluteURL(relative: relativePath)
        let source = staged.standardizedFileURL.path
        guard FileIO.isRegularFile(source) else {
            throw CatalogError.io("commit: no staged file", source, errno: ENOENT)
        }
        try FileIO.createDirectories(destination.deletingLastPathComponent())
        try FileIO.fsync(path: source)
        Failpoint.hit("catalog.store.synced")
        try FileIO.renameDurably(from: source, to: destination.path)
    }

    public func fileExists(relativePath: String) -> Bool {
        guard let url = try? layout.absoluteURL(relative: relativePath) else { return false }
        return FileIO.isRegularFile(url.path)
    }

    public func remove(relativePath: String) throws {
        let url = try layout.absoluteURL(relative: relativePath)
        try FileIO.removeFile(url.path)
    }

    public func size(relativePath: String) -> Int64? {
        guard let url = try? layout.absoluteURL(relative: relativePath) else { return nil }
        return FileIO.size(url.path)
    }
}
