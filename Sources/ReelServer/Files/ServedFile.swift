#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A catalog file opened for serving, without following a symbolic link in any component: each directory below the
/// root is opened with `O_NOFOLLOW | O_DIRECTORY` relative to its parent, the file with `O_NOFOLLOW | O_NONBLOCK`
/// (a FIFO cannot block the open), and the descriptor is checked with `fstat` to be a regular file. What is then read
/// is that descriptor: no path is looked up again, so nothing can be swapped between the check and the bytes.
/// One owner for the descriptor, closed in `deinit`; reads are `pread`, safe from any thread.
final class ServedFile: Sendable {
    let descriptor: Int32
    let size: Int64
    /// Modification time, seconds and nanoseconds since 1970.
    let modified: (seconds: Int, nanoseconds: Int)

    private init(descriptor: Int32, size: Int64, modified: (Int, Int)) {
        self.descriptor = descriptor
        self.size = size
        self.modified = modified
    }

    deinit { close(descriptor) }

    /// Opens `components` under `root` (a trusted, configured directory), or nil when any component is missing, a
    /// symbolic link, not a directory where one is needed, or the last one is not a regular file.
    static func open(root: String, components: [String]) -> ServedFile? {
        guard !components.isEmpty else { return nil }
        var directory = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return nil }
        for component in components.dropLast() {
            let next = openat(directory, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(directory)
            guard next >= 0 else { return nil }
            directory = next
        }
        let fd = openat(directory, components[components.count - 1], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        close(directory)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        return ServedFile(descriptor: fd, size: Int64(info.st_size),
                          modified: (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)))
    }

    /// Reads up to `count` bytes at `offset` (fewer only at the end of the file); throws on an I/O error.
    func read(at offset: Int64, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw ServedFileError(errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        bytes.removeLast(count - done)
        return bytes
    }

    /// A strong validator: size and modification time to the nanosecond (the catalog never rewrites a file in place).
    var etag: String {
        "\"" + String(size, radix: 16) + "-" + String(modified.seconds, radix: 16) + "." + String(modified.nanoseconds, radix: 16) + "\""
    }
}

struct ServedFileError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { "reading a catalog file failed: \(String(cString: strerror(errno)))" }
}
