import Foundation
import Testing
@testable import Pipeline

@Suite("Job queue: crashes, dead owners, corrupt files")
struct QueueRecoveryTests {
    @Test func runningJobOfADeadProcessIsRecovered() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            let dead = "\(JobOwner.hostname):\(try queueDeadPID())"
            let claimed = try #require(try await queue.claim(owner: dead))
            #expect(claimed.owner == dead)

            // A new process (another queue instance, another owner) starts and recovers it.
            let restarted = FileJobQueue(root: root)
            #expect(try await restarted.recover(owner: JobOwner.current) == 1)
            let job = try #require(try await restarted.get(claimed.id))
            // An interruption, not a failure: the attempt is given back and counted as an interruption.
            #expect(job.state == .pending && job.owner == nil && job.attempts == 0 && job.interruptions == 1)
            #expect(job.lastError?.contains("interrupted") == true)
            #expect(job.notBefore <= Date())
            #expect(try await restarted.claim(owner: JobOwner.current)?.attempts == 1)
        }
    }

    @Test func jobsOfLiveOwnersAreLeftAlone() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            _ = try await queue.enqueue(taskId: "T2", kind: "m2v", reason: "cli")
            // This process claims: its lease is held, so a later recover (even with its own owner) keeps it.
            _ = try #require(try await queue.claim(owner: JobOwner.current))
            // Another live process on this host (pid 1 always exists), not claiming through a lease.
            try writeJobFile(sampleJob("T3", state: .running, owner: "\(JobOwner.hostname):1"), root: root, directory: "running")
            #expect(try await queue.recover(owner: JobOwner.current) == 0)
            #expect(try await queue.list(state: .running).count == 2)
        }
    }

    @Test func jobOfAnEarlierProcessWithTheSamePidIsRecovered() async throws {
        try await withQueueRoot { root in
            // Written by "this host:this pid" before a restart (containers reuse pids): no lease is held.
            let earlier = JobOwner.current + ":earlier-run"
            try writeJobFile(sampleJob("T1", state: .running, owner: earlier), root: root, directory: "running")
            // And one from a host that no longer exists (a container with a new hostname), with no lease.
            try writeJobFile(sampleJob("T2", state: .running, owner: "gone-container:1"), root: root, directory: "running")
            let queue = FileJobQueue(root: root)
            #expect(try await queue.recover(owner: JobOwner.current) == 2)
            #expect(try await queue.list(state: .pending).map(\.taskId).sorted() == ["T1", "T2"])
            #expect(queueFiles(root, "running").isEmpty)
        }
    }

    @Test func recoveredJobOnItsLastAttemptIsNotFailedAndCancelRequestIsHonoured() async throws {
        try await withQueueRoot { root in
            let dead = "\(JobOwner.hostname):\(try queueDeadPID())"
            try writeJobFile(sampleJob("P", state: .running, attempts: 3, owner: dead, maxAttempts: 3), root: root, directory: "running")
            var cancelled = sampleJob("C", state: .running, owner: dead)
            cancelled.cancelRequested = true
            try writeJobFile(cancelled, root: root, directory: "running")
            let queue = FileJobQueue(root: root)
            #expect(try await queue.recover(owner: JobOwner.current) == 2)
            // The interrupted third attempt is given back: two failed attempts, one left.
            let recovered = try #require(try await queue.get("m2v-P"))
            #expect(recovered.state == .pending && recovered.attempts == 2 && recovered.interruptions == 1)
            #expect(try await queue.get("m2v-C")?.state == .cancelled)
        }
    }

    /// kill -9 during a write leaves a temporary: scans ignore it, recover removes it.
    @Test func halfWrittenTemporaryIsIgnoredAndCleaned() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            let pending = root.appendingPathComponent("queue/pending")
            let temporary = pending.appendingPathComponent(".m2v-T2.json.k3x9.tmp")
            try Data(#"{"id":"m2v-T2","taskId":"T2","ki"#.utf8).write(to: temporary)
            #expect(try await queue.list(state: nil).map(\.id) == ["m2v-T1"])
            #expect(try await queue.counts()[.pending] == 1)
            #expect(try await queue.claim(owner: JobOwner.current)?.id == "m2v-T1")
            #expect(try await queue.claim(owner: JobOwner.current) == nil)
            #expect(FileManager.default.fileExists(atPath: temporary.path))
            _ = try await queue.recover(owner: JobOwner.current)
            #expect(!FileManager.default.fileExists(atPath: temporary.path))
            #expect(queue.corruptFiles().isEmpty)
        }
    }

    /// kill -9 between a state change's rewrite and its move: the file's content is ahead of its
    /// directory; the next reader completes the move. One file per job throughout.
    @Test func interruptedMoveIsCompletedByTheNextReader() async throws {
        try await withQueueRoot { root in
            // `complete` wrote "done" into running/ and died before the rename.
            try writeJobFile(sampleJob("T1", state: .done, owner: nil), root: root, directory: "running", name: "m2v-T1.json")
            // `claim` wrote "running" into pending/ and died before the rename.
            let dead = "\(JobOwner.hostname):\(try queueDeadPID())"
            try writeJobFile(sampleJob("T2", state: .running, owner: dead), root: root, directory: "pending", name: "m2v-T2.json")
            let queue = FileJobQueue(root: root)
            #expect(try await queue.get("m2v-T1")?.state == .done)
            #expect(queueFiles(root, "running") == [] || queueFiles(root, "running") == ["m2v-T2.json"])
            #expect(queueFiles(root, "done") == ["m2v-T1.json"])
            // The claim is rolled forward, its owner is dead: recover puts it back, and it is claimable once.
            #expect(try await queue.recover(owner: JobOwner.current) == 1)
            #expect(try await queue.claim(owner: JobOwner.current)?.id == "m2v-T2")
            #expect(try await queue.claim(owner: JobOwner.current) == nil)
            let all = JobState.allCases.flatMap { queueFiles(root, $0.rawValue) }
            #expect(all.sorted() == ["m2v-T1.json", "m2v-T2.json"])
        }
    }

    @Test func corruptJobFilesAreMovedAsideNotFatal() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "good", kind: "m2v", reason: "cli")
            let pending = root.appendingPathComponent("queue/pending")
            try Data("{ not json".utf8).write(to: pending.appendingPathComponent("m2v-bad.json"))
            // Valid JSON under the wrong name.
            try writeJobFile(sampleJob("other", state: .pending), root: root, directory: "pending", name: "m2v-liar.json")
            // Too large to be a job.
            try Data(count: 100 << 10).write(to: pending.appendingPathComponent("m2v-huge.json"))
            // A directory where a job file should be.
            try FileManager.default.createDirectory(at: pending.appendingPathComponent("m2v-dir.json"), withIntermediateDirectories: true)

            #expect(try await queue.list(state: nil).map(\.id) == ["m2v-good"])
            #expect(queue.corruptFiles().count == 4)
            #expect(queueFiles(root, "pending") == ["m2v-good.json"])
            #expect(try await queue.claim(owner: JobOwner.current)?.id == "m2v-good")
            // A corrupt file found by id lookup is moved aside too, and the id is then free.
            try Data("garbage".utf8).write(to: pending.appendingPathComponent("m2v-T9.json"))
            #expect(try await queue.get("m2v-T9") == nil)
            #expect(try await queue.enqueue(taskId: "T9", kind: "m2v", reason: "cli").inserted)
            #expect(queue.corruptFiles().count == 5)
        }
    }

    @Test func stateSurvivesANewInstanceAndOtherProcessesEdits() async throws {
        try await withQueueRoot { root in
            let a = FileJobQueue(root: root)
            let b = FileJobQueue(root: root)
            _ = try await a.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            #expect(try await b.list(state: .pending).count == 1)   // b caches the decoded file
            _ = try await a.cancel("m2v-T1")
            #expect(try await b.list(state: .pending).isEmpty)      // b sees a's change
            _ = try await a.retry("m2v-T1")
            let claimed = try #require(try await b.claim(owner: JobOwner.current))
            _ = try await a.cancel(claimed.id)
            #expect(try await b.get(claimed.id)?.cancelRequested == true)
        }
    }
}
