import DurableFiles
import Foundation
import Testing
@testable import Pipeline

/// An interruption is not a failure: a graceful stop gives the attempt back uncounted, a vanished process gives it
/// back and counts one interruption, and only `maxInterruptions` in a row fail the job (a likely poison input).
@Suite("Job queue: interruptions are not attempts")
struct QueueInterruptionTests {
    // MARK: - The transitions, as pure functions

    @Test func aGracefulStopGivesTheAttemptBackAndCountsNothing() {
        let now = StoredJSON.now()
        let running = sampleJob("T", state: .pending, attempts: 2).claimed(by: "host:1", now: now)
        #expect(running.attempts == 3 && running.state == .running)
        var withHistory = running
        withHistory.interruptions = 4
        let stopped = withHistory.interrupted(.shutdown, now: now, maxInterruptions: 1)
        #expect(stopped.state == .pending && stopped.attempts == 2 && stopped.interruptions == 4 && stopped.owner == nil)
        #expect(stopped.notBefore == now)
    }

    @Test func aVanishedProcessCountsAndTheLimitFailsThePoisonInput() {
        let now = StoredJSON.now()
        var job = sampleJob("T", state: .pending, attempts: 1, maxAttempts: 5)
        for n in 1...2 {
            job = job.claimed(by: "host:\(n)", now: now).interrupted(.vanished(owner: "host:\(n)"), now: now, maxInterruptions: 3)
            #expect(job.state == .pending && job.attempts == 1 && job.interruptions == n)
            #expect(job.lastError?.contains("host:\(n)") == true)
        }
        job = job.claimed(by: "host:3", now: now).interrupted(.vanished(owner: "host:3"), now: now, maxInterruptions: 3)
        #expect(job.state == .failed && job.attempts == 1 && job.interruptions == 3)
        #expect(job.lastError == "interrupted 3 times in a row: the input may crash the worker")
    }

    @Test func anAttemptThatEndsResetsTheCountAGracefulStopDoesNot() {
        let now = StoredJSON.now()
        var job = sampleJob("T", state: .pending, attempts: 0)
        job.interruptions = 2
        let failed = job.claimed(by: "h:1", now: now).failed(error: "HTTP 500", now: now, retryAt: now + 5)
        #expect(failed.state == .pending && failed.attempts == 1 && failed.interruptions == 0 && failed.notBefore == now + 5)
        let done = job.claimed(by: "h:1", now: now).completed(now: now, maxAttempts: 5)
        #expect(done.state == .done && done.interruptions == 0)
        var cancelled = job.claimed(by: "h:1", now: now)
        cancelled.cancelRequested = true
        #expect(cancelled.interrupted(.vanished(owner: nil), now: now, maxInterruptions: 10).state == .cancelled)
    }

    // MARK: - Through the file queue

    /// Five SIGKILLs (more than `maxAttempts`) leave the job pending with no attempt used; at `maxInterruptions`
    /// in a row it fails with the poison-input message; `reel jobs retry` starts a fresh life.
    @Test func recoveredJobsFailOnlyAtTheInterruptionLimit() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root, maxAttempts: 3)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            for n in 1...5 {
                let dead = "\(JobOwner.hostname):\(try queueDeadPID())"
                _ = try #require(try await queue.claim(owner: dead))
                #expect(try await FileJobQueue(root: root).recover(owner: JobOwner.current, maxInterruptions: 6) == 1)
                let job = try #require(try await queue.get("m2v-T1"))
                #expect(job.state == .pending && job.attempts == 0 && job.interruptions == n, "\(job)")
            }
            let dead = "\(JobOwner.hostname):\(try queueDeadPID())"
            _ = try #require(try await queue.claim(owner: dead))
            #expect(try await queue.recover(owner: JobOwner.current, maxInterruptions: 6) == 1)
            let failed = try #require(try await queue.get("m2v-T1"))
            #expect(failed.state == .failed && failed.interruptions == 6)
            #expect(failed.lastError == "interrupted 6 times in a row: the input may crash the worker")
            let retried = try await queue.retry("m2v-T1")
            #expect(retried.state == .pending && retried.attempts == 0 && retried.interruptions == 0)
        }
    }

    /// The count is per run of interruptions: an attempt that ends with a job error starts it again.
    @Test func aJobErrorBetweenInterruptionsStartsTheCountAgain() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root, maxAttempts: 5, baseDelay: .zero)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            for _ in 1...2 {
                _ = try #require(try await queue.claim(owner: "\(JobOwner.hostname):\(try queueDeadPID())"))
                _ = try await queue.recover(owner: JobOwner.current, maxInterruptions: 3)
            }
            let claimed = try #require(try await queue.claim(owner: JobOwner.current))
            let failed = try await queue.fail(claimed.id, error: "HTTP 500", retryAfter: .zero)
            #expect(failed.state == .pending && failed.attempts == 1 && failed.interruptions == 0)
            for _ in 1...2 {
                _ = try #require(try await queue.claim(owner: "\(JobOwner.hostname):\(try queueDeadPID())"))
                _ = try await queue.recover(owner: JobOwner.current, maxInterruptions: 3)
            }
            let job = try #require(try await queue.get("m2v-T1"))
            #expect(job.state == .pending && job.attempts == 1 && job.interruptions == 2)
        }
    }

    @Test func releaseAfterAGracefulStopIsNotCounted() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root, maxAttempts: 2)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            for _ in 1...4 {
                let claimed = try #require(try await queue.claim(owner: JobOwner.current))
                #expect(claimed.attempts == 1)
                let released = try await queue.release(claimed.id)
                #expect(released.state == .pending && released.attempts == 0 && released.interruptions == 0)
            }
            await #expect(throws: JobQueueError.invalidTransition) { try await queue.release("m2v-T1") }
            let claimed = try #require(try await queue.claim(owner: JobOwner.current))
            _ = try await queue.cancel(claimed.id)
            #expect(try await queue.release(claimed.id).state == .cancelled)
        }
    }

    /// Job files written before interruptions were counted still decode (as 0); new files carry the count.
    @Test func oldJobFilesDecodeAndNewOnesCarryTheCount() async throws {
        try await withQueueRoot { root in
            let old = #"""
            {"attempts":1,"cancelRequested":false,"createdAt":"2025-06-15T14:40:00.125Z","id":"m2v-OLD","kind":"m2v",
             "maxAttempts":5,"notBefore":"2025-06-15T14:40:00.125Z","state":"pending","taskId":"OLD",
             "updatedAt":"2025-06-15T14:40:00.125Z"}
            """#
            let pending = root.appendingPathComponent("queue/pending")
            try FileManager.default.createDirectory(at: pending, withIntermediateDirectories: true)
            try Data(old.utf8).write(to: pending.appendingPathComponent("m2v-OLD.json"))
            let queue = FileJobQueue(root: root)
            let job = try #require(try await queue.get("m2v-OLD"))
            #expect(job.interruptions == 0 && job.attempts == 1)
            _ = try #require(try await queue.claim(owner: "\(JobOwner.hostname):\(try queueDeadPID())"))
            _ = try await queue.recover(owner: JobOwner.current)
            let text = try String(contentsOf: pending.appendingPathComponent("m2v-OLD.json"), encoding: .utf8)
            #expect(text.contains(#""interruptions" : 1"#), "\(text)")
        }
    }
}
