import DurableFiles
import Foundation
import Testing
@testable import Catalog

/// A fresh storage root in the temporary directory, removed after `body`.
func withTemporaryRoot<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (URL) async throws -> T
) async throws -> T {
    let root = FileManager.default.temporaryDirectory
        .appendingPathComponent("catalog-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    return try await body(root)
}

/// A date with whole milliseconds, which survives a save and load exactly.
func fixedDate(_ seconds: Double = 1_750_000_000.125) -> Date {
    Date(timeIntervalSince1970: seconds)
}

func taskID(_ raw: String) -> TaskID {
    try! TaskID(validating: raw)
}

/// Stages `contents` and commits them at `file` of the asset; returns the matching record.
func commitFile(
    _ catalog: Catalog,
    _ id: TaskID,
    scriptId: Int,
    role: AssetRole,
    _ file: AssetFile,
    contents: Data,
    url: String? = nil
) async throws -> FileRecord {
    let staged = try catalog.store.stagingFile(for: id, name: "staged-\(UUID().uuidString)")
    try contents.write(to: staged)
    let digest = try sha256(ofFileAt: staged)
    let path = try catalog.layout.assetPath(id, scriptId: scriptId, role: role, file)
    try await catalog.store.commit(staged: staged, to: path)
    return FileRecord(path: path, bytes: Int64(contents.count), sha256: digest, url: url)
}

/// A manifest with one archived preview (real files: source, cover, a rendition, a poster), one absent
/// export, and a failed preview of script 2.
func archivedManifest(_ catalog: Catalog, _ id: TaskID, updatedAt: Date = fixedDate()) async throws -> TaskManifest {
    let source = try await commitFile(catalog, id, scriptId: 1, role: .preview, .source,
                                contents: Data((0..<5000).map { UInt8($0 % 251) }),
                                url: "https://cdn.example.cloudfront.net/v.mp4?X-Amz-Signature=secret")
    let cover = try await commitFile(catalog, id, scriptId: 1, role: .preview, .cover, contents: Data("cover".utf8))
    let rendition = try await commitFile(catalog, id, scriptId: 1, role: .preview, .rendition(preset: "480p"),
                                   contents: Data("rendition bytes".utf8))
    let poster = try await commitFile(catalog, id, scriptId: 1, role: .preview, .poster, contents: Data("poster".utf8))
    var manifest = TaskManifest(taskId: id, kind: "m2v", status: "success", createdAt: fixedDate(), updatedAt: updatedAt)
    manifest.upsert(AssetRecord(
        scriptId: 1, role: .preview, state: .archived, source: source, cover: cover, reportedDurationUs: 5_000_000,
        verification: VerificationRecord(verdict: "match", measuredDurationUs: 5_000_100, deltaUs: 100,
                                         toleranceUs: 100_000, frames: 150),
        poster: ImageRecord(path: poster.path, timeUs: 500_000, width: 640, height: 360),
        renditions: [RenditionRecord(preset: "480p", path: rendition.path, width: 854, height: 480,
                                     bytes: rendition.bytes, sha256: rendition.sha256, durationUs: 5_000_000)]
    ))
    manifest.upsert(AssetRecord(scriptId: 1, role: .export, state: .absent))
    manifest.upsert(AssetRecord(scriptId: 2, role: .preview, state: .failed,
                                error: AssetError(code: "4004", message: "render failed upstream")))
    return manifest
}

/// Runs long synchronous work (thousands of index writes) on a thread of its own, so that it does not hold one of the
/// cooperative pool's few threads while the other suites' clocks run.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

extension Catalog {
    /// The embedded index, for tests that reach into its SQLite database.
    var sqliteIndex: CatalogIndex { index as! CatalogIndex }
}
