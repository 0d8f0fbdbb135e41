import Crypto
import Foundation
import Synchronization

/// The file a download streams into, with the SHA-256 of the bytes written so far and the validators of the
/// response they came from. Shared between the attempt's task and its caller behind a mutex.
final class StagingFile: Sendable {
    struct Validators: Sendable {
        var etag: String?
        var lastModified: String?
        var contentType: String?
        /// The full length of the file, from `Content-Length` of a 200 or the total of a `Content-Range`.
        var total: Int64?

        /// The value for `If-Range`: a strong ETag, else Last-Modified (RFC 9110 §13.1.5).
        var ifRange: String? {
            if let etag, !etag.hasPrefix("W/") { return etag }
            return lastModified
        }
    }

    private struct State {
        var descriptor: Int32
        var bytes: Int64 = 0
        var hasher = SHA256()
        var validators = Validators()
    }

    let url: URL
    private let state: Mutex<State>

    /// Creates or truncates the file.
    init(url: URL) throws(DownloadError) {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw DownloadError(.fileSystem, url: "", reason: "cannot open staging file \(url.path): \(Self.errnoText())")
        }
        self.url = url
        self.state = Mutex(State(descriptor: descriptor))
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 { _ = close(state.descriptor) }
        }
    }

    var bytes: Int64 { state.withLock { $0.bytes } }
    var validators: Validators { state.withLock { $0.validators } }

    func setValidators(_ validators: Validators) {
        state.withLock { $0.validators = validators }
    }

    /// Empties the file and the hash: the next bytes are a new file's first bytes.
    func restart() throws(DownloadError) {
        try state.withLock { (state: inout State) throws(DownloadError) in
            guard ftruncate(state.descriptor, 0) == 0 else { throw fileError("cannot truncate") }
            state.bytes = 0
            state.hasher = SHA256()
            state.validators = Validators()
        }
    }

    /// Appends `buffer` to the file and the hash; returns the new length.
    func append(_ buffer: UnsafeRawBufferPointer) throws(DownloadError) -> Int64 {
        try state.withLock { (state: inout State) throws(DownloadError) -> Int64 in
            var written = 0
            while written < buffer.count {
                let result = pwrite(state.descriptor, buffer.baseAddress! + written, buffer.count - written, off_t(state.bytes) + off_t(written))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw fileError(errno == ENOSPC ? "the disk is full" : "cannot write")
                }
                written += result
            }
            state.hasher.update(bufferPointer: buffer)
            state.bytes += Int64(buffer.count)
            return state.bytes
        }
    }

    /// Flushes the file to disk and returns its length and hash.
    func finish() throws(DownloadError) -> (bytes: Int64, sha256: String) {
        try state.withLock { (state: inout State) throws(DownloadError) in
            guard fsync(state.descriptor) == 0 else { throw fileError("cannot fsync") }
            let digest = state.hasher.finalize()
            return (state.bytes, digest.map { String(format: "%02x", $0) }.joined())
        }
    }

    /// Bytes free for an unprivileged user on the file's volume.
    func availableSpace() -> Int64? {
        var info = statvfs()
        guard statvfs(url.deletingLastPathComponent().path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    private func fileError(_ what: String) -> DownloadError {
        DownloadError(.fileSystem, url: "", reason: "\(what) staging file \(url.path): \(Self.errnoText())")
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
