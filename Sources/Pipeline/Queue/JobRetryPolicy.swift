import DurableFiles
import Foundation
import ReelBasics

/// How a queue retries a job whose attempt failed: how many attempts a life has, and how long a failed job waits
/// before the next one. Every ``JobQueue`` implementation takes one, so the backends retry alike.
public struct JobRetryPolicy: Sendable, Equatable {
    /// A job whose failing attempt brings `attempts` to this is kept as failed (at least 1).
    public var maxAttempts: Int
    /// The first retry waits about this long; each further one twice as long.
    public var baseDelay: Duration
    /// No retry waits longer than this.
    public var maxDelay: Duration

    public init(maxAttempts: Int = 5, baseDelay: Duration = .seconds(5), maxDelay: Duration = .seconds(300)) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(.zero, baseDelay)
        self.maxDelay = max(self.baseDelay, maxDelay)
    }

    /// The delay before the next attempt after `attempts` failed ones: `baseDelay × 2^(attempts−1)`, at most
    /// `maxDelay`, of which a random 50–100 % is used (jitter spreads retries of jobs that failed together).
    public func delay(after attempts: Int) -> TimeInterval {
        let base = max(0, baseDelay.inSeconds)
        let cap = max(0, maxDelay.inSeconds)
        let delay = min(cap, base * pow(2, Double(min(max(attempts, 1) - 1, 30))))
        return delay * Double.random(in: 0.5...1.0)
    }

    /// When a job that failed its attempt number `attempts` at `now` is due again: after `retryAfter` when the error
    /// said so (an upstream's `Retry-After`), else after the backoff; to the millisecond, as queues store dates.
    public func retryAt(after attempts: Int, retryAfter: Duration?, now: Date) -> Date {
        StoredJSON.milliseconds(now.addingTimeInterval(retryAfter.map { max(0, $0.inSeconds) } ?? delay(after: attempts)))
    }
}
