import Foundation
import NIOCore
import NIOPosix
import ObjectStore

/// The bytes a `/files/…` response serves, wherever they are: a local file opened without following links
/// (``ServedFile``) or an object in the store (``StoredObject``). ``FileResponse`` does the HTTP (ranges, validators).
protocol ServedContent: Sendable {
    var size: Int64 { get }
    var etag: String { get }
    /// Seconds since 1970, for `Last-Modified`.
    var modifiedSeconds: Int { get }
    /// Hands `length` bytes from `offset` to `emit`, in pieces; throws if fewer come.
    func read(offset: Int64, length: Int64, _ emit: (ByteBuffer) async throws -> Void) async throws
}

extension ServedFile: ServedContent {
    var modifiedSeconds: Int { modified.seconds }

    func read(offset: Int64, length: Int64, _ emit: (ByteBuffer) async throws -> Void) async throws {
        var done: Int64 = 0
        while done < length {
            let count = Int(min(Int64(FileResponse.chunkBytes), length - done))
            let at = offset + done
            let bytes = try await NIOThreadPool.singleton.runIfActive { try self.read(at: at, count: count) }
            guard !bytes.isEmpty else { throw ServedFileError(errno: EIO) } // the file shrank under us
            try await emit(ByteBuffer(bytes: bytes))
            done += Int64(bytes.count)
        }
    }
}

/// An object of the S3 store: its HEAD, and one ranged GET per piece served (streamed, never buffered whole).
struct StoredObject: ServedContent {
    let client: S3Client
    let key: String
    let head: S3Client.Head

    var size: Int64 { head.size }
    /// The store's ETag, quoted as HTTP wants it.
    var etag: String { head.etag.hasPrefix("\"") ? head.etag : "\"\(head.etag)\"" }
    var modifiedSeconds: Int { head.modified }

    func read(offset: Int64, length: Int64, _ emit: (ByteBuffer) async throws -> Void) async throws {
        guard length > 0 else { return }
        guard let response = try await client.stream(key, range: "bytes=\(offset)-\(offset + length - 1)", ifMatch: head.etag) else {
            throw ServedFileError(errno: ENOENT)
        }
        var received: Int64 = 0
        for try await buffer in response.body {
            received += Int64(buffer.readableBytes)
            guard received <= length else { throw ServedFileError(errno: EIO) }
            try await emit(buffer)
        }
        guard received == length else { throw ServedFileError(errno: EIO) } // the object changed or the stream broke
    }
}
