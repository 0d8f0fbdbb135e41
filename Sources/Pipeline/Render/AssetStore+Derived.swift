import Catalog
import DurableFiles
import Foundation
import Media
import ReelBasics

/// Committing what a decode pass made (stills, storyboards, renditions) and the record of each: the one place both the
/// archiver and `reel render` put a derived file into the store, so their records cannot differ.
extension AssetStore {
    /// Hashes the complete local file `staged` and commits it at `relativePath`: the size and digest returned are
    /// those of the bytes committed (the staged file is consumed).
    func commitHashed(_ staged: URL, to relativePath: String) async throws -> (bytes: Int64, sha256: String) {
        // Reading the whole file: on the blocking pool, not the cooperative one.
        let digest = try await BlockingPool.shared.run { try stagedDigest(staged) }
        guard let bytes = FileIO.size(staged.path) else { throw CatalogError.io("commit: no staged file", staged.path, errno: ENOENT) }
        try await commit(staged: staged, to: relativePath, sha256: digest)
        return (bytes, digest)
    }

    /// Commits rendition `r` (encoded in the staging area) at `relativePath`; returns its record.
    func commitRendition(_ r: RenditionResult, to relativePath: String) async throws -> RenditionRecord {
        let stored = try await commitHashed(URL(fileURLWithPath: r.path), to: relativePath)
        return RenditionRecord(preset: r.preset, path: relativePath, width: r.width, height: r.height, bytes: stored.bytes,
                               sha256: stored.sha256, durationUs: r.durationUs)
    }

    /// Commits a still (poster or thumbnail) at `relativePath`; returns its record.
    func commitStill(_ still: StillImage, to relativePath: String) async throws -> ImageRecord {
        let stored = try await commitHashed(URL(fileURLWithPath: still.path), to: relativePath)
        return ImageRecord(path: relativePath, timeUs: still.timeUs, width: still.width, height: still.height,
                           bytes: stored.bytes, sha256: stored.sha256)
    }

    /// Commits a storyboard's sprite and WebVTT at `sprite` and `vtt`; returns its record.
    func commitStoryboard(_ board: StoryboardResult, sprite: String, vtt: String) async throws -> StoryboardRecord {
        let spriteFile = try await commitHashed(URL(fileURLWithPath: board.sprite), to: sprite)
        let vttFile = try await commitHashed(URL(fileURLWithPath: board.vtt), to: vtt)
        return StoryboardRecord(sprite: sprite, vtt: vtt, spriteSha256: spriteFile.sha256, vttSha256: vttFile.sha256)
    }

    /// Whether the file `record` describes is whole in the store: the recorded size, and the recorded SHA-256 when
    /// `hashing` (a read of every byte). A missing record, file or unsafe path is not intact.
    func holds(_ record: FileRecord?, hashing: Bool) async -> Bool {
        guard let record, (try? await size(relativePath: record.path)) == record.bytes else { return false }
        guard hashing else { return true }
        // A checksum the store verified the bytes against when they were written answers without reading them back.
        if let recorded = try? await recordedSHA256(relativePath: record.path) { return recorded == record.sha256 }
        return (try? await sha256(relativePath: record.path)) == record.sha256
    }
}

/// ``Catalog/sha256(ofFileAt:)`` under a name the store's `sha256(relativePath:)` does not hide.
private func stagedDigest(_ url: URL) throws -> String {
    try sha256(ofFileAt: url)
}
