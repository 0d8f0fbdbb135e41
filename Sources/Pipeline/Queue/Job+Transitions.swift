import Foundation

/// Why a running job stopped without an outcome of its own.
public enum JobInterruption: Sendable, Equatable {
    /// A graceful stop (SIGTERM/SIGINT cancelled the worker): never counted.
    case shutdown
    /// Its process is gone (SIGKILL, crash, lost machine), found on recovery: counted as an interruption.
    case vanished(owner: String?)
}

/// The state changes of a job, as pure functions: the queue reads a job, asks for its next value, and stores it.
/// Each takes `now` (and the limits it needs) instead of reading a clock, so each is tested on its own.
extension Job {
    /// Interruptions in a row after which a recovered job fails, unless the service says otherwise
    /// (`ServiceSettings.maxInterruptions`, `REEL_MAX_INTERRUPTIONS`).
    public static let defaultMaxInterruptions = 10
    /// `lastError` is cut to this many UTF-8 bytes.
    public static let maximumErrorBytes = 4096
    /// The longest task id and kind a queue accepts; `reason` is cut to ``maximumReasonLength`` characters.
    public static let maximumTaskIDLength = 128, maximumKindLength = 32, maximumReasonLength = 64

    /// A new pending job for (`kind`, `taskId`), due now. Throws ``JobQueueError/invalidJob`` for a task id or kind
    /// that is not a safe path component (`[A-Za-z0-9._-]`, not starting with `.`): every backend refuses the same.
    package static func new(taskId: String, kind: String, reason: String, maxAttempts: Int, now: Date) throws(JobQueueError) -> Job {
        try checkNames(taskId: taskId, kind: kind)
        return Job(taskId: taskId, kind: kind, maxAttempts: maxAttempts, notBefore: now, createdAt: now, updatedAt: now,
                   reason: String(reason.prefix(maximumReasonLength)))
    }

    /// Throws ``JobQueueError/invalidJob`` unless `taskId` and `kind` are safe path components of allowed lengths.
    package static func checkNames(taskId: String, kind: String) throws(JobQueueError) {
        try QueueName.check(taskId, what: "task id", maximumLength: maximumTaskIDLength)
        try QueueName.check(kind, what: "kind", maximumLength: maximumKindLength)
    }

    /// The order jobs are claimed and listed in: oldest `createdAt` first, then by id.
    package static func claimOrder(_ a: Job, _ b: Job) -> Bool {
        (a.createdAt, a.id) < (b.createdAt, b.id)
    }

    /// The task was enqueued again while this job exists. A running job asks for one more run (duplicates collapse
    /// into that one request); a finished job starts a new life for `reason` (attempts 0, due now); a pending job
    /// stays as it is. `nil` when nothing changes; `inserted` is true when the job is back in the queue.
    package func enqueuedAgain(reason: String, now: Date, maxAttempts: Int) -> (job: Job, inserted: Bool)? {
        var job = self
        switch state {
        case .pending:
            return nil
        case .running:
            guard !rerunRequested else { return nil }
            job.rerunRequested = true
            return (job, false)
        case .done, .failed, .cancelled:
            job.reset(now: now, maxAttempts: maxAttempts)
            job.lastError = nil
            job.reason = String(reason.prefix(Self.maximumReasonLength))
            return (job, true)
        }
    }

    /// This job, which an operation on a running job (`complete`, `fail`, `release`) needs running.
    package func requireRunning(_ operation: String) throws(JobQueueError) -> Job {
        guard state == .running else { throw JobQueueError.invalidTransition(self, operation) }
        return self
    }

    /// `reel jobs retry`: failed/cancelled → pending for a new life (attempts 0, the same `maxAttempts`); a pending job
    /// waiting for its backoff is made due now (unchanged if it already is). Running and done jobs refuse.
    package func retried(now: Date) throws(JobQueueError) -> Job {
        var job = self
        switch state {
        case .failed, .cancelled:
            job.reset(now: now, maxAttempts: maxAttempts)
        case .pending:
            guard notBefore > now else { return self }
            job.notBefore = now
            job.updatedAt = now
        case .running, .done:
            throw JobQueueError.invalidTransition(self, "retry")
        }
        return job
    }

    /// `reel jobs cancel`: pending or failed → cancelled; running → `cancelRequested` (cancelled when the attempt
    /// ends); cancelled stays as it is; done refuses.
    package func cancelled(now: Date) throws(JobQueueError) -> Job {
        var job = self
        switch state {
        case .cancelled:
            return self
        case .done:
            throw JobQueueError.invalidTransition(self, "cancel")
        case .pending, .failed:
            job.state = .cancelled
        case .running:
            if cancelRequested { return self }
            job.cancelRequested = true
        }
        job.updatedAt = now
        return job
    }

    /// Pending → running for `owner`, counting this attempt.
    package func claimed(by owner: String, now: Date) -> Job {
        var job = self
        job.state = .running
        job.attempts += 1
        job.owner = owner
        job.updatedAt = now
        return job
    }

    /// The attempt ended well: running → done (→ cancelled if a cancel was asked; → pending for a fresh life if the
    /// task was enqueued again meanwhile). The interruption count starts again.
    package func completed(now: Date, maxAttempts: Int, outcome: JobOutcome? = nil) -> Job {
        var job = self
        job.outcome = outcome
        job.state = cancelRequested ? .cancelled : .done
        job.owner = nil
        job.updatedAt = now
        job.interruptions = 0
        if job.state == .done, rerunRequested {
            // Enqueued again while it ran: run once more, from a fresh attempt count.
            job.reset(now: now, maxAttempts: maxAttempts)
            job.rerunRequested = false
        }
        if job.state == .done { job.lastError = nil }
        return job
    }

    /// The attempt ended with an error of the job itself: running → pending due at `retryAt`, or → failed once
    /// `attempts` has reached `maxAttempts` (→ cancelled if a cancel was asked). The interruption count starts again.
    package func failed(error: String, now: Date, retryAt: Date) -> Job {
        var job = self
        job.owner = nil
        job.updatedAt = now
        job.lastError = Self.truncated(error)
        job.interruptions = 0
        if cancelRequested {
            job.state = .cancelled
        } else if attempts >= maxAttempts {
            job.state = .failed
        } else {
            job.state = .pending
            job.notBefore = retryAt
        }
        return job
    }

    /// The attempt stopped without an outcome: running → pending due now, with the attempt given back. A vanished
    /// process counts one interruption; at `maxInterruptions` in a row the job fails as a likely poison input. A cancel
    /// asked meanwhile makes it cancelled.
    package func interrupted(_ interruption: JobInterruption, now: Date, maxInterruptions: Int) -> Job {
        var job = self
        job.owner = nil
        job.updatedAt = now
        job.attempts = max(0, attempts - 1)
        if case .vanished(let owner) = interruption {
            job.interruptions += 1
            job.lastError = "attempt \(attempts) interrupted: its process (\(owner ?? "unknown")) is gone"
                + " (\(job.interruptions) interruption\(job.interruptions == 1 ? "" : "s") in a row)"
        }
        if cancelRequested {
            job.state = .cancelled
        } else if case .vanished = interruption, job.interruptions >= max(1, maxInterruptions) {
            job.state = .failed
            job.lastError = "interrupted \(job.interruptions) times in a row: the input may crash the worker"
        } else {
            job.state = .pending
            job.notBefore = now
        }
        return job
    }

    /// Back to pending for a new life: attempts and interruptions 0, due now, no owner, no cancel request.
    package mutating func reset(now: Date, maxAttempts: Int) {
        state = .pending
        attempts = 0
        interruptions = 0
        self.maxAttempts = maxAttempts
        notBefore = now
        createdAt = now
        updatedAt = now
        owner = nil
        cancelRequested = false
        rerunRequested = false
        outcome = nil
    }
}

extension Job {
    /// `text` cut to ``maximumErrorBytes`` UTF-8 bytes (on a character boundary, ending with `…`).
    package static func truncated(_ text: String) -> String {
        guard text.utf8.count > maximumErrorBytes else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            bytes += character.utf8.count
            if bytes > maximumErrorBytes - 3 { break }
            result.append(character)
        }
        return result + "…"
    }
}
