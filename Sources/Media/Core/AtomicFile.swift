import Foundation

/// Writes beside the final name, then renames: a reader never sees half a file, and after a crash the final name
/// holds either the old file or the whole new one. Durable once `commit` returns: the content is fsynced before the
/// rename and the directory after it (without the second fsync the rename itself may be lost on power failure).
enum AtomicFile {
    /// The hidden temporary name beside `path` that a write goes to first.
    static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial").path
    }

    /// Writes `data` to `path` atomically and durably. The temporary file is removed when anything fails.
    static func write(_ data: Data, to path: String) throws(MediaError) {
        let temp = temporaryPath(for: path)
        do {
            try data.write(to: URL(fileURLWithPath: temp))
        } catch {
            unlink(temp)
            throw MediaError.writing("writing \(path)", error)
        }
        try commit(temp, to: path)
    }

    /// fsyncs `temp`, renames it to `path` and fsyncs the directory that holds both. On failure before the
    /// rename, `temp` is removed and `path` is untouched.
    static func commit(_ temp: String, to path: String) throws(MediaError) {
        do throws(MediaError) {
            try sync(temp, what: "syncing \(temp)")
        } catch {
            unlink(temp)
            throw error
        }
        if rename(temp, path) != 0 {
            let code = errno
            unlink(temp)
            throw MediaError.writing("renaming \(temp) to \(path)", errno: code)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try sync(directory, what: "syncing the directory \(directory)", flags: O_DIRECTORY)
    }

    /// Opens `path` read-only, fsyncs it and closes it.
    private static func sync(_ path: String, what: String, flags: Int32 = 0) throws(MediaError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | flags)
        guard fd >= 0 else { throw MediaError.writing(what, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw MediaError.writing(what, errno: errno) }
    }
}
