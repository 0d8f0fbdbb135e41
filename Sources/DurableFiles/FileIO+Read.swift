import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileIO {
    /// What ``read(_:limit:)`` found at a path.
    public enum BoundedRead: Sendable {
        /// Nothing is there (or a path component is not a directory).
        case missing
        /// The whole file.
        case read(Data)
        /// A file larger than the reader's limit: not one this program wrote, whatever its contents.
        case tooLarge(size: Int64, limit: Int64)
        /// A directory where a file was expected.
        case directory
        /// The file could not be read.
        case failed(FileError)

        /// Why what is there cannot be the file the reader wants (`"a directory"`, `"larger than N bytes"`), for the
        /// message of a file moved aside; `nil` when it was read, is missing or failed.
        public var unfit: String? {
            switch self {
            case .tooLarge(_, let limit): "larger than \(limit) bytes"
            case .directory: "a directory"
            case .missing, .read, .failed: nil
            }
        }
    }

    /// Reads a whole file of at most `limit` bytes. The job files, the watch list, the manifests and the partial
    /// downloads' sidecars are all read through this one function.
    public static func read(_ path: String, limit: Int64) -> BoundedRead {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return .missing }
            if errno == EISDIR { return .directory }
            return .failed(FileError("open", path, errno: errno))
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { return .failed(FileError("fstat", path, errno: errno)) }
        if (info.st_mode & S_IFMT) == S_IFDIR { return .directory }
        if Int64(info.st_size) > limit { return .tooLarge(size: Int64(info.st_size), limit: limit) }
        var data = Data(count: Int(info.st_size))
        var filled = 0
        let failure: Int32 = data.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return 0 }
            while filled < buffer.count {
                let count = systemRead(fd, base + filled, buffer.count - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { break }
                filled += count
            }
            return 0
        }
        if failure == EISDIR { return .directory }
        if failure != 0 { return .failed(FileError("read", path, errno: failure)) }
        return .read(data.prefix(filled))
    }

    /// The whole file at `path` when it has at most `limit` bytes; `nil` if there is none. A larger file
    /// (`EFBIG`), a directory (`EISDIR`) and a failed read throw: for readers with nothing to move aside.
    public static func readFile(_ path: String, limit: Int64) throws(FileError) -> Data? {
        switch read(path, limit: limit) {
        case .missing: return nil
        case .read(let data): return data
        case .tooLarge: throw FileError("read (over \(limit) bytes)", path, errno: EFBIG)
        case .directory: throw FileError("read", path, errno: EISDIR)
        case .failed(let error): throw error
        }
    }

    /// Reads the file at `path` from its start in chunks of 1 MiB, up to `limit` bytes (the whole file when nil), and
    /// hands each chunk to `body`; returns the bytes read (fewer than `limit` when the file is shorter). Memory stays at
    /// one chunk whatever the file's size.
    @discardableResult
    public static func readChunks(_ path: String, upTo limit: Int64? = nil,
                                  _ body: (UnsafeRawBufferPointer) throws(FileError) -> Void) throws(FileError) -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw FileError("open", path, errno: errno) }
        defer { close(fd) }
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while limit.map({ total < $0 }) ?? true, let base = buffer.baseAddress {
            let wanted = limit.map { Int(min(Int64(chunk), $0 - total)) } ?? chunk
            let count = systemRead(fd, base, wanted)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError("read", path, errno: errno)
            }
            if count == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += Int64(count)
        }
        return total
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(fd, buffer, count)
        #else
        Darwin.read(fd, buffer, count)
        #endif
    }
}
