import Foundation
import ReelTestSupport
import Testing
@testable import Pipeline

/// `reel jobs ls` and `reel watch ls` on a read-only storage root (a mounted backup): they list, and create nothing.
/// The root is a real read-only bind mount (root ignores file modes, so chmod would prove nothing); skipped with a
/// message where mounting is not permitted.
@Suite("Listing a read-only storage root", .serialized)
struct ReadOnlyRootTests {
    @Test func jobsAndWatchListsWorkOnAReadOnlyBindMount() async throws {
        try await withQueueRoot { base in
            let source = base.appendingPathComponent("storage")
            try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
            let queue = FileJobQueue(root: source)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            _ = try await queue.enqueue(taskId: "T2", kind: "m2v", reason: "watch")
            _ = try #require(try await queue.claim(owner: "\(JobOwner.hostname):\(try queueDeadPID())"))
            _ = try await queue.recover(owner: JobOwner.current)
            try await WatchList(root: source).add(["W1", "W2"], kind: "m2v")

            let mounted = base.appendingPathComponent("backup")
            try FileManager.default.createDirectory(at: mounted, withIntermediateDirectories: true)
            guard let mount = try await TestMount.readOnlyBind(source, at: mounted) else {
                print("ReadOnlyRootTests skipped: this machine does not permit a read-only bind mount (needs root)")
                return
            }
            defer { mount.unmount() }
            // The mount really is read-only, for root too.
            #expect(!FileManager.default.createFile(atPath: mounted.appendingPathComponent("probe").path, contents: Data()))
            #expect(open(mounted.appendingPathComponent("queue/.lock").path, O_RDWR) < 0 && errno == EROFS)

            let storage = ["--storage", mounted.path]
            var result = try await ReelProcess.run(["jobs", "ls", "--json"] + storage)
            #expect(result.status == 0, "\(result)")
            let jobs = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(jobs.map { $0["id"] as? String } == ["m2v-T1", "m2v-T2"])
            #expect(jobs.first?["interruptions"] as? Int == 1 && jobs.first?["attempts"] as? Int == 0, "\(jobs)")
            result = try await ReelProcess.run(["jobs", "ls", "--state", "pending"] + storage)
            #expect(result.status == 0 && result.stdout.split(separator: "\n").count == 2, "\(result)")
            #expect(result.stdout.contains("interrupted 1 in a row"), "\(result)")
            result = try await ReelProcess.run(["watch", "ls", "--json"] + storage)
            #expect(result.status == 0, "\(result)")
            let watched = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            #expect(watched.map { $0["taskId"] as? String } == ["W1", "W2"])
            // A change is refused with the filesystem's reason, not listed as done.
            result = try await ReelProcess.run(["jobs", "retry", "--failed"] + storage)
            #expect(result.status == 1, "\(result)")
        }
    }

    /// Without lock files (a backup copied without its dot-files), listing reads without a lock; on a fresh root
    /// listing creates neither the queue's directories nor a lock file.
    @Test func listingCreatesNothingAndNeedsNoLockFile() async throws {
        try await withQueueRoot { root in
            var result = try await ReelProcess.run(["jobs", "ls", "--storage", root.path])
            #expect(result.status == 0 && result.stdout.isEmpty, "\(result)")
            result = try await ReelProcess.run(["watch", "ls", "--storage", root.path])
            #expect(result.status == 0 && result.stdout.isEmpty, "\(result)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == [])

            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            try await WatchList(root: root).add(["W1"], kind: "m2v")
            try FileManager.default.removeItem(at: root.appendingPathComponent("queue/.lock"))
            try FileManager.default.removeItem(at: root.appendingPathComponent(".watch.lock"))
            result = try await ReelProcess.run(["jobs", "ls", "--storage", root.path])
            #expect(result.status == 0 && result.stdout.hasPrefix("m2v-T1  pending"), "\(result)")
            result = try await ReelProcess.run(["watch", "ls", "--storage", root.path])
            #expect(result.status == 0 && result.stdout.hasPrefix("W1  m2v"), "\(result)")
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("queue/.lock").path))
            #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(".watch.lock").path))
        }
    }

    /// A writer holding the queue's lock makes a read-only listing wait for it (a shared lock), not read mid-change.
    @Test func aReadOnlyListingWaitsForAWriter() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root, lockTimeout: .milliseconds(300))
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            let writer = open(root.appendingPathComponent("queue/.lock").path, O_RDWR)
            #expect(writer >= 0 && flock(writer, LOCK_EX) == 0)
            await #expect(throws: JobQueueError.lockTimeout) { _ = try await queue.listReadOnly(state: nil) }
            close(writer)
            #expect(try await queue.listReadOnly(state: nil).jobs.map(\.id) == ["m2v-T1"])
        }
    }
}
