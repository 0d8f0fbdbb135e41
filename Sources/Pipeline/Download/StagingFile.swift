import Crypto
import DurableFiles
import Foundation
import ReelBasics
import Synchronization

/// The file a download streams into, with the SHA-256 of the bytes written so far and the validators of the
/// response they came from. Shared between the attempt's task and its caller behind a mutex.
///
/// A file kept across restarts (``Downloader/download(from:to:keepingPartial:progress:)``) also keeps a sidecar
/// (``PartialSidecar``): written when a response's validators arrive, rewritten at each checkpoint (the data
/// fsynced every ``PartialDownload/checkpointBytes``), removed when the file starts over.
final class StagingFile: Sendable {
    /// Where a download kept across a restart goes on: the bytes to keep, their hash, the validators they came with.
    struct Resume {
        let bytes: Int64
        let hasher: SHA256
        let validators: Validators
    }

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
        /// Bytes fsynced at the last checkpoint (kept files only).
        var synced: Int64 = 0
    }

    let url: URL
    /// The redacted URL the sidecar names, when the file is kept across restarts; `nil` otherwise.
    private let keptFor: String?
    private let state: Mutex<State>

    /// Creates or truncates the file; or, with `resume`, keeps its first `resume.bytes` bytes and goes on from there.
    /// With `keptFor` (the download's URL), a sidecar is kept beside the file for a resume after a restart.
    init(url: URL, keptFor: String? = nil, resume: sending Resume? = nil) throws(DownloadError) {
        let flags = resume == nil ? O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC : O_WRONLY | O_CREAT | O_CLOEXEC
        let descriptor = open(url.path, flags, 0o644)
        guard descriptor >= 0 else {
            throw DownloadError(.fileSystem, url: "", reason: "cannot open staging file \(url.path): \(Self.errnoText())")
        }
        var state = State(descriptor: descriptor)
        if let resume {
            guard ftruncate(descriptor, off_t(resume.bytes)) == 0 else {
                let text = Self.errnoText()
                _ = close(descriptor)
                throw DownloadError(.fileSystem, url: "", reason: "cannot truncate staging file \(url.path): \(text)")
            }
            state.bytes = resume.bytes
            state.hasher = resume.hasher
            state.validators = resume.validators
            state.synced = resume.bytes
        } else if keptFor != nil {
            PartialDownload.forget(url)
        }
        self.url = url
        self.keptFor = keptFor.map(DownloadError.redact)
        self.state = Mutex(state)
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 { _ = close(state.descriptor) }
        }
    }

    var bytes: Int64 { state.withLock { $0.bytes } }
    var validators: Validators { state.withLock { $0.validators } }

    /// Records the validators of the response the next bytes come from (and, for a kept file, its sidecar).
    func setValidators(_ validators: Validators) throws(DownloadError) {
        try state.withLock { (state: inout State) throws(DownloadError) in
            state.validators = validators
            try writeSidecar(state)
        }
    }

    /// Empties the file and the hash: the next bytes are a new file's first bytes. A kept file's sidecar goes.
    func restart() throws(DownloadError) {
        try state.withLock { (state: inout State) throws(DownloadError) in
            guard ftruncate(state.descriptor, 0) == 0 else { throw fileError("cannot truncate") }
            state.bytes = 0
            state.hasher = SHA256()
            state.validators = Validators()
            state.synced = 0
            if keptFor != nil { PartialDownload.forget(url) }
        }
    }

    /// The sidecar of a kept file, as `state` says. Call with the lock held.
    private func writeSidecar(_ state: State) throws(DownloadError) {
        guard let keptFor else { return }
        let v = state.validators
        let sidecar = PartialSidecar(url: keptFor, etag: v.etag, lastModified: v.lastModified, contentType: v.contentType,
                                     total: v.total, syncedBytes: state.synced, bootId: PartialDownload.bootId,
                                     updatedAt: StoredJSON.now())
        do {
            try PartialDownload.save(sidecar, for: url)
        } catch {
            throw DownloadError(.fileSystem, url: "", reason: "cannot write the sidecar of \(url.path): \(error.reason)")
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
            if keptFor != nil, state.bytes - state.synced >= PartialDownload.checkpointBytes {
                // A checkpoint: these bytes survive a reboot too.
                guard fsync(state.descriptor) == 0 else { throw fileError("cannot fsync") }
                state.synced = state.bytes
                try writeSidecar(state)
            }
            return state.bytes
        }
    }

    /// Flushes the file to disk and returns its length and hash.
    func finish() throws(DownloadError) -> (bytes: Int64, sha256: String) {
        try state.withLock { (state: inout State) throws(DownloadError) in
            guard fsync(state.descriptor) == 0 else { throw fileError("cannot fsync") }
            let digest = state.hasher.finalize()
            return (state.bytes, hexString(digest))
        }
    }

    /// Bytes free for an unprivileged user on the file's volume.
    func availableSpace() -> Int64? {
        FileIO.freeSpace(at: url.deletingLastPathComponent().path)
    }

    private func fileError(_ what: String) -> DownloadError {
        DownloadError(.fileSystem, url: "", reason: "\(what) staging file \(url.path): \(Self.errnoText())")
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
