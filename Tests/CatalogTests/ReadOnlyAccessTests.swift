import DurableFiles
import Foundation
import GRDB
import Testing
@testable import Catalog

/// A catalog opened `.readOnly` reads what a writable one wrote, creates nothing and refuses every change. (A real
/// read-only mount, where root's writes fail too, is tested through the `reel` binary in `ReadOnlyCatalogTests`.)
@Suite struct ReadOnlyAccessTests {
    @Test func readsWithoutCreatingAnythingAndRefusesChanges() async throws {
        try await withTemporaryRoot { root in
            let writer = try Catalog(root: root)
            let id = taskID("task-ro")
            try await writer.save(archivedManifest(writer, id))
            // No index and no lock files, as in a backup copied without them: the listing comes from the manifests.
            for name in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm", ".index.lock"] {
                try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
            }
            try? FileManager.default.removeItem(at: writer.layout.lockURL(id))
            let before = try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted()

            let reader = try Catalog(root: root, access: .readOnly)
            #expect(try await reader.list().map(\.taskId) == ["task-ro"])
            #expect(try await reader.list(filter: TaskFilter(state: "failed")).map(\.taskId) == ["task-ro"])
            #expect(try await reader.manifest(for: id)?.assets.count == 3)
            #expect(try await reader.verifyAll() == [])

            await #expect(throws: CatalogError.readOnly) { try await reader.save(TaskManifest(taskId: taskID("other"), kind: "m2v")) }
            await #expect(throws: CatalogError.readOnly) { _ = try await reader.reindex() }
            await #expect(throws: CatalogError.readOnly) { try await reader.withTaskLock(id) {} }
            #expect(try FileManager.default.subpathsOfDirectory(atPath: root.path).sorted() == before)
        }
    }

    @Test func aMissingRootIsAnErrorNotCreated() async throws {
        try await withTemporaryRoot { base in
            let missing = base.appendingPathComponent("nowhere")
            #expect(throws: CatalogError.io) { _ = try Catalog(root: missing, access: .readOnly) }
            #expect(!FileManager.default.fileExists(atPath: missing.path))
        }
    }

    /// An index of another schema version is not rebuilt by a reader: it lists from the manifests instead.
    @Test func anOutdatedIndexIsReadFromTheManifests() async throws {
        try await withTemporaryRoot { root in
            let writer = try Catalog(root: root)
            try await writer.save(archivedManifest(writer, taskID("task-old")))
            try await writer.sqliteIndex.database.write { db in
                try db.execute(sql: "DELETE FROM task; PRAGMA user_version = 0")
            }
            let reader = try Catalog(root: root, access: .readOnly)
            #expect(try await reader.list().map(\.taskId) == ["task-old"])
            #expect(try await writer.sqliteIndex.database.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == 0)
        }
    }

    /// A shared lock on an existing `.index.lock` waits for a writer's exclusive one (a rebuild in progress).
    @Test func aReaderWaitsForTheIndexLock() async throws {
        try await withTemporaryRoot { root in
            _ = try Catalog(root: root)
            let writer = try FileLock(path: root.appendingPathComponent(".index.lock").path)
            #expect(try writer.tryLock())
            let reader = try #require(FileLock(sharedExisting: root.appendingPathComponent(".index.lock").path))
            #expect(try !reader.tryLock())
            writer.close()
            #expect(try reader.tryLock())
            let second = try #require(FileLock(sharedExisting: root.appendingPathComponent(".index.lock").path))
            #expect(try second.tryLock(), "readers share the lock")
            #expect(FileLock(sharedExisting: root.appendingPathComponent("absent.lock").path) == nil)
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("absent.lock").path))
        }
    }

    @Test func uriEscapingKeepsAPathIntact() {
        #expect(CatalogIndex.uriEscaped("/a b/c?d#e%f/index.sqlite") == "/a%20b/c%3Fd%23e%25f/index.sqlite")
    }
}
