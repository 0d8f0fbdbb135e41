import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX calls the storage root's durability rests on: fsync, rename, exclusive create. Every failure is a
/// ``FileError`` naming the call and the path. The catalog, the job queue, the watch list, partial downloads and the
/// media engine's outputs keep their files the same way, through this one type.
///
/// Every atomic write is: a temporary file `.<name>.<random>.tmp` in the destination directory, written, fsynced,
/// renamed over the destination, the directory fsynced. A crash leaves either the old file or the new one, plus at
/// worst a temporary that ``isTemporary(_:)`` recognises.
public enum FileIO {
    /// `mkdir -p`, fsyncing the parent of every directory it creates so the new entries survive a crash.
    public static func createDirectories(_ url: URL) throws(FileError) {
        let path = url.standardizedFileURL.path
        var missing: [String] = []
        var probe = path
        while !probe.isEmpty, probe != "/", !isDirectory(probe) {
            missing.append(probe)
            probe = (probe as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            if mkdir(directory, 0o755) != 0 && errno != EEXIST {
                throw FileError("mkdir", directory, errno: errno)
            }
            try fsync(path: (directory as NSString).deletingLastPathComponent)
        }
    }

    public static func createDirectories(_ path: String) throws(FileError) {
        try createDirectories(URL(fileURLWithPath: path))
    }

    /// fsync a file or a directory by path.
    public static func fsync(path: String) throws(FileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileError("open for fsync", path, errno: errno) }
        defer { close(fd) }
        if systemFsync(fd) != 0 { throw FileError("fsync", path, errno: errno) }
    }

    /// Atomic rename (replacing `to`), then fsync of the destination's directory.
    /// When the directories differ, the source's directory is fsynced too, so that the old entry's removal is durable.
    public static func renameDurably(from: String, to: String) throws(FileError) {
        if rename(from, to) != 0 { throw FileError("rename to \(to)", from, errno: errno) }
        let toDirectory = (to as NSString).deletingLastPathComponent
        let fromDirectory = (from as NSString).deletingLastPathComponent
        try fsync(path: toDirectory)
        if fromDirectory != toDirectory { try fsync(path: fromDirectory) }
    }

    /// Makes a file written beside `path` (by any writer: FFmpeg, a download) the file at `path`, durably: `temporary`
    /// fsynced, renamed over `path`, the directory fsynced. When the fsync or the rename fails, `temporary` is removed
    /// and `path` is untouched.
    public static func commit(_ temporary: String, to path: String) throws(FileError) {
        do throws(FileError) {
            try fsync(path: temporary)
            if rename(temporary, path) != 0 { throw FileError("rename to \(path)", temporary, errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        try fsync(path: (path as NSString).deletingLastPathComponent)
    }

    /// Writes `data` to `url` so that readers see the old file or the new one, never a mix: a temporary
    /// file in the same directory, written, fsynced, renamed into place, the directory fsynced.
    public static func writeAtomically(_ data: Data, to url: URL, failpointPrefix: String? = nil) throws(FileError) {
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + "." + randomSuffix() + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileError("create", temporary, errno: errno) }
        var open = true
        do throws(FileError) {
            try writeAll(fd, data, path: temporary)
            if let failpointPrefix { Failpoint.hit(failpointPrefix + ".written") }
            if systemFsync(fd) != 0 { throw FileError("fsync", temporary, errno: errno) }
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

    private static func writeAll(_ fd: Int32, _ data: Data, path: String) throws(FileError) {
        let result: Result<Void, FileError> = data.withUnsafeBytes { buffer in
            Result { () throws(FileError) in try writeAll(fd, buffer, path: path) }
        }
        try result.get()
    }

    /// Writes all of `buffer` at the descriptor's position (retrying short and interrupted writes).
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws(FileError) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, base + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError("write", path, errno: errno)
            }
            offset += written
        }
    }

    /// Removes a file; a missing file is not an error.
    public static func removeFile(_ path: String) throws(FileError) {
        if unlink(path) != 0 && errno != ENOENT { throw FileError("unlink", path, errno: errno) }
    }

    /// Removes a file or a directory tree; a missing one is not an error.
    public static func removeTree(_ path: String) throws(FileError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            if FileManager.default.fileExists(atPath: path) { throw FileError("remove", path, error) }
        }
    }

    /// True for the name of a temporary written by ``writeAtomically(_:to:failpointPrefix:)``.
    public static func isTemporary(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(".tmp")
    }

    public static func randomSuffix() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    static func systemFsync(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.fsync(fd)
        #else
        Darwin.fsync(fd)
        #endif
    }
}
