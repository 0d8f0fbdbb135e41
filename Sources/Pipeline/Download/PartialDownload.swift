import Catalog
import DurableFiles
import Crypto
import Foundation
import ReelBasics

/// The sidecar of a download kept across restarts (`<file>.json` beside the file, see `CatalogLayout.partialFile`):
/// what a resume after a restart needs to ask for the rest with `Range` + `If-Range`, and how many bytes are safe.
struct PartialSidecar: Codable, Sendable, Equatable {
    /// The URL without its query string (signed URLs are secrets and change with each query of the task).
    var url: String
    var etag: String?
    var lastModified: String?
    var contentType: String?
    /// The full length of the file, when the server said it.
    var total: Int64?
    /// Bytes fsynced at the last checkpoint: all a resume may trust after the machine restarted.
    var syncedBytes: Int64
    /// The kernel's boot id when written: within one boot, every byte written survives a killed process (the page
    /// cache outlives it), so the whole file can be resumed; after a reboot only `syncedBytes`.
    var bootId: String?
    var updatedAt: Date
}

/// Reading, writing and resuming partial downloads.
enum PartialDownload {
    /// A checkpoint (fsync of the data, then of the sidecar) every this many bytes.
    static let checkpointBytes: Int64 = 8 << 20

    /// This boot's id (`/proc/sys/kernel/random/boot_id`), `nil` where there is none.
    static let bootId: String? = {
        guard let data = FileManager.default.contents(atPath: "/proc/sys/kernel/random/boot_id") else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }()

    static func sidecarURL(of data: URL) -> URL { CatalogLayout.partialSidecar(of: data) }

    static func load(_ data: URL) -> PartialSidecar? {
        guard case .read(let bytes) = FileIO.read(sidecarURL(of: data).path, limit: 64 << 10) else { return nil }
        return try? StoredJSON.decoder().decode(PartialSidecar.self, from: bytes)
    }

    static func save(_ sidecar: PartialSidecar, for data: URL) throws(FileError) {
        let encoded: Data
        do { encoded = try StoredJSON.encoder().encode(sidecar) } catch { return }
        try FileIO.writeAtomically(encoded, to: sidecarURL(of: data))
    }

    /// Removes the sidecar (the data file was committed, or is no longer resumable).
    static func forget(_ data: URL) {
        try? FileIO.removeFile(sidecarURL(of: data).path)
    }

    /// What a download of `url` into `data` can resume from: the bytes to keep (a sidecar for the same URL, with a
    /// validator for `If-Range`) and their hash, computed on the blocking pool (the file may be gigabytes).
    ///
    /// The bytes are adopted (``adopt(_:upTo:)``): copied into a new file that replaces `data`, because the run that
    /// wrote them may still hold `data` open — a worker paused past its lease, which truncates or appends through its
    /// descriptor when it resumes, before it learns that it lost the task. Its writes then land in the old file, which
    /// no name reaches any more, never in the file this run resumes and commits into the catalog.
    static func resumeState(of data: URL, url: String) async -> StagingFile.Resume? {
        guard let sidecar = load(data), sidecar.url == DownloadError.redact(url),
              sidecar.etag.map({ !$0.hasPrefix("W/") }) == true || sidecar.lastModified != nil,
              let size = FileIO.size(data.path) else { return nil }
        let trusted = sidecar.bootId != nil && sidecar.bootId == bootId ? size : min(size, sidecar.syncedBytes)
        let bytes = sidecar.total.map { min(trusted, $0) } ?? trusted
        guard bytes > 0 else { return nil }
        let path = data.path
        let hasher = await BlockingPool.shared.run { HasherHandOff(adopt(path, upTo: bytes)) }.hasher
        guard let hasher else { return nil }
        let validators = StagingFile.Validators(etag: sidecar.etag, lastModified: sidecar.lastModified,
                                                contentType: sidecar.contentType, total: sidecar.total)
        return StagingFile.Resume(bytes: bytes, hasher: hasher, validators: validators)
    }

    /// Copies the first `count` bytes of the file at `path` into a new file (`<name>.adopt-<random>.tmp` beside it,
    /// fsynced) and renames that over `path`; returns the SHA-256 state after those bytes, `nil` (and `path` as it
    /// was) when the file is shorter or cannot be copied. A descriptor another process holds on the old file keeps
    /// the old file, which no name reaches any more.
    static func adopt(_ path: String, upTo count: Int64) -> SHA256? {
        let temporary = path + ".adopt-" + FileIO.randomSuffix() + ".tmp"
        let target = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard target >= 0 else { return nil }
        var hasher = SHA256()
        let copied = try? FileIO.readChunks(path, upTo: count) { chunk throws(FileError) in
            try FileIO.writeAll(target, chunk, path: temporary)
            hasher.update(bufferPointer: chunk)
        }
        close(target)
        guard copied == count, (try? FileIO.commit(temporary, to: path)) != nil else {
            unlink(temporary)
            return nil
        }
        return hasher
    }
}

/// Carries a digest state from the blocking pool's thread back to the task that resumes the download.
/// `@unchecked Sendable`: swift-crypto does not mark `SHA256` Sendable; the state is made on the pool, handed over once
/// and never touched by the pool again, so no two threads ever use it at the same time.
private struct HasherHandOff: @unchecked Sendable {
    let hasher: SHA256?
    init(_ hasher: SHA256?) { self.hasher = hasher }
}
