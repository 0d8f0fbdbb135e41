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

    /// Pending → running for `owner`, counting this attempt.
    func claimed(by owner: String, now: Date) -> Job {
        var job = self
        job.state = .running
        job.attempts += 1
        job.owner = owner
        job.updatedAt = now
        return job
    }

    /// The attempt ended well: running → done (→ cancelled if a cancel was asked; → pending for a fresh life if the
    /// task was enqueued again meanwhile). The interruption count starts again.
    func completed(now: Date, maxAttempts: Int) -> Job {
        var job = self
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
    func failed(error: String, now: Date, retryAt: Date) -> Job {
        var job = self
        job.owner = nil
        job.updatedAt = now
        job.lastError = error
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
    func interrupted(_ interruption: JobInterruption, now: Date, maxInterruptions: Int) -> Job {
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
    mutating func reset(now: Date, maxAttempts: Int) {
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
    }
}
