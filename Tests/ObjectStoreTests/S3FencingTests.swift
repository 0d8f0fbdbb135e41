import Catalog
import Foundation
import Synchronization
import Testing

/// A holder paused past its lease finds, when it resumes, that the manifest in the bucket names another holder: its
/// writes are refused by the store (a real 412 on `If-Match`) and counted; the new holder's work stands.
@Suite("Manifest fencing on S3", .enabled(if: S3TestServer.available))
struct S3FencingTests {
    /// Locks that never make anyone wait: what a paused holder sees once its lease expired and another took the task.
    struct ExpiredLocks: TaskLocks {
        func withLock<T>(_ id: TaskID, layout: CatalogLayout, timeout: Duration?, isolation: isolated (any Actor)?,
                         _ body: () async throws -> T) async throws -> T {
            try await body()
        }
    }

    @Test func aFormerHolderIsRefusedAndTheNewHoldersWorkStands() async throws {
        try await S3TestServer.withStore { store in
            let roots = FileManager.default.temporaryDirectory.appendingPathComponent("reel-fence-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: roots) }
            let refused = Mutex(0)
            var former = try Catalog(root: roots.appendingPathComponent("a"), store: store, locks: ExpiredLocks())
            former.onFencedWrite = { refused.withLock { $0 += 1 } }
            let current = try Catalog(root: roots.appendingPathComponent("b"), store: store, locks: ExpiredLocks())
            let id = try TaskID(validating: "fenced-\(UUID().uuidString.prefix(8).lowercased())")
            try await current.withTaskLock(id) { try await current.save(TaskManifest(taskId: id, kind: "m2v", status: "start")) }

            try await former.withTaskLock(id) {
                var mine = try #require(try await former.manifest(for: id))
                // Paused here; meanwhile another process takes the task and writes.
                try await current.withTaskLock(id) {
                    var theirs = try #require(try await current.manifest(for: id))
                    theirs.status = "new holder"
                    try await current.save(theirs)
                }
                mine.status = "former holder"
                await #expect(throws: ManifestConflict.self) { try await former.save(mine) }
                await #expect(throws: ManifestConflict.self, "a read naming another holder is a lost task") {
                    _ = try await former.manifest(for: id)
                }
            }
            let final = try #require(try await current.manifest(for: id))
            #expect(final.status == "new holder")
            #expect(final.writer != nil)
            #expect(refused.withLock { $0 } == 2)
        }
    }
}
