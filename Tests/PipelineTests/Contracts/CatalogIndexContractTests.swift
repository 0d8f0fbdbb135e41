import Catalog
import Foundation
import Synchronization
import Testing
@testable import Pipeline

/// The behaviour every ``CatalogIndexStore`` promises — `index.sqlite` under the storage root and PostgreSQL's
/// `reel_tasks`/`reel_assets` — checked through two handles, as two processes see one index.
@Suite("Catalog index contract")
struct CatalogIndexContractTests {
    static func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: 1_750_000_000 + seconds) }

    /// A task with `assets` as (script, role, state, verdict).
    static func task(_ id: String, at seconds: Double, status: String? = "success", kind: String = "m2v",
                     _ assets: [(Int, AssetRole, AssetState, String?)]) -> IndexedTask {
        var manifest = TaskManifest(taskId: try! TaskID(validating: id), kind: kind, status: status, createdAt: at(0))
        for (script, role, state, verdict) in assets {
            manifest.upsert(AssetRecord(scriptId: script, role: role, state: state,
                                        verification: verdict.map { VerificationRecord(verdict: $0, toleranceUs: 1) }))
        }
        manifest.updatedAt = at(seconds)
        return IndexedTask(manifest)
    }

    /// The manifest "on disk" in a race of saves.
    final class Disk: Sendable { let saved = Mutex<IndexedTask?>(nil) }

    static func put(_ index: any CatalogIndexStore, _ task: IndexedTask) async throws {
        try await index.upsert(task, current: { nil })
    }

    @Test(arguments: DeploymentBackend.available)
    func rowsRoundTripNewestFirst(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let index = try f.catalogIndex()
            let a = Self.task("task-a", at: 10, [(0, .preview, .archived, "match"), (0, .export, .absent, nil)])
            let b = Self.task("task-b", at: 30, status: nil, [])
            let c = Self.task("task-c", at: 20, [(1, .preview, .failed, nil), (2, .export, .archived, "mismatch")])
            let d = Self.task("task-d", at: 20, [(2, .preview, .archived, "match")])
            for t in [a, b, c, d] { try await Self.put(index, t) }
            let other = try f.catalogIndex()
            let all = try await other.list(.all)
            #expect(all.map(\.taskId) == ["task-b", "task-c", "task-d", "task-a"], "newest first, ties by id")
            #expect(all == [b, c, d, a].map(\.summary), "every column as written, empty lists and a missing status too")
            #expect(try await other.count() == 4)
            #expect(try await other.list(TaskFilter(limit: 2, offset: 1)).map(\.taskId) == ["task-c", "task-d"])
            #expect(try await other.list(TaskFilter(limit: 0)).isEmpty)
            #expect(try await other.list(TaskFilter(offset: 9)).isEmpty)
        }
    }

    /// A task matches when one of its assets matches every criterion given.
    @Test(arguments: DeploymentBackend.available)
    func filtersMatchOneAsset(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let index = try f.catalogIndex()
            try await Self.put(index, Self.task("t1", at: 1, [(1, .preview, .failed, nil), (2, .export, .archived, "mismatch")]))
            try await Self.put(index, Self.task("t2", at: 2, [(2, .preview, .failed, nil), (1, .export, .archived, "match")]))
            try await Self.put(index, Self.task("t3", at: 3, [(3, .preview, .archived, "undecodable")]))
            try await Self.put(index, Self.task("t4", at: 4, kind: "text2image", [(0, .image, .archived, nil), (1, .image, .failed, nil)]))
            let ids = { (filter: TaskFilter) in try await index.list(filter).map(\.taskId) }
            #expect(try await ids(TaskFilter(scriptId: 1)) == ["t4", "t2", "t1"])
            #expect(try await ids(TaskFilter(scriptId: 1, state: "failed")) == ["t4", "t1"], "script 1 failed, not script 1 and a failure")
            #expect(try await ids(TaskFilter(verdict: "mismatch")) == ["t1"])
            #expect(try await ids(TaskFilter(state: "failed", role: .preview)) == ["t2", "t1"])
            #expect(try await ids(TaskFilter(state: "failed")) == ["t4", "t2", "t1"])
            #expect(try await ids(TaskFilter(scriptId: 2, role: .export)) == ["t1"])
            #expect(try await ids(TaskFilter(verdict: "match", limit: 1)) == ["t2"])
            #expect(try await ids(TaskFilter(scriptId: 9)).isEmpty)
            #expect(try await ids(TaskFilter(kind: "text2image")) == ["t4"])
            #expect(try await ids(TaskFilter(kind: "m2v", limit: 2)) == ["t3", "t2"])
            #expect(try await ids(TaskFilter(state: "failed", kind: "m2v")) == ["t2", "t1"])
            #expect(try await ids(TaskFilter(role: .image)) == ["t4"])
        }
    }

    /// The page's queries: a task id prefix, the task states (a partition: attention, archived, pending), the sort by
    /// archive time (never-archived tasks last) and counts of what matches.
    @Test(arguments: DeploymentBackend.available)
    func searchStatesSortAndCount(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let index = try f.catalogIndex()
            func archived(_ task: IndexedTask, at seconds: Double?) -> IndexedTask {
                var summary = task
                summary.summary.archivedAt = seconds.map(Self.at)
                return summary
            }
            let tasks = [
                archived(Self.task("ab-1", at: 5, [(0, .preview, .archived, "match"), (0, .export, .absent, nil)]), at: 3),
                archived(Self.task("ab-2", at: 6, [(0, .preview, .archived, "mismatch")]), at: 1),
                archived(Self.task("ab_3", at: 7, [(0, .preview, .failed, nil)]), at: nil),
                archived(Self.task("abc-4", at: 8, [(0, .preview, .pending, nil)]), at: nil),
                archived(Self.task("b-5", at: 9, []), at: nil),
                archived(Self.task("b-6", at: 4, [(0, .preview, .archived, "unreported")]), at: 2),
            ]
            for t in tasks { try await Self.put(index, t) }
            let ids = { (filter: TaskFilter) in try await index.list(filter).map(\.taskId) }
            #expect(try await ids(TaskFilter(taskIdPrefix: "ab")) == ["abc-4", "ab_3", "ab-2", "ab-1"])
            #expect(try await ids(TaskFilter(taskIdPrefix: "ab_")) == ["ab_3"], "_ is a character, not a wildcard")
            #expect(try await ids(TaskFilter(taskIdPrefix: "abc-4")) == ["abc-4"])
            #expect(try await ids(TaskFilter(taskIdPrefix: "zz")).isEmpty)
            #expect(try await ids(TaskFilter(taskState: .attention)) == ["ab_3", "ab-2"])
            #expect(try await ids(TaskFilter(taskState: .archived)) == ["ab-1", "b-6"])
            #expect(try await ids(TaskFilter(taskState: .pending)) == ["b-5", "abc-4"])
            for task in try await index.list(.all) {
                #expect(try await ids(TaskFilter(taskState: task.taskState)).contains(task.taskId), "\(task.taskId): one rule")
            }
            #expect(try await ids(TaskFilter(sort: .archived)) == ["ab-2", "b-6", "ab-1", "ab_3", "abc-4", "b-5"])
            #expect(try await ids(TaskFilter(sort: .archivedDescending, limit: 3)) == ["ab-1", "b-6", "ab-2"])
            #expect(try await ids(TaskFilter(taskIdPrefix: "ab", taskState: .archived, sort: .archivedDescending)) == ["ab-1"])
            #expect(try await index.count(.all) == 6)
            #expect(try await index.count(TaskFilter(taskIdPrefix: "ab", limit: 1, offset: 3)) == 4, "limit and offset ignored")
            #expect(try await index.count(TaskFilter(verdict: "match")) == 1)
            #expect(try await index.count(TaskFilter(kind: "m2v", taskState: .pending)) == 2)
        }
    }

    /// Each row carries its card (a badge per asset, the duration, the poster) as saved; a verdict alone filters on the
    /// task's row, a verdict with other asset criteria on one asset — both agree with the manifests; pages are slices
    /// of the whole list in every order and filter.
    @Test(arguments: DeploymentBackend.available)
    func cardsRoundTripAndFiltersAgreeWithTheManifests(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let index = try f.catalogIndex()
            let verdicts: [String?] = ["match", "mismatch", nil, "unreported", "undecodable", "match"]
            var manifests: [TaskManifest] = []
            for n in 0..<30 {
                var m = TaskManifest(taskId: try TaskID(validating: "card-\(n)"), kind: n % 3 == 0 ? "avatar" : "m2v", status: "success",
                                     createdAt: Self.at(0))
                m.upsert(AssetRecord(scriptId: n % 2, role: .preview, state: n % 7 == 0 ? .failed : .archived, reportedDurationUs: 1_000_000 * Int64(n),
                                     verification: verdicts[n % verdicts.count].map { VerificationRecord(verdict: $0, toleranceUs: 1) },
                                     poster: n % 4 == 0 ? nil : ImageRecord(path: "tasks/x/card-\(n)/poster.jpg", timeUs: 0, width: 320, height: 180)))
                m.upsert(AssetRecord(scriptId: 1, role: .export, state: n % 5 == 0 ? .pending : .archived,
                                     verification: verdicts[(n + 1) % verdicts.count].map { VerificationRecord(verdict: $0, toleranceUs: 1) }))
                m.updatedAt = Self.at(Double(n % 11))
                m.archivedAt = n % 6 == 0 ? nil : Self.at(Double(n % 13))
                manifests.append(m)
                try await Self.put(index, IndexedTask(m))
            }
            let all = try await index.list(.all)
            #expect(all.count == 30)
            for summary in all {
                let m = try #require(manifests.first { $0.taskId == summary.taskId })
                #expect(summary.card == TaskCard(m), "\(summary.taskId)")
            }
            let card = try #require(all.first { $0.taskId == "card-1" }?.card)
            #expect(card.durationUs == 1_000_000 && card.poster?.width == 320 && card.assets.count == 2)
            for verdict in VerdictMask.names {
                let expected = Set(manifests.filter { $0.assets.contains { $0.verification?.verdict == verdict } }.map(\.taskId))
                #expect(Set(try await index.list(TaskFilter(verdict: verdict)).map(\.taskId)) == expected, "\(verdict)")
                #expect(try await index.count(TaskFilter(verdict: verdict)) == expected.count)
                let onExports = Set(manifests.filter { $0.assets.contains { $0.role == .export && $0.verification?.verdict == verdict } }.map(\.taskId))
                #expect(Set(try await index.list(TaskFilter(verdict: verdict, role: .export)).map(\.taskId)) == onExports, "\(verdict) on exports")
            }
            for sort in TaskSort.allCases {
                for filter in [TaskFilter(sort: sort), TaskFilter(verdict: "match", sort: sort), TaskFilter(kind: "m2v", taskState: .archived, sort: sort),
                               TaskFilter(taskIdPrefix: "card-1", sort: sort)] {
                    let whole = try await index.list(filter).map(\.taskId)
                    var paged: [String] = []
                    for page in 0..<8 {
                        var slice = filter
                        (slice.limit, slice.offset) = (4, page * 4)
                        paged += try await index.list(slice).map(\.taskId)
                    }
                    #expect(paged == whole, "\(filter)")
                    #expect(try await index.count(filter) == whole.count)
                }
            }
        }
    }

    /// An upsert replaces the task's rows (assets gone from the manifest are gone from the index); what `current`
    /// reads when the write happens (the manifest on disk) wins over the task passed.
    @Test(arguments: DeploymentBackend.available)
    func theLatestSaveStays(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let index = try f.catalogIndex()
            try await Self.put(index, Self.task("t1", at: 1, [(1, .preview, .failed, nil), (5, .export, .failed, nil)]))
            let second = Self.task("t1", at: 2, [(1, .preview, .archived, "match")])
            try await Self.put(index, second)
            #expect(try await index.list(TaskFilter(scriptId: 5)).isEmpty, "the asset that left the manifest left the index")
            #expect(try await index.list(TaskFilter(state: "failed")).isEmpty)
            #expect(try await index.list(.all) == [second.summary])
            let third = Self.task("t1", at: 3, [(1, .preview, .archived, "mismatch")])
            try await f.catalogIndex().upsert(second, current: { third })
            #expect(try await index.list(.all) == [third.summary], "the task as it is saved now")
        }
    }

    /// Saves of one task racing through two handles: each writes its manifest, then indexes; the index ends with the
    /// manifest saved last, whichever write commits last (the last read of the disk comes after the last save).
    @Test(arguments: DeploymentBackend.available)
    func racingSavesEndWithWhatIsOnDisk(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let handles = [try f.catalogIndex(), try f.catalogIndex()]
            let disk = Disk()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<24 {
                    group.addTask {
                        let saved = Self.task("race", at: Double(n), [(n, .preview, .archived, nil)])
                        disk.saved.withLock { $0 = saved }
                        try await handles[n % 2].upsert(saved, current: { disk.saved.withLock { $0 } })
                    }
                }
                try await group.waitForAll()
            }
            let last = try #require(disk.saved.withLock { $0 })
            #expect(try await handles[0].list(.all) == [last.summary])
            #expect(try await handles[1].list(TaskFilter(scriptId: last.assets[0].scriptId)).map(\.taskId) == ["race"])
            #expect(try await handles[1].count() == 1)
        }
    }

    @Test(arguments: DeploymentBackend.available)
    func replaceAllReplacesEverything(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let index = try f.catalogIndex()
            try await Self.put(index, Self.task("gone", at: 1, [(7, .preview, .archived, "match")]))
            let tasks = (0..<2500).map { Self.task("bulk-\($0)", at: Double($0), [($0 % 3, .preview, .archived, $0 % 2 == 0 ? "match" : nil)]) }
            #expect(try await index.replaceAll(tasks) == 2500)
            let other = try f.catalogIndex()
            #expect(try await other.count() == 2500)
            #expect(try await other.list(TaskFilter(scriptId: 7)).isEmpty, "rows of a task no manifest has are gone")
            #expect(try await other.list(TaskFilter(limit: 1)).map(\.taskId) == ["bulk-2499"])
            #expect(try await other.list(TaskFilter(verdict: "match")).count == 1250)
            #expect(try await index.replaceAll([]) == 0)
            #expect(try await other.count() == 0)
        }
    }

    /// A write made under a task lock that was lost is refused with a ``FenceError`` where locks can be lost (a
    /// lease in PostgreSQL); under the current lock it goes through.
    @Test(arguments: DeploymentBackend.available)
    func writesUnderALostTaskLockAreRefused(_ backend: DeploymentBackend) async throws {
        try await backend.withFixture { f in
            let index = try f.catalogIndex()
            let id = try TaskID(validating: "locked-1")
            let held = try await f.taskLocks().withLock(id, layout: f.layout, timeout: .seconds(30), isolation: #isolation) {
                try await Self.put(index, Self.task("locked-1", at: 1, []))
                return TaskLockToken.current
            }
            #expect(try await index.list(.all).map(\.taskId) == ["locked-1"])
            guard f.leaseExpires else {
                #expect(held == nil, "an flock cannot be lost: no token")
                return
            }
            let stale = try #require(held, "a lease lock gives its token to the writes under it")
            let refused = await #expect(throws: (any Error).self) {
                try await TaskLockToken.$current.withValue(stale) {
                    try await Self.put(index, Self.task("locked-1", at: 2, [(1, .preview, .failed, nil)]))
                }
            }
            #expect(refused is any FenceError, "\(String(describing: refused))")
            #expect(try await index.list(TaskFilter(state: "failed")).isEmpty, "the refused write changed nothing")
            // Another task's token does not fence this one (a write outside any lock, as `reel reindex` makes).
            try await TaskLockToken.$current.withValue(TaskLockToken(taskId: "other", token: 1)) {
                try await Self.put(index, Self.task("locked-1", at: 3, []))
            }
        }
    }
}
