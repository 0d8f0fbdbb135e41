import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Questions about what is on disk; none of them throws.
extension FileIO {
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// True when anything (a file, a directory, a dangling link) is at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The size of a regular file, `nil` if there is none.
    public static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Bytes free for an unprivileged user on the volume that holds `path`; `nil` if it cannot be told.
    public static func freeSpace(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// The names in a directory, sorted; empty if it does not exist or cannot be read (callers list what they may find).
    public static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// The names in a directory (without `.` and `..`), unsorted; empty if it does not exist. (No Foundation: the
    /// job queue lists its folders on every claim.)
    public static func names(in path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Every entry under `path` that is not a directory (files, and symbolic links unfollowed), as paths relative to it.
    public static func filesRecursively(_ path: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        while let next = enumerator.nextObject() as? String {
            var info = stat()
            if lstat(path + "/" + next, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR { files.append(next) }
        }
        return files.sorted()
    }

    /// The identity of a file's current contents: a rename-replaced file gets a new inode.
    public struct Stamp: Hashable, Sendable {
        public let inode: UInt64
        public let size: Int64
        public let modified: Int64
    }

    public static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Glibc)
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #else
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #endif
        return Stamp(inode: UInt64(info.st_ino), size: Int64(info.st_size), modified: modified)
    }

    /// `realpath(3)`, or `nil` if the path does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `url` made absolute (against the current directory) and standardised: how a storage root is held.
    public static func absolute(_ url: URL) -> URL {
        let absolute = url.path.hasPrefix("/")
            ? url
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(url.path)
        return absolute.standardizedFileURL
    }
}
