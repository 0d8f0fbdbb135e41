import Foundation
import Synchronization
import Testing
@testable import Catalog

/// Records the order of events from concurrent tasks.
actor EventLog {
    private(set) var events: [String] = []
    func add(_ event: String) { events.append(event) }
}

/// Runs `flock` (util-linux) on `path` with `arguments`, returning its exit status.
func runFlock(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    process.arguments = arguments
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite(.serialized)
struct TaskLockTests {
    @Test func twoTasksInOneProcessExcludeEachOther() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("locked")
            let log = EventLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for name in ["A", "B"] {
                    group.addTask {
                        try await catalog.withTaskLock(id) {
                            await log.add("\(name) in")
                            try await Task.sleep(for: .milliseconds(200))
                            await log.add("\(name) out")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let events = await log.events
            #expect(events.count == 4)
            // Whoever entered first left before the other entered.
            #expect(events[0].hasSuffix(" in") && events[1] == events[0].replacingOccurrences(of: " in", with: " out"))
        }
    }

    @Test func aWaiterTimesOutAndTheLockIsReleasedAfterwards() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("timeout")
            _ = try await catalog.withTaskLock(id) {
                await #expect(throws: CatalogError.lockTimeout) {
                    try await catalog.withTaskLock(id, timeout: .milliseconds(150)) {}
                }
            }
            let value = try await catalog.withTaskLock(id, timeout: .milliseconds(150)) { 42 }
            #expect(value == 42)
        }
    }

    @Test func anotherProcessCannotTakeAHeldLock() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("cross-process")
            let lockPath = catalog.layout.lockURL(id).path
            try await catalog.withTaskLock(id) {
                let status = try runFlock(["-n", lockPath, "true"])
                #expect(status == 1)
            }
            #expect(try runFlock(["-n", lockPath, "true"]) == 0)
        }
    }

    @Test func weWaitForALockHeldByAnotherProcess() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("held-elsewhere")
            try FileManager.default.createDirectory(at: catalog.layout.taskDirectory(id), withIntermediateDirectories: true)
            // flock(1) holds the lock until we close its standard input: no sleep whose length a busy machine could outrun.
            let process = Process()
            let output = Pipe()
            let input = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            process.arguments = [catalog.layout.lockURL(id).path, "-c", "echo held; read _ || true"]
            process.standardOutput = output
            process.standardInput = input
            try process.run()
            let line = output.fileHandleForReading.availableData
            #expect(String(decoding: line, as: UTF8.self).hasPrefix("held"))
            await #expect(throws: CatalogError.lockTimeout) {
                try await catalog.withTaskLock(id, timeout: .milliseconds(200)) {}
            }
            // An ordering, not a duration: the lock is ours only after the other process was told to let go.
            let released = Atomic<Bool>(false)
            let release = Task {
                try await Task.sleep(for: .milliseconds(400))
                released.store(true, ordering: .releasing)
                try input.fileHandleForWriting.close()
            }
            try await catalog.withTaskLock(id, timeout: .seconds(120)) {
                let wasReleased = released.load(ordering: .acquiring)
                #expect(wasReleased, "the lock was taken while another process held it")
            }
            try await release.value
            process.waitUntilExit()
        }
    }

    @Test func takingTheLockCleansLeftoverStaging() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("crashed")
            let staged = try catalog.store.stagingFile(for: id, name: "source.mp4.part")
            try Data("half".utf8).write(to: staged)
            let nested = catalog.layout.stagingDirectory(id).appendingPathComponent("thumbs-work")
            try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: nested.appendingPathComponent("001.jpg"))
            let temporary = catalog.layout.taskDirectory(id).appendingPathComponent(".manifest.json.abc.tmp")
            try Data("{".utf8).write(to: temporary)
            #expect(try await catalog.verify(id).map(\.kind) == [.leftoverStaging, .leftoverStaging, .leftoverStaging])
            try await catalog.withTaskLock(id) {
                let left = try FileManager.default.contentsOfDirectory(atPath: catalog.layout.stagingDirectory(id).path)
                #expect(left.isEmpty)
                #expect(!FileManager.default.fileExists(atPath: temporary.path))
            }
            #expect(try await catalog.verify(id).isEmpty)
        }
    }

    @Test func takingTheLockRefreshesAStaleIndexEntry() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("stale")
            var manifest = TaskManifest(taskId: id, kind: "m2v", status: "running", createdAt: fixedDate())
            try await catalog.save(manifest)
            // A run that died after renaming the new manifest, before updating the index.
            manifest.status = "success"
            manifest.upsert(AssetRecord(scriptId: 9, role: .preview, state: .archived))
            try ManifestFile.encode(manifest).write(to: catalog.layout.manifestURL(id))
            #expect(try await catalog.list().first?.status == "running")
            try await catalog.withTaskLock(id) {}
            #expect(try await catalog.list() == [TaskSummary(manifest)])
        }
    }

    @Test func cancellationStopsTheWait() async throws {
        try await withTemporaryRoot { root in
            let catalog = try Catalog(root: root)
            let id = taskID("cancel")
            try await catalog.withTaskLock(id) {
                let waiter = Task { try await catalog.withTaskLock(id) { "entered" } }
                try await Task.sleep(for: .milliseconds(100))
                waiter.cancel()
                await #expect(throws: CancellationError.self) { try await waiter.value }
            }
        }
    }
}
