import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX calls the catalog's durability rests on: fsync, rename, exclusive create. Every failure
/// becomes a ``CatalogError/io`` naming the call and the path. The job queue and the watch list (Pipeline) keep
/// their files the same way, through this one type.
///
/// Every atomic write is: a temporary file `.<name>.<random>.tmp` in the destination directory, written, fsynced,
/// renamed over the destination, the directory fsynced. A crash leaves either the old file or the new one, plus at
/// worst a temporary that ``isTemporary(_:)`` recognises.
package enum FileIO {
    /// `mkdir -p`, fsyncing the parent of every directory it creates so the new entries survive a crash.
    package static func createDirectories(_ url: URL) throws(CatalogError) {
        let path = url.standardizedFileURL.path
        var missing: [String] = []
        var probe = path
        while !probe.isEmpty, probe != "/", !isDirectory(probe) {
            missing.append(probe)
            probe = (probe as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw .io("mkdir", directory, errno: errno)
            }
            try fsync(path: (directory as NSString).deletingLastPathComponent)
        }
    }

    package static func createDirectories(_ path: String) throws(CatalogError) {
        try createDirectories(URL(fileURLWithPath: path))
    }

    package static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    package static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The size of a regular file, `nil` if there is none.
    package static func size(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// fsync a file or a directory by path.
    package static func fsync(path: String) throws(CatalogError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io("open for fsync", path, errno: errno) }
        defer { close(fd) }
        if systemFsync(fd) != 0 { throw .io("fsync", path, errno: errno) }
    }

    /// Atomic rename (replacing `to`), then fsync of the destination's directory.
    /// When the directories differ, the source's directory is fsynced too, so that the old entry's removal is durable.
    package static func renameDurably(from: String, to: String) throws(CatalogError) {
        if rename(from, to) != 0 { throw .io("rename to \(to)", from, errno: errno) }
        let toDirectory = (to as NSString).deletingLastPathComponent
        let fromDirectory = (from as NSString).deletingLastPathComponent
        try fsync(path: toDirectory)
        if fromDirectory != toDirectory { try fsync(path: fromDirectory) }
    }

    /// Writes `data` to `url` so that readers see the old file or the new one, never a mix: a temporary
    /// file in the same directory, written, fsynced, renamed into place, the directory fsynced.
    package static func writeAtomically(_ data: Data, to url: URL, failpointPrefix: String? = nil) throws(CatalogError) {
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + "." + randomSuffix() + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io("create", temporary, errno: errno) }
        var open = true
        do throws(CatalogError) {
            try writeAll(fd, data, path: temporary)
            if let failpointPrefix { Failpoint.hit(failpointPrefix + ".written") }
            if systemFsync(fd) != 0 { throw CatalogError.io("fsync", temporary, errno: errno) }
            close(fd)
            open = false
            if let failpointPrefix { Failpoint.hit(failpointPrefix + ".synced") }
            try renameDurably(from: temporary, to: url.path)
        } catch {
            if open { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(CatalogError) {
        let result: Int32 = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        if result != 0 { throw .io("write", path, errno: result) }
    }

    /// Reads a whole file of at most `limit` bytes; `nil` if it does not exist. A larger file throws `tooLarge(size)`
    /// (by default an I/O error `EFBIG`).
    package static func readFile(_ path: String, limit: Int64,
                                 tooLarge: ((Int64) -> CatalogError)? = nil) throws(CatalogError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw .io("open", path, errno: errno)
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw .io("fstat", path, errno: errno) }
        if Int64(info.st_size) > limit {
            throw tooLarge?(Int64(info.st_size)) ?? .io("read (over \(limit) bytes)", path, errno: EFBIG)
        }
        var data = Data(count: Int(info.st_size))
        var filled = 0
        let failure: Int32 = data.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let count = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { break }
                filled += count
            }
            return 0
        }
        if failure != 0 { throw .io("read", path, errno: failure) }
        return data.prefix(filled)
    }

    /// Removes a file; a missing file is not an error.
    package static func removeFile(_ path: String) throws(CatalogError) {
        if unlink(path) != 0 && errno != ENOENT { throw .io("unlink", path, errno: errno) }
    }

    /// Removes a file or a directory tree; a missing one is not an error.
    package static func removeTree(_ path: String) throws(CatalogError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            if FileManager.default.fileExists(atPath: path) { throw .io("remove", path, error) }
        }
    }

    /// The names in a directory, sorted; empty if it does not exist.
    package static func list(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    /// Every entry under `path` that is not a directory (files, and symbolic links unfollowed), as paths relative to it.
    package static func filesRecursively(_ path: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
        var files: [String] = []
        while let next = enumerator.nextObject() as? String {
            var info = stat()
            if lstat(path + "/" + next, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR { files.append(next) }
        }
        return files.sorted()
    }

    /// True when anything (a file, a directory, a dangling link) is at `path`.
    package static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// True for the name of a temporary written by ``writeAtomically(_:to:failpointPrefix:)``.
    package static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp")
    }

    /// The names in a directory (without `.` and `..`), unsorted; empty if it does not exist. (No Foundation: the
    /// job queue lists its folders on every claim.)
    package static func names(in path: String) -> [String] {
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

    /// The identity of a file's current contents: a rename-replaced file gets a new inode.
    package struct Stamp: Hashable, Sendable {
        package let inode: UInt64
        package let size: Int64
        package let modified: Int64
    }

    package static func stamp(_ path: String) -> Stamp? {
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
    package static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func systemFsync(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.fsync(fd)
        #else
        Darwin.fsync(fd)
        #endif
    }

    package static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }
}
