import Foundation
import Testing
@testable import Pipeline

/// The behaviour every ``JobQueue`` promises, one case per check: run them all against a backend with
/// `@Test(arguments: JobQueueCheck.allCases) func x(_ check: JobQueueCheck) async throws { try await check.run(on: backend) }`.
/// Only the protocol is used (plus the backend's fixture), so a check passes or fails the same for every backend.
enum JobQueueCheck: String, CaseIterable, Sendable, CustomStringConvertible {
    case duplicateEnqueuesCollapse
    case enqueueWhileRunningRequestsOneRerun
    case enqueueRestartsAFinishedJob
    case unsafeNamesAreRefused
    case claimTakesTheOldestDueJob
    case notBeforeIsRespected
    case completeFailReleaseNeedARunningJob
    case attemptsReachMaxAttemptsThenFail
    case retryAndRetryFailed
    case cancelPendingRunningFinished
    case vanishedOwnerIsAnInterruption
    case interruptionsInARowFailThePoisonInput
    case liveOwnersAreLeftAlone
    case concurrentClaimsNeverShareAJob
    case listingAndCounts

    var description: String { rawValue }

    func run(on backend: JobQueueBackend) async throws {
        switch self {
        case .duplicateEnqueuesCollapse: try await JobQueueContract.duplicateEnqueuesCollapse(backend)
        case .enqueueWhileRunningRequestsOneRerun: try await JobQueueContract.enqueueWhileRunningRequestsOneRerun(backend)
        case .enqueueRestartsAFinishedJob: try await JobQueueContract.enqueueRestartsAFinishedJob(backend)
        case .unsafeNamesAreRefused: try await JobQueueContract.unsafeNamesAreRefused(backend)
        case .claimTakesTheOldestDueJob: try await JobQueueContract.claimTakesTheOldestDueJob(backend)
        case .notBeforeIsRespected: try await JobQueueContract.notBeforeIsRespected(backend)
        case .completeFailReleaseNeedARunningJob: try await JobQueueContract.completeFailReleaseNeedARunningJob(backend)
        case .attemptsReachMaxAttemptsThenFail: try await JobQueueContract.attemptsReachMaxAttemptsThenFail(backend)
        case .retryAndRetryFailed: try await JobQueueContract.retryAndRetryFailed(backend)
        case .cancelPendingRunningFinished: try await JobQueueContract.cancelPendingRunningFinished(backend)
        case .vanishedOwnerIsAnInterruption: try await JobQueueContract.vanishedOwnerIsAnInterruption(backend)
        case .interruptionsInARowFailThePoisonInput: try await JobQueueContract.interruptionsInARowFailThePoisonInput(backend)
        case .liveOwnersAreLeftAlone: try await JobQueueContract.liveOwnersAreLeftAlone(backend)
        case .concurrentClaimsNeverShareAJob: try await JobQueueContract.concurrentClaimsNeverShareAJob(backend)
        case .listingAndCounts: try await JobQueueContract.listingAndCounts(backend)
        }
    }
}

/// The checks themselves.
enum JobQueueContract {
    /// The latest date a job made due "now" may carry: queues keep dates to the millisecond, rounded to the nearest.
    static func dueNow() -> Date { Date().addingTimeInterval(0.001) }

    /// Retries wait long enough that a failed job is never due again within a check, unless the check says so.
    static let slowRetries = JobRetryPolicy(maxAttempts: 5, baseDelay: .seconds(3600), maxDelay: .seconds(3600))

    static func duplicateEnqueuesCollapse(_ backend: JobQueueBackend) async throws {
        try await backend.run { f in
            let queue = f.queue
            let inserted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 0..<40 {
                    let handle = n.isMultiple(of: 2) ? queue : f.reopen()
                    group.addTask { try await handle.enqueue(taskId: "T1", kind: "m2v", reason: "callback").inserted }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(inserted == 1, "one job per task and kind")
            let pending = try await queue.list(state: .pending)
            #expect(pending.map(\.id) == [Job.id(kind: "m2v", taskId: "T1")])
            #expect(pending.first?.reason == "callback" && pending.first?.attempts == 0)
            // Another kind of the same task is another job; a pending duplicate changes nothing.
            #expect(try await queue.enqueue(taskId: "T1", kind: "other", reason: "cli").inserted)
            let again = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "watch")
            #expect(!again.inserted && again.job == pending.first)
            #expect(try await queue.counts()[.pending] == 2)
        }
    }

    static func enqueueWhileRunningRequestsOneRerun(_ backend: JobQueueBackend) async throws {
        try await backend.run { f in
            let queue = f.queue
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            let claimed = try #require(try await queue.claim(owner: f.liveOwner))
            for _ in 0..<3 {
                let (job, inserted) = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
                #expect(!inserted && job.state == .running && job.rerunRequested && job.owner == f.liveOwner)
            }
            #expect(try await queue.claim(owner: f.liveOwner) == nil, "a running job is not claimed twice")
            try await queue.complete(claimed.id)
            let after = try #require(try await queue.get(claimed.id))
            #expect(after.state == .pending && after.attempts == 0 && !after.rerunRequested && after.owner == nil)
            let again = try #require(try await queue.claim(owner: f.liveOwner))
            #expect(again.attempts == 1)
            try await queue.complete(again.id)
            #expect(try await queue.get(claimed.id)?.state == .done, "one more run, not a loop")
        }
    }

    static func enqueueRestartsAFinishedJob(_ backend: JobQueueBackend) async throws {
        try await backend.run(policy: JobRetryPolicy(maxAttempts: 1)) { f in
            let queue = f.queue
            for finish in [JobState.done, .failed, .cancelled] {
                let task = "T-\(finish.rawValue)"
                _ = try await queue.enqueue(taskId: task, kind: "m2v", reason: "cli")
                switch finish {
                case .done:
                    let outcome = JobOutcome(result: "attention", message: "script 0 export: mismatch")
                    try await queue.complete(try #require(try await queue.claim(owner: f.liveOwner)).id, outcome: outcome)
                    #expect(try await f.reopen().get(Job.id(kind: "m2v", taskId: task))?.outcome == outcome, "the run's outcome is kept")
                case .failed:
                    let failed = try await queue.fail(try #require(try await queue.claim(owner: f.liveOwner)).id, error: "boom", retryAfter: nil)
                    #expect(failed.state == .failed)
                default:
                    _ = try await queue.cancel(Job.id(kind: "m2v", taskId: task))
                }
                #expect(try await queue.get(Job.id(kind: "m2v", taskId: task))?.state == finish)
                let (job, inserted) = try await queue.enqueue(taskId: task, kind: "m2v", reason: "watch")
                #expect(inserted)
                #expect(job.state == .pending && job.attempts == 0 && job.interruptions == 0 && job.reason == "watch")
                #expect(job.owner == nil && job.lastError == nil && !job.cancelRequested && job.notBefore <= dueNow())
                #expect(job.outcome == nil, "a new life has no outcome yet")
                #expect(try await queue.get(job.id) == job, "stored as returned")
                _ = try await queue.cancel(job.id)  // out of the next round's claims
            }
        }
    }

    static func unsafeNamesAreRefused(_ backend: JobQueueBackend) async throws {
        try await backend.run { f in
            for (task, kind) in [("../etc", "m2v"), ("T1", "a/b"), ("", "m2v"), (".hidden", "m2v"), (String(repeating: "x", count: 129), "m2v")] {
                await #expect(throws: JobQueueError.invalidJob) { _ = try await f.queue.enqueue(taskId: task, kind: kind, reason: "cli") }
            }
            let listed = try await f.queue.list(state: nil)
            #expect(listed.isEmpty)
            let unsafe = try await f.queue.get("../x")
            #expect(unsafe == nil)
        }
    }

    static func claimTakesTheOldestDueJob(_ backend: JobQueueBackend) async throws {
        try await backend.run(policy: slowRetries) { f in
            let queue = f.queue
            for id in ["C", "A", "B"] {
                _ = try await queue.enqueue(taskId: id, kind: "m2v", reason: "cli")
                try await Task.sleep(for: .milliseconds(3))
            }
            let first = try #require(try await queue.claim(owner: "host:1:w1"))
            #expect(first.taskId == "C" && first.state == .running && first.attempts == 1 && first.owner == "host:1:w1")
            #expect(try await queue.get(first.id) == first, "stored as returned")
            // The oldest job failed: it waits for its backoff, the next oldest goes first.
            _ = try await queue.fail(first.id, error: "later", retryAfter: nil)
            #expect(try await queue.claim(owner: "host:1:w1")?.taskId == "A")
            #expect(try await queue.claim(owner: "host:1:w1")?.taskId == "B")
            #expect(try await queue.claim(owner: "host:1:w1") == nil)
        }
    }

    static func notBeforeIsRespected(_ backend: JobQueueBackend) async throws {
        try await backend.run(policy: slowRetries) { f in
            let queue = f.queue
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            let claimed = try #require(try await queue.claim(owner: f.liveOwner))
            // Bounds measured around the call, with a second of room for a database's clock and rounding: a loaded
            // machine may stall anywhere, so no bound assumes how long a call takes.
            let before = Date()
            let failed = try await queue.fail(claimed.id, error: "HTTP 503", retryAfter: .seconds(60))
            let after = Date()
            #expect(failed.state == .pending && failed.attempts == 1 && failed.lastError == "HTTP 503" && failed.owner == nil)
            #expect(failed.notBefore >= before.addingTimeInterval(59) && failed.notBefore <= after.addingTimeInterval(61),
                    "retryAfter beats the backoff: \(failed.notBefore) for a fail between \(before) and \(after)")
            #expect(try await queue.claim(owner: f.liveOwner) == nil, "not before notBefore")

            // A short retryAfter: the job becomes due on its own, and is never claimed before its time.
            _ = try await queue.enqueue(taskId: "T2", kind: "m2v", reason: "cli")
            let second = try #require(try await queue.claim(owner: f.liveOwner))
            let short = try await queue.fail(second.id, error: "HTTP 429", retryAfter: .milliseconds(1500))
            let deadline = ContinuousClock.now + .seconds(120)
            var again: Job?
            while again == nil, ContinuousClock.now < deadline {
                again = try await queue.claim(owner: f.liveOwner)
                if let again { #expect(Date() >= short.notBefore.addingTimeInterval(-1), "claimed before its time") }
                else { try await Task.sleep(for: .milliseconds(100)) }
            }
            let due = try #require(again, "due once notBefore passed")
            #expect(due.id == second.id && due.attempts == 2)
            // Without retryAfter the policy's backoff applies (an hour, 50–100 % of it).
            let backedOff = try await queue.fail(due.id, error: "HTTP 500", retryAfter: nil)
            #expect(backedOff.notBefore.timeIntervalSinceNow > 1700)
        }
    }

    static func completeFailReleaseNeedARunningJob(_ backend: JobQueueBackend) async throws {
        try await backend.run { f in
            let queue = f.queue
            let (job, _) = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            await #expect(throws: JobQueueError.invalidTransition) { try await queue.complete(job.id) }
            await #expect(throws: JobQueueError.invalidTransition) { _ = try await queue.fail(job.id, error: "x", retryAfter: nil) }
            await #expect(throws: JobQueueError.invalidTransition) { _ = try await queue.release(job.id) }
            for operation in ["complete", "fail", "release", "retry", "cancel"] {
                await #expect(throws: JobQueueError.notFound, "\(operation) of an unknown id") {
                    switch operation {
                    case "complete": try await queue.complete("m2v-nope")
                    case "fail": _ = try await queue.fail("m2v-nope", error: "x", retryAfter: nil)
                    case "release": _ = try await queue.release("m2v-nope")
                    case "retry": _ = try await queue.retry("m2v-nope")
                    default: _ = try await queue.cancel("m2v-nope")
                    }
                }
            }
            // A graceful stop gives the attempt back and counts no interruption.
            let claimed = try #require(try await queue.claim(owner: f.liveOwner))
            let released = try await queue.release(claimed.id)
            #expect(released.state == .pending && released.attempts == 0 && released.interruptions == 0 && released.owner == nil)
            #expect(released.notBefore <= dueNow())
            let again = try #require(try await queue.claim(owner: f.liveOwner))
            #expect(again.attempts == 1)
            try await queue.complete(again.id)
            let done = try #require(try await queue.get(again.id))
            #expect(done.state == .done && done.owner == nil && done.lastError == nil)
            await #expect(throws: JobQueueError.invalidTransition) { try await queue.complete(again.id) }
        }
    }

    static func attemptsReachMaxAttemptsThenFail(_ backend: JobQueueBackend) async throws {
        try await backend.run(policy: JobRetryPolicy(maxAttempts: 3, baseDelay: .zero, maxDelay: .zero)) { f in
            let queue = f.queue
            let (enqueued, _) = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            #expect(enqueued.maxAttempts == 3)
            for attempt in 1...3 {
                let claimed = try #require(try await queue.claim(owner: f.liveOwner), "attempt \(attempt) is due at once")
                #expect(claimed.attempts == attempt)
                let failed = try await queue.fail(claimed.id, error: "error \(attempt) " + String(repeating: "é", count: 3000), retryAfter: nil)
                #expect(failed.attempts == attempt && failed.state == (attempt < 3 ? .pending : .failed))
                #expect(failed.lastError?.hasPrefix("error \(attempt) ") == true)
                #expect((failed.lastError?.utf8.count ?? 0) <= 4096, "errors are cut to 4 KiB")
            }
            #expect(try await queue.claim(owner: f.liveOwner) == nil, "a failed job is not claimed")
            #expect(try await queue.list(state: .failed).map(\.id) == [enqueued.id])
        }
    }

    static func retryAndRetryFailed(_ backend: JobQueueBackend) async throws {
        try await backend.run(policy: JobRetryPolicy(maxAttempts: 1, baseDelay: .seconds(3600), maxDelay: .seconds(3600))) { f in
            let queue = f.queue
            for task in ["A", "B", "C"] {
                _ = try await queue.enqueue(taskId: task, kind: "m2v", reason: "cli")
                _ = try await queue.fail(try #require(try await queue.claim(owner: f.liveOwner)).id, error: "bad", retryAfter: nil)
            }
            let retried = try await queue.retry("m2v-A")
            #expect(retried.state == .pending && retried.attempts == 0 && retried.notBefore <= dueNow())
            #expect(try await queue.retryFailed().map(\.id) == ["m2v-B", "m2v-C"])
            let counts = try await queue.counts()
            #expect(counts[.failed] == 0 && counts[.pending] == 3)
            // A running or done job refuses a retry.
            let running = try #require(try await queue.claim(owner: f.liveOwner))
            await #expect(throws: JobQueueError.invalidTransition) { _ = try await queue.retry(running.id) }
            try await queue.complete(running.id)
            await #expect(throws: JobQueueError.invalidTransition) { _ = try await queue.retry(running.id) }
            #expect(try await queue.retryFailed().isEmpty)
        }
    }

    static func cancelPendingRunningFinished(_ backend: JobQueueBackend) async throws {
        try await backend.run { f in
            let queue = f.queue
            let (pending, _) = try await queue.enqueue(taskId: "P", kind: "m2v", reason: "cli")
            #expect(try await queue.cancel(pending.id).state == .cancelled)
            #expect(try await queue.cancel(pending.id).state == .cancelled, "cancelling twice is fine")
            #expect(try await queue.claim(owner: f.liveOwner) == nil, "a cancelled job is not claimed")

            _ = try await queue.enqueue(taskId: "R", kind: "m2v", reason: "cli")
            let running = try #require(try await queue.claim(owner: f.liveOwner))
            let requested = try await queue.cancel(running.id)
            #expect(requested.state == .running && requested.cancelRequested)
            #expect(try await queue.get(running.id)?.cancelRequested == true, "a worker can see the request")
            try await queue.complete(running.id)
            #expect(try await queue.get(running.id)?.state == .cancelled, "it ends cancelled whatever its outcome")

            _ = try await queue.enqueue(taskId: "F", kind: "m2v", reason: "cli")
            let failing = try #require(try await queue.claim(owner: f.liveOwner))
            _ = try await queue.cancel(failing.id)
            #expect(try await queue.fail(failing.id, error: "x", retryAfter: nil).state == .cancelled)

            _ = try await queue.enqueue(taskId: "D", kind: "m2v", reason: "cli")
            let done = try #require(try await queue.claim(owner: f.liveOwner))
            try await queue.complete(done.id)
            await #expect(throws: JobQueueError.invalidTransition) { _ = try await queue.cancel(done.id) }
            #expect(try await queue.retry(pending.id).state == .pending, "a cancelled job can be retried")
        }
    }

    static func vanishedOwnerIsAnInterruption(_ backend: JobQueueBackend) async throws {
        try await backend.run { f in
            let queue = f.queue
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            _ = try await queue.fail(try #require(try await queue.claim(owner: f.liveOwner)).id, error: "first", retryAfter: .zero)
            let dead = try f.vanishedOwner()
            let claimed = try #require(try await queue.claim(owner: dead))
            #expect(claimed.owner == dead && claimed.attempts == 2)
            // The next start of the service (another handle, another owner) recovers it.
            let restarted = f.reopen()
            #expect(try await restarted.recover(owner: f.liveOwner, maxInterruptions: 10) == 1)
            let job = try #require(try await restarted.get(claimed.id))
            #expect(job.state == .pending && job.owner == nil && job.notBefore <= dueNow())
            #expect(job.attempts == 1, "the interrupted attempt is given back")
            #expect(job.interruptions == 1 && job.lastError?.contains("interrupted") == true)
            #expect(try await restarted.recover(owner: f.liveOwner, maxInterruptions: 10) == 0, "recovering again is safe")
            let next = try #require(try await restarted.claim(owner: f.liveOwner))
            #expect(next.attempts == 2)
            // An attempt that ends starts the interruption count again.
            _ = try await restarted.fail(next.id, error: "again", retryAfter: .zero)
            #expect(try await restarted.get(next.id)?.interruptions == 0)
            // A job whose cancel was asked is cancelled, not put back.
            _ = try await queue.cancel(next.id)
            _ = try await queue.enqueue(taskId: "C", kind: "m2v", reason: "cli")
            let cancelling = try #require(try await queue.claim(owner: try f.vanishedOwner()))
            #expect(cancelling.taskId == "C")
            _ = try await queue.cancel(cancelling.id)
            #expect(try await queue.recover(owner: f.liveOwner, maxInterruptions: 10) == 1)
            #expect(try await queue.get(cancelling.id)?.state == .cancelled)
        }
    }

    static func interruptionsInARowFailThePoisonInput(_ backend: JobQueueBackend) async throws {
        try await backend.run(policy: JobRetryPolicy(maxAttempts: 2)) { f in
            let queue = f.queue
            let (enqueued, _) = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "callback")
            // More interruptions than attempts: none of them uses one.
            for n in 1...3 {
                _ = try #require(try await queue.claim(owner: try f.vanishedOwner()))
                #expect(try await f.reopen().recover(owner: f.liveOwner, maxInterruptions: 4) == 1)
                let job = try #require(try await queue.get(enqueued.id))
                #expect(job.state == .pending && job.attempts == 0 && job.interruptions == n)
            }
            _ = try #require(try await queue.claim(owner: try f.vanishedOwner()))
            #expect(try await queue.recover(owner: f.liveOwner, maxInterruptions: 4) == 1)
            let poisoned = try #require(try await queue.get(enqueued.id))
            #expect(poisoned.state == .failed && poisoned.attempts == 0 && poisoned.interruptions == 4)
            #expect(poisoned.lastError == "interrupted 4 times in a row: the input may crash the worker")
            // `reel jobs retry` starts a fresh life.
            let retried = try await queue.retry(enqueued.id)
            #expect(retried.state == .pending && retried.interruptions == 0 && retried.attempts == 0)
        }
    }

    static func liveOwnersAreLeftAlone(_ backend: JobQueueBackend) async throws {
        try await backend.run { f in
            let queue = f.queue
            _ = try await queue.enqueue(taskId: "T1", kind: "m2v", reason: "cli")
            let claimed = try #require(try await queue.claim(owner: f.liveOwner))
            // Another process starting up (another handle, another live owner) must not take a live worker's job.
            #expect(try await f.reopen().recover(owner: f.liveOwner + ":other", maxInterruptions: 1) == 0)
            #expect(try await queue.recover(owner: f.liveOwner, maxInterruptions: 1) == 0)
            #expect(try await queue.get(claimed.id) == claimed)
        }
    }

    static func concurrentClaimsNeverShareAJob(_ backend: JobQueueBackend) async throws {
        let jobs = 200, claimers = 8
        try await backend.run { f in
            for n in 0..<jobs { _ = try await f.queue.enqueue(taskId: "T\(n)", kind: "m2v", reason: "cli") }
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for w in 0..<claimers {
                    let handle = f.reopen()
                    let owner = "\(f.liveOwner):w\(w)"
                    group.addTask {
                        var mine: [String] = []
                        while let job = try await handle.claim(owner: owner) {
                            #expect(job.owner == owner && job.state == .running)
                            mine.append(job.id)
                            try await handle.complete(job.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claims.count == jobs, "every job claimed once")
            #expect(Set(claims).count == jobs, "no job handed to two owners")
            #expect(try await f.queue.counts() == [.pending: 0, .running: 0, .done: jobs, .failed: 0, .cancelled: 0])
        }
    }

    static func listingAndCounts(_ backend: JobQueueBackend) async throws {
        try await backend.run(policy: JobRetryPolicy(maxAttempts: 1)) { f in
            let queue = f.queue
            #expect(try await queue.counts() == [.pending: 0, .running: 0, .done: 0, .failed: 0, .cancelled: 0])
            #expect(try await queue.list(state: nil).isEmpty)
            for task in ["A", "B", "C", "D", "E"] {
                _ = try await queue.enqueue(taskId: task, kind: "m2v", reason: "cli")
                try await Task.sleep(for: .milliseconds(2))
            }
            try await queue.complete(try #require(try await queue.claim(owner: f.liveOwner)).id)            // A done
            _ = try await queue.fail(try #require(try await queue.claim(owner: f.liveOwner)).id, error: "x", retryAfter: nil) // B failed
            _ = try #require(try await queue.claim(owner: f.liveOwner))                                     // C running
            _ = try await queue.cancel("m2v-D")                                                             // D cancelled
            #expect(try await queue.counts() == [.pending: 1, .running: 1, .done: 1, .failed: 1, .cancelled: 1])
            #expect(try await queue.list(state: nil).map(\.taskId) == ["A", "B", "C", "D", "E"], "oldest first")
            for (state, task) in [(JobState.done, "A"), (.failed, "B"), (.running, "C"), (.cancelled, "D"), (.pending, "E")] {
                let listed = try await queue.list(state: state)
                #expect(listed.map(\.taskId) == [task] && listed.allSatisfy { $0.state == state })
            }
            #expect(try await f.reopen().list(state: nil) == queue.list(state: nil), "every handle sees the same jobs")
            #expect(try await queue.get("m2v-Z") == nil)
        }
    }
}
