import Foundation
import Testing
@testable import Catalog

struct CatalogStoreTests {
    @Test func saveAndLoadRoundTrip() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("round-trip")
            #expect(try await catalog.manifest(for: id) == nil)
            let manifest = try await archivedManifest(catalog, id)
            try await catalog.save(manifest)
            #expect(try await catalog.manifest(for: id) == manifest)
            let reopened = try Catalog(root: root)
            #expect(try await reopened.manifest(for: id) == manifest)
            let stored = try #require(manifest.asset(scriptId: 1, role: .preview)?.source)
            #expect(stored.url == "https://cdn.example.cloudfront.net/v.mp4")
            #expect(stored.path.hasPrefix("tasks/\(CatalogLayout.shard(of: id))/round-trip/1/preview/"))
        }
    }

    @Test func atomicSaveLeavesOnlyTheManifest() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("atomic")
            var manifest = TaskManifest(taskId: id, kind: "m2v", createdAt: fixedDate())
            for round in 0..<5 {
                manifest.status = "round-\(round)"
                try await catalog.save(manifest)
            }
            let entries = try FileManager.default.contentsOfDirectory(atPath: catalog.layout.taskDirectory(id).path)
            #expect(entries == ["manifest.json"])
            #expect(try await catalog.manifest(for: id)?.status == "round-4")
            let text = try String(contentsOf: catalog.layout.manifestURL(id), encoding: .utf8)
            #expect(text.contains("\"schemaVersion\" : 1"))
        }
    }

    @Test func unparsableManifestIsATypedError() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("broken")
            try await catalog.save(TaskManifest(taskId: id, kind: "m2v"))
            try Data("{\"taskId\": \"broken\", \"assets\": [{]".utf8).write(to: catalog.layout.manifestURL(id))
            await #expect(throws: CatalogError.unparsableManifest) { try await catalog.manifest(for: id) }
            // A manifest copied into another task's directory is not that task's.
            let other = taskID("other")
            try FileManager.default.createDirectory(at: catalog.layout.taskDirectory(other), withIntermediateDirectories: true)
            try Data(#"{"taskId": "someone-else"}"#.utf8).write(to: catalog.layout.manifestURL(other))
            await #expect(throws: CatalogError.unparsableManifest) { try await catalog.manifest(for: other) }
        }
    }

    @Test func saveRefusesAnUnsafeTaskID() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            var manifest = TaskManifest(taskId: taskID("fine"), kind: "m2v")
            manifest.taskId = "../escape"
            await #expect(throws: CatalogError.unsafeTaskID) { try await catalog.save(manifest) }
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("tasks/escape").path))
        }
    }

    /// Three tasks: t-a (script 1 match, script 2 failed), t-b (script 3 mismatch), t-c (script 1 pending).
    func seed(_ catalog: Catalog) async throws {
        try await catalog.save(archivedManifest(catalog, taskID("t-a"), updatedAt: fixedDate(100)))
        var b = TaskManifest(taskId: taskID("t-b"), kind: "m2v", status: "success", createdAt: fixedDate(200))
        b.upsert(AssetRecord(scriptId: 3, role: .export, state: .archived,
                             verification: VerificationRecord(verdict: "mismatch", toleranceUs: 1)))
        try await catalog.save(b)
        var c = TaskManifest(taskId: taskID("t-c"), kind: "other", status: "running", createdAt: fixedDate(300))
        c.upsert(AssetRecord(scriptId: 1, role: .preview, state: .pending))
        try await catalog.save(c)
    }

    @Test func listAndFilterFromTheIndex() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            try await seed(catalog)
            let all = try await catalog.list()
            #expect(all.map(\.taskId) == ["t-c", "t-b", "t-a"])
            let a = try #require(all.last)
            #expect(a.kind == "m2v" && a.status == "success")
            #expect(a.assetCount == 3 && a.archivedCount == 1 && a.failedCount == 1)
            #expect(a.verdicts == ["match"])
            #expect(a.states == ["absent", "archived", "failed"])
            #expect(a.scriptIds == [1, 2])
            #expect(a.updatedAt == fixedDate(100))
            #expect(try await catalog.list(filter: TaskFilter(scriptId: 1)).map(\.taskId) == ["t-c", "t-a"])
            #expect(try await catalog.list(filter: TaskFilter(verdict: "mismatch")).map(\.taskId) == ["t-b"])
            #expect(try await catalog.list(filter: TaskFilter(state: "failed")).map(\.taskId) == ["t-a"])
            #expect(try await catalog.list(filter: TaskFilter(state: "pending")).map(\.taskId) == ["t-c"])
            // One asset must match every criterion: t-a's script 1 is archived, its failed one is script 2.
            #expect(try await catalog.list(filter: TaskFilter(scriptId: 1, state: "failed")).isEmpty)
            #expect(try await catalog.list(filter: TaskFilter(scriptId: 2, state: "failed")).map(\.taskId) == ["t-a"])
            #expect(try await catalog.list(filter: TaskFilter(role: .export)).map(\.taskId) == ["t-b", "t-a"])
            #expect(try await catalog.list(filter: TaskFilter(limit: 1, offset: 1)).map(\.taskId) == ["t-b"])
            #expect(try await catalog.count() == 3)
        }
    }

    @Test func listDoesNotReadManifests() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            try await seed(catalog)
            try Data("garbage".utf8).write(to: catalog.layout.manifestURL(taskID("t-b")))
            #expect(try await catalog.list().count == 3)
        }
    }

    @Test func reindexAfterDeletingTheIndexGivesTheSameList() async throws {
        try await withTemporaryRoot { root in
            let before: [TaskSummary]
            do {
                let catalog = try Catalog(root: root)
                try await seed(catalog)
                before = try await catalog.list()
                #expect(try await catalog.reindex() == 3)
                #expect(try await catalog.list() == before)
            }
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(at: root.appendingPathComponent("index.sqlite" + suffix))
            }
            let reopened = try Catalog(root: root)
            #expect(try await reopened.list() == before)
            #expect(try await reopened.reindex() == 3)
            #expect(try await reopened.list() == before)
        }
    }

    @Test func aCorruptIndexIsRebuilt() async throws {
        try await withTemporaryRoot { root in
            let before: [TaskSummary]
            do {
                let catalog = try Catalog(root: root)
                try await seed(catalog)
                before = try await catalog.list()
            }
            for suffix in ["-wal", "-shm"] {
                try? FileManager.default.removeItem(at: root.appendingPathComponent("index.sqlite" + suffix))
            }
            try Data(repeating: 0x41, count: 8192).write(to: root.appendingPathComponent("index.sqlite"))
            #expect(try await Catalog(root: root).list() == before)
        }
    }

    @Test func anOutdatedIndexSchemaIsRebuilt() async throws {
        try await withTemporaryRoot { root in
            do {
                let catalog = try Catalog(root: root)
                try await seed(catalog)
                try await catalog.sqliteIndex.database.write { db in
                    try db.execute(sql: "DELETE FROM task; PRAGMA user_version = 0")
                }
                #expect(try await catalog.list().isEmpty)
            }
            #expect(try await Catalog(root: root).list().count == 3)
        }
    }

    @Test func twoCatalogsOnOneRootWriteConcurrently() async throws {
        try await withTemporaryRoot { root in
            // Two instances hold separate SQLite connections, as two processes would.
            let first = try Catalog(root: root)
            let second = try Catalog(root: root)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, catalog) in [("p", first), ("q", second)] {
                    group.addTask {
                        for n in 0..<40 {
                            try await catalog.save(TaskManifest(taskId: taskID("\(name)-\(n)"), kind: "m2v",
                                                          createdAt: fixedDate(Double(n))))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await first.count() == 80)
            #expect(try await second.list().count == 80)
            #expect(Set((try await first.allTaskIDs()).map(\.rawValue)).count == 80)
        }
    }

    @Test func listingManyTasksIsFast() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let total = 100_000
            // Expectations stay on the test's task; the thread only works and measures.
            let (all, elapsed, failed, filtered) = try await onOwnThread {
                try catalog.sqliteIndex.database.write { db in
                    for n in 0..<total {
                        var manifest = TaskManifest(taskId: taskID("task-\(n)"), kind: "m2v", status: "success",
                                                    createdAt: fixedDate(Double(n)))
                        manifest.upsert(AssetRecord(scriptId: n % 7, role: .preview, state: n % 10 == 0 ? .failed : .archived,
                                                    verification: VerificationRecord(verdict: n % 3 == 0 ? "mismatch" : "match",
                                                                                     toleranceUs: 1)))
                        manifest.upsert(AssetRecord(scriptId: n % 7, role: .export, state: .absent))
                        try CatalogIndex.upsert(IndexedTask(manifest), in: db)
                    }
                }
                let clock = ContinuousClock()
                var all: [TaskSummary] = []
                let elapsed = try clock.measure { all = try catalog.sqliteIndex.listNow(.all) }
                var failed: [TaskSummary] = []
                let filtered = try clock.measure { failed = try catalog.sqliteIndex.listNow(TaskFilter(scriptId: 3, state: "failed")) }
                return (all, elapsed, failed, filtered)
            }
            #expect(all.count == total)
            #expect(all.first?.taskId == "task-99999")
            // Speed is measured by Tools/bench (case 6), side by side; here only a loose sanity bound on a shared machine.
            #expect(elapsed < .seconds(30), "list of \(total) tasks took \(elapsed)")
            #expect(failed.count == (0..<total).filter { $0 % 7 == 3 && $0 % 10 == 0 }.count)
            #expect(filtered < .seconds(15), "filtered list took \(filtered)")
            print("catalog: list of \(total) tasks \(elapsed), filtered \(filtered)")
        }
    }
}
