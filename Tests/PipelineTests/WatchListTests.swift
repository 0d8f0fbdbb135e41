import Foundation
import Testing
@testable import Pipeline

@Suite("Watch list")
struct WatchListTests {
    @Test func addListRemoveAndPersistAcrossInstances() async throws {
        try await withWatchRoot { root in
            let watch = WatchList(root: root)
            let added = try await watch.add(["T1", "T2", "T1"], kind: "m2v")
            #expect(added.map(\.taskId) == ["T1", "T2"])
            #expect(added.allSatisfy { $0.kind == "m2v" && $0.polls == 0 && $0.settledAt == nil })

            let reopened = WatchList(root: root)
            #expect(try await reopened.list() == added)
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("watch.json").path))

            #expect(try await reopened.remove(["T1", "nope"]) == ["T1"])
            #expect(try await watch.list().map(\.taskId) == ["T2"])
            #expect(try await watch.remove(["T1"]).isEmpty)
        }
    }

    @Test func addingAWatchedTaskKeepsItsState() async throws {
        try await withWatchRoot { root in
            let watch = WatchList(root: root)
            var entry = try #require(try await watch.add(["T1"], kind: "m2v").first)
            entry.polls = 4
            entry.lastStatus = "running"
            entry.lastError = "timeout"
            entry.nextPollAt = entry.nextPollAt.addingTimeInterval(90.123456)
            #expect(try await watch.update(entry))
            #expect(try await watch.add(["T1", "T3"], kind: "M2V").map(\.taskId) == ["T3"])
            let stored = try #require(try await watch.list().first { $0.taskId == "T1" })
            #expect(stored.polls == 4 && stored.lastStatus == "running" && stored.lastError == "timeout")
            #expect(abs(stored.nextPollAt.timeIntervalSince(entry.nextPollAt)) < 0.001)
            #expect(try await watch.list().last?.kind == "m2v")   // the kind's canonical name
        }
    }

    @Test func dueListsEntriesWhoseTimeHasComeSettledOrNot() async throws {
        try await withWatchRoot { root in
            let watch = WatchList(root: root)
            let now = Date()
            try await watch.add(["soon", "later", "settled", "first"], kind: "m2v")
            for var entry in try await watch.list() {
                switch entry.taskId {
                case "later": entry.nextPollAt = now.addingTimeInterval(60)
                case "settled":
                    entry.settledAt = now
                    entry.nextPollAt = now.addingTimeInterval(30)
                case "first": entry.nextPollAt = now.addingTimeInterval(-30)
                default: break
                }
                try await watch.update(entry)
            }
            #expect(try await watch.due(now: now.addingTimeInterval(1)).map(\.taskId) == ["first", "soon"])
            #expect(try await watch.due(now: now.addingTimeInterval(61)).map(\.taskId) == ["first", "soon", "settled", "later"])
        }
    }

    @Test func updateDoesNotResurrectARemovedTask() async throws {
        try await withWatchRoot { root in
            let watch = WatchList(root: root)
            let entry = try #require(try await watch.add(["T1"], kind: "m2v").first)
            try await watch.remove(["T1"])
            #expect(try await watch.update(entry) == false)
            #expect(try await watch.list().isEmpty)
        }
    }

    @Test(arguments: ["../x", "a/b", "", ".hidden", "x\u{0}", "ü"])
    func unsafeIDsAndUnknownKindsWriteNothing(_ id: String) async throws {
        try await withWatchRoot { root in
            let watch = WatchList(root: root)
            await #expect(throws: WatchListError.invalidTaskID) { try await watch.add(["ok", id], kind: "m2v") }
            await #expect(throws: WatchListError.invalidKind) { try await watch.add(["ok"], kind: "nope") }
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("watch.json").path))
        }
    }

    @Test func corruptWatchFileIsMovedAside() async throws {
        try await withWatchRoot { root in
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let file = root.appendingPathComponent("watch.json")
            try Data("{\"version\":1,\"entries\":[{\"taskId\":".utf8).write(to: file)
            let watch = WatchList(root: root)
            #expect(try await watch.list().isEmpty)
            let names = try FileManager.default.contentsOfDirectory(atPath: root.path)
            #expect(names.contains { $0.hasPrefix("watch.json.corrupt-") })
            #expect(try await watch.add(["T1"], kind: "m2v").count == 1)
            #expect(try await WatchList(root: root).list().map(\.taskId) == ["T1"])
        }
    }

    @Test func concurrentWritersLoseNothing() async throws {
        try await withWatchRoot { root in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        // Two instances, as two processes would be.
                        try await WatchList(root: root, lockTimeout: patientLock).add(["T\(n)"], kind: "m2v")
                        if n % 4 == 0 { try await WatchList(root: root, lockTimeout: patientLock).remove(["T\(n)"]) }
                    }
                }
                try await group.waitForAll()
            }
            let ids = Set(try await WatchList(root: root).list().map(\.taskId))
            #expect(ids == Set((0..<40).filter { $0 % 4 != 0 }.map { "T\($0)" }))
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty)
        }
    }

    private func withWatchRoot(_ body: (URL) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("watch-tests-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(root)
    }
}
