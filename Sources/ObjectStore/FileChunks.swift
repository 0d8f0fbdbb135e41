import Foundation
import NIOCore
import ReelBasics
#if canImport(Glibc)
import Glibc
#endif

/// `length` bytes of a local file from `offset`, as an async sequence of 1 MiB buffers read on the blocking pool: an
/// upload's body, pulled as the connection takes it (at most one chunk in memory per upload).
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL
    let offset: Int64
    let length: Int64
    static let chunk = 1 << 20

    func makeAsyncIterator() -> Iterator { Iterator(url: url, position: offset, end: offset + length) }

    final class Iterator: AsyncIteratorProtocol, @unchecked Sendable {
        // Used by one consumer at a time (the request writer), as an AsyncIterator is.
        private let url: URL
        private var position: Int64
        private let end: Int64
        private var fd: Int32 = -1

        init(url: URL, position: Int64, end: Int64) {
            self.url = url
            self.position = position
            self.end = end
        }

        deinit { if fd >= 0 { close(fd) } }

        func next() async throws -> ByteBuffer? {
            guard position < end else { return nil }
            if fd < 0 {
                fd = open(url.path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            }
            let (fd, position, count) = (self.fd, self.position, Int(Swift.min(Int64(FileChunks.chunk), end - self.position)))
            let buffer = try await BlockingPool.shared.run { () throws -> ByteBuffer in
                var buffer = ByteBufferAllocator().buffer(capacity: count)
                let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                    pread(fd, raw.baseAddress, count, off_t(position))
                }
                guard read == count else { throw POSIXError(read < 0 ? (POSIXErrorCode(rawValue: errno) ?? .EIO) : .EIO) }
                return buffer
            }
            self.position += Int64(count)
            return buffer
        }
    }
}

/// A local file written from response bodies on the blocking pool, each piece at its offset, then fsynced.
final class FileSink: @unchecked Sendable {
    // One writer at a time (the response loop).
    private let fd: Int32
    let url: URL

    init(_ url: URL) throws {
        self.url = url
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Writes `buffer` at `offset` (pwrite: several writers may fill different ranges at once).
    func write(_ buffer: ByteBuffer, at offset: Int64) async throws {
        let fd = self.fd
        try await BlockingPool.shared.run { () throws in
            try buffer.withUnsafeReadableBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                    }
                    done += n
                }
            }
        }
    }

    func sync() async throws {
        let fd = self.fd
        try await BlockingPool.shared.run { () throws in
            guard fsync(fd) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }

    func close() { Glibc.close(fd) }
}
