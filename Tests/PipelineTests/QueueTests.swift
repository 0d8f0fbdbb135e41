import Foundation
import Testing
@testable import Pipeline

@Suite("Job queue: operations")
struct QueueTests {
    @Test func duplicateEnqueuesCollapseIntoOnePendingJob() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<100 {
                    group.addTask { try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback").inserted }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(inserted == 1)
            let pending = try await queue.list(state: .pending)
            #expect(pending.map(\.id) == ["m2v-T1"])
            #expect(pending.first?.reason == "callback")
            #expect(queueFiles(root, "pending") == ["m2v-T1.json"])
            // A running job also absorbs duplicates.
            _ = try await queue.claim(owner: JobOwner.current)
            let again = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "watch")
            #expect(!again.inserted && again.job.state == .running)
        }
    }

    @Test func finishedJobIsResetByEnqueue() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            let claimed = try #require(try await queue.claim(owner: JobOwner.current))
            try await queue.complete(claimed.id)
            #expect(try await queue.get("m2v-T1")?.state == .done)
            let (job, inserted) = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "watch")
            #expect(inserted)
            #expect(job.state == .pending && job.attempts == 0 && job.reason == "watch" && job.owner == nil)
            #expect(queueFiles(root, "done").isEmpty && queueFiles(root, "pending") == ["m2v-T1.json"])
        }
    }

    @Test func enqueueWhileRunningAsksForOneMoreRun() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            let claimed = try #require(try await queue.claim(owner: JobOwner.current))
            // A callback arrives mid-run (say, for an export requested meanwhile): collapsed, not lost.
            for _ in 0..<3 {
                let (job, inserted) = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
                #expect(!inserted && job.state == .running && job.rerunRequested)
            }
            try await queue.complete(claimed.id)
            let after = try #require(try await queue.get("m2v-T1"))
            #expect(after.state == .pending && after.attempts == 0 && !after.rerunRequested)
            let again = try #require(try await queue.claim(owner: JobOwner.current))
            try await queue.complete(again.id)
            #expect(try await queue.get("m2v-T1")?.state == .done, "one more run, not a loop")
        }
    }

    @Test func claimTakesTheOldestDueJobAndCountsTheAttempt() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            for id in ["A", "B", "C"] {
                _ = try await queue.enqueue(taskId: id, kind: "m2v", reason: "cli")
                try await Task.sleep(for: .milliseconds(3))
            }
            let first = try #require(try await queue.claim(owner: "host:1:w1"))
            #expect(first.taskId == "A" && first.state == .running && first.attempts == 1 && first.owner == "host:1:w1")
            // A failed job waits for its notBefore.
            let failed = try await queue.fail(first.id, error: "upstream 5xx", retryAfter: .seconds(60))
            #expect(failed.state == .pending && failed.attempts == 1 && failed.lastError == "upstream 5xx")
            #expect(failed.notBefore.timeIntervalSinceNow > 55)
            #expect(try await queue.claim(owner: "host:1:w1")?.taskId == "B")
            #expect(try await queue.claim(owner: "host:1:w1")?.taskId == "C")
            #expect(try await queue.claim(owner: "host:1:w1") == nil)
            // Stored as returned: a second instance reads the same values.
            #expect(try await FileJobQueue(root: root).get(failed.id) == failed)
        }
    }

    @Test func failBacksOffExponentiallyWithJitterThenFails() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root, maxAttempts: 3, baseDelay: .seconds(10), maxDelay: .seconds(15))
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            var job = try #require(try await queue.claim(owner: JobOwner.current))
            var before = Date()
            job = try await queue.fail(job.id, error: "e1", retryAfter: nil)
            var delay = job.notBefore.timeIntervalSince(before)
            #expect(job.state == .pending && delay >= 4.9 && delay <= 10.1)   // 10 s × [0.5, 1]
            #expect(try await queue.claim(owner: JobOwner.current) == nil)    // not due yet

            // Make it due (retry of a pending job), second attempt: 20 s capped at 15 s.
            _ = try await queue.retry(job.id)
            job = try #require(try await queue.claim(owner: JobOwner.current))
            #expect(job.attempts == 2)
            before = Date()
            job = try await queue.fail(job.id, error: "e2", retryAfter: nil)
            delay = job.notBefore.timeIntervalSince(before)
            #expect(delay >= 7.4 && delay <= 15.1)

            _ = try await queue.retry(job.id)
            job = try #require(try await queue.claim(owner: JobOwner.current))
            job = try await queue.fail(job.id, error: "e3", retryAfter: .zero)
            #expect(job.state == .failed && job.attempts == 3 && job.lastError == "e3")
            #expect(try await queue.list(state: .failed).map(\.id) == ["m2v-T1"])
            #expect(try await queue.claim(owner: JobOwner.current) == nil)
        }
    }

    @Test func retryPutsFailedAndCancelledJobsBack() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root, maxAttempts: 1)
            for id in ["A", "B", "C"] { _ = try await queue.enqueue(taskId: id, kind: "m2v", reason: "cli") }
            for _ in 0..<2 {
                let job = try #require(try await queue.claim(owner: JobOwner.current))
                _ = try await queue.fail(job.id, error: "boom", retryAfter: nil)
            }
            #expect(try await queue.counts() == [.pending: 1, .running: 0, .done: 0, .failed: 2, .cancelled: 0])

            let retried = try await queue.retry("m2v-A")
            #expect(retried.state == .pending && retried.attempts == 0 && retried.lastError == "boom")
            let all = try await queue.retryFailed()
            #expect(all.map(\.id) == ["m2v-B"])
            #expect(try await queue.list(state: .failed).isEmpty)

            let cancelled = try await queue.cancel("m2v-C")
            #expect(cancelled.state == .cancelled)
            #expect(try await queue.retry("m2v-C").state == .pending)

            await #expect(throws: JobQueueError.notFound) { try await queue.retry("m2v-nope") }
            let running = try #require(try await queue.claim(owner: JobOwner.current))
            await #expect(throws: JobQueueError.invalidTransition) { try await queue.retry(running.id) }
            try await queue.complete(running.id)
            await #expect(throws: JobQueueError.invalidTransition) { try await queue.retry(running.id) }
        }
    }

    @Test func cancelPendingAtOnceAndRunningWhenItEnds() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            _ = try await queue.enqueue(taskId: "A", kind: "m2v", reason: "cli")
            _ = try await queue.enqueue(taskId: "B", kind: "m2v", reason: "cli")
            let running = try #require(try await queue.claim(owner: JobOwner.current))

            let marked = try await queue.cancel(running.id)
            #expect(marked.state == .running && marked.cancelRequested)
            try await queue.complete(running.id)
            #expect(try await queue.get(running.id)?.state == .cancelled)

            #expect(try await queue.cancel("m2v-B").state == .cancelled)
            #expect(try await queue.cancel("m2v-B").state == .cancelled)   // idempotent
            #expect(try await queue.claim(owner: JobOwner.current) == nil)
            await #expect(throws: JobQueueError.notFound) { try await queue.cancel("m2v-nope") }

            // A cancelled-while-running job that then fails ends cancelled too.
            _ = try await queue.enqueue(taskId: "C", kind: "m2v", reason: "cli")
            let c = try #require(try await queue.claim(owner: JobOwner.current))
            _ = try await queue.cancel(c.id)
            #expect(try await queue.fail(c.id, error: "x", retryAfter: nil).state == .cancelled)

            _ = try await queue.enqueue(taskId: "D", kind: "m2v", reason: "cli")
            let d = try #require(try await queue.claim(owner: JobOwner.current))
            try await queue.complete(d.id)
            await #expect(throws: JobQueueError.invalidTransition) { try await queue.cancel(d.id) }
            await #expect(throws: JobQueueError.invalidTransition) { try await queue.complete(d.id) }
        }
    }

    @Test(arguments: ["", "../x", "a/b", ".hidden", "x\u{0}y", "é", String(repeating: "a", count: 129)])
    func unsafeTaskIDsAreRefused(_ id: String) async throws {
        try await withQueueRoot { (root: URL) async throws in
            let queue = FileJobQueue(root: root)
            await #expect(throws: JobQueueError.invalidJob) { try await queue.enqueue(taskId: id, kind: "m2v", reason: "cli") }
            await #expect(throws: JobQueueError.invalidJob) { try await queue.enqueue(taskId: "ok", kind: id.isEmpty ? "" : "k/\(id)", reason: "cli") }
            #expect(try await queue.get(id) == nil)
            #expect(try await queue.list(state: nil).isEmpty)
        }
    }

    @Test func listIsOldestFirstAndFiltersByState() async throws {
        try await withQueueRoot { root in
            let queue = FileJobQueue(root: root)
            for id in ["Z", "Y", "X"] {
                _ = try await queue.enqueue(taskId: id, kind: "m2v", reason: "cli")
                try await Task.sleep(for: .milliseconds(3))
            }
            let z = try #require(try await queue.claim(owner: JobOwner.current))
            try await queue.complete(z.id)
            #expect(try await queue.list(state: nil).map(\.taskId) == ["Z", "Y", "X"])
            #expect(try await queue.list(state: .pending).map(\.taskId) == ["Y", "X"])
            #expect(try await queue.list(state: .done).map(\.taskId) == ["Z"])
            #expect(try await queue.counts()[.pending] == 2)
        }
    }
}
