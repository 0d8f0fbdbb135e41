import Catalog
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed POSIX call of the queue's or the watch list's storage: the call, the path and the errno text.
struct DurableIOError: Error, Sendable, CustomStringConvertible {
    let operation: String
    let path: String
    let code: Int32

    var description: String { "\(operation) \(path): \(String(cString: strerror(code))) (errno \(code))" }
}

/// The POSIX calls the job queue and the watch list rest on, in the catalog's manner (see `Catalog`'s
/// `FileIO`, which is internal to that module): exclusive create, fsync of files and directories,
/// rename as the commit point.
///
/// Every write is: a temporary file `.<name>.<random>.tmp` in the destination directory, written,
/// fsynced, renamed over the destination, the directory fsynced. A crash leaves either the old file
/// or the new one, plus at worst a temporary that ``isTemporary(_:)`` recognises.
enum DurableIO {
    /// `mkdir -p`, fsyncing the parent of each directory it creates.
    static func createDirectories(_ path: String) throws(DurableIOError) {
        var missing: [String] = []
        var probe = path
        while !probe.isEmpty, probe != "/", !isDirectory(probe) {
            missing.append(probe)
            probe = (probe as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw DurableIOError(operation: "mkdir", path: directory, code: errno)
            }
            try fsync(path: (directory as NSString).deletingLastPathComponent)
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// fsync a file or directory by path.
    static func fsync(path: String) throws(DurableIOError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw DurableIOError(operation: "open for fsync", path: path, code: errno) }
        defer { close(fd) }
        if systemFsync(fd) != 0 { throw DurableIOError(operation: "fsync", path: path, code: errno) }
    }

    /// Atomic rename (replacing `to`), then fsync of the destination's directory and, when it differs,
    /// of the source's directory (so the old entry's removal is durable too).
    static func renameDurably(from: String, to: String) throws(DurableIOError) {
        if rename(from, to) != 0 { throw DurableIOError(operation: "rename to \(to)", path: from, code: errno) }
        let toDirectory = (to as NSString).deletingLastPathComponent
        let fromDirectory = (from as NSString).deletingLastPathComponent
        try fsync(path: toDirectory)
        if fromDirectory != toDirectory { try fsync(path: fromDirectory) }
    }

    /// Replaces `path` with `data` atomically and durably. `failpoint` names the point hit between the
    /// fsync of the temporary and its rename (see `Catalog.Failpoint`).
    static func writeAtomically(_ data: Data, to path: String, failpoint: String? = nil) throws(DurableIOError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = directory + "/." + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw DurableIOError(operation: "create", path: temporary, code: errno) }
        var isOpen = true
        do throws(DurableIOError) {
            try writeAll(fd, data, path: temporary)
            if systemFsync(fd) != 0 { throw DurableIOError(operation: "fsync", path: temporary, code: errno) }
            close(fd)
            isOpen = false
            if let failpoint { Failpoint.hit(failpoint) }
            try renameDurably(from: temporary, to: path)
        } catch {
            if isOpen { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// True for the name of a temporary written by ``writeAtomically(_:to:failpoint:)``.
    static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp")
    }

    /// Reads a whole file of at most `limit` bytes; `nil` if it does not exist. A larger file throws `EFBIG`.
    static func read(_ path: String, limit: Int) throws(DurableIOError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw DurableIOError(operation: "open", path: path, code: errno)
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw DurableIOError(operation: "fstat", path: path, code: errno) }
        if Int(info.st_size) > limit { throw DurableIOError(operation: "read (over \(limit) bytes)", path: path, code: EFBIG) }
        var data = Data(count: Int(info.st_size))
        var filled = 0
        let failure: Int32 = data.withUnsafeMutableBytes { buffer in
            while filled < buffer.count {
                let count = systemRead(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { break }
                filled += count
            }
            return 0
        }
        if failure != 0 { throw DurableIOError(operation: "read", path: path, code: failure) }
        return data.prefix(filled)
    }

    /// Removes a file; a missing file is not an error.
    static func remove(_ path: String) throws(DurableIOError) {
        if unlink(path) != 0 && errno != ENOENT { throw DurableIOError(operation: "unlink", path: path, code: errno) }
    }

    /// The names in a directory (without `.` and `..`), unsorted; empty if it does not exist.
    static func names(in path: String) -> [String] {
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
    struct Stamp: Hashable, Sendable {
        let inode: UInt64
        let size: Int64
        let modified: Int64
    }

    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Stamp(inode: UInt64(info.st_ino), size: Int64(info.st_size),
                     modified: modificationNanoseconds(info))
    }

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(DurableIOError) {
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
        if result != 0 { throw DurableIOError(operation: "write", path: path, code: result) }
    }

    private static func modificationNanoseconds(_ info: stat) -> Int64 {
        #if canImport(Glibc)
        Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        #else
        Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        #endif
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
        #else
        Darwin.read(fd, buffer, count)
        #endif
    }

    private static func systemFsync(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.fsync(fd)
        #else
        Darwin.fsync(fd)
        #endif
    }
}
