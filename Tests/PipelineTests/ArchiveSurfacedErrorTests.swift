import Catalog
import Foundation
import Logging
@testable import Pipeline
import Testing
import TopView

/// Errors the archiver used to drop: a manifest that cannot be saved, an item whose role the catalog does not know.
@Suite struct ArchiveSurfacedErrorTests {
    /// A save that fails comes back on the asset as its error (code `catalog`), so the task needs attention; an asset
    /// that already failed keeps its own error.
    @Test func aManifestThatCannotBeSavedMarksTheAsset() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("archive-save-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try Catalog(root: root)
        let readOnly = try Catalog(root: root, access: .readOnly)
        let id = try TaskID(validating: "save-fails-1")
        let book = ManifestBook(catalog: readOnly, manifest: TaskManifest(taskId: id, kind: "m2v"))
        let saved = await book.save(AssetRecord(scriptId: 0, role: .preview, state: .archived), logger: Logger(label: "test"))
        #expect(saved.state == .archived)
        #expect(saved.error?.code == "catalog", "\(String(describing: saved.error))")
        #expect(saved.error?.message.hasPrefix("the manifest was not saved: ") == true)
        let outcome = Archiver.outcome(task: id.rawValue, snapshot: TaskSnapshot(taskId: id.rawValue, kind: "m2v", status: "success", errorMsg: nil, items: []), records: [saved])
        #expect(outcome.status == .attention)

        let failed = AssetRecord(scriptId: 1, role: .export, state: .failed, error: AssetError(code: "download.http", message: "404"))
        #expect(await book.save(failed, logger: Logger(label: "test")).error?.code == "download.http")
    }

    @Test func anItemOfAnUnknownRoleIsRefusedNotArchivedAsAPreview() throws {
        #expect(try VideoItem(scriptId: 0, role: VideoItem.exportRole).assetRole() == .export)
        #expect(throws: PipelineError.self) { try VideoItem(scriptId: 3, role: "trailer").assetRole() }
        #expect(throws: PipelineError.self) {
            try Archiver.firstOfEach([VideoItem(scriptId: 0, role: "preview"), VideoItem(scriptId: 0, role: "trailer")])
        }
    }
}

/// ``ManifestBook``'s saves run on the blocking pool one at a time: concurrent changes all reach the disk.
@Suite struct ManifestBookTests {
    @Test func concurrentChangesAllReachTheDisk() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-book-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let catalog = try Catalog(root: root)
        let id = try TaskID(validating: "book-1")
        let book = ManifestBook(catalog: catalog, manifest: TaskManifest(taskId: id, kind: "m2v"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<20 {
                group.addTask { try await book.upsert(AssetRecord(scriptId: n, role: .preview, state: .archived)) }
            }
            try await group.waitForAll()
        }
        let onDisk = try #require(try await catalog.manifest(for: id))
        #expect(Set(onDisk.assets.map(\.scriptId)) == Set(0..<20))
        #expect(try await catalog.list().map(\.taskId) == [id.rawValue])
    }
}
