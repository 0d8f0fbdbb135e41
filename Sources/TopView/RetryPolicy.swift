/// How ``TopViewClient/query(kind:taskId:)`` retries transient failures.
///
/// Ordinary transient failures (5000/5001/5004/5005, transport errors) back off exponentially with full
/// jitter: a random wait in `0...min(maxDelay, baseDelay * 2^(n-1))` after the n-th failure.
/// 4007 ("unfinished task exists") waits `longWait`; 5003 ("server busy") waits a random time in
/// `busyWait`. Codes this client does not know are retried at most `maxUnknownCodeAttempts` times in all.
/// No wait is started that would end past `totalBudget` (counted from the first request): the query
/// fails as exhausted instead. Waits and the budget are measured on ``clock`` (tests inject one they move).
public struct RetryPolicy: Sendable, Equatable {
    /// Requests in all, the first one included. `1` disables retries.
    public var maxAttempts: Int
    /// The backoff scale of the first retry.
    public var baseDelay: Duration
    /// The largest backoff window for ordinary transient failures.
    public var maxDelay: Duration
    /// The wait after 4007 (the official client waits about 30 s).
    public var longWait: Duration
    /// The range of waits after 5003 (the official client waits 10-30 s).
    public var busyWait: ClosedRange<Duration>
    /// Wall-clock budget for all attempts and waits together.
    public var totalBudget: Duration
    /// Attempts allowed in all while the upstream answers a code this client does not know.
    public var maxUnknownCodeAttempts: Int
    /// The clock the waits and ``totalBudget`` are measured on: `ContinuousClock` unless a test injects its own.
    /// Not part of equality (two policies with the same numbers are the same policy).
    public var clock: any Clock<Duration>

    public init(
        maxAttempts: Int = 6,
        baseDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(30),
        longWait: Duration = .seconds(30),
        busyWait: ClosedRange<Duration> = .seconds(10) ... .seconds(30),
        totalBudget: Duration = .seconds(300),
        maxUnknownCodeAttempts: Int = 3,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.longWait = longWait
        self.busyWait = busyWait
        self.totalBudget = totalBudget
        self.maxUnknownCodeAttempts = max(1, maxUnknownCodeAttempts)
        self.clock = clock
    }

    public static func == (lhs: RetryPolicy, rhs: RetryPolicy) -> Bool {
        lhs.maxAttempts == rhs.maxAttempts && lhs.baseDelay == rhs.baseDelay && lhs.maxDelay == rhs.maxDelay
            && lhs.longWait == rhs.longWait && lhs.busyWait == rhs.busyWait && lhs.totalBudget == rhs.totalBudget
            && lhs.maxUnknownCodeAttempts == rhs.maxUnknownCodeAttempts
    }

    /// The production policy.
    public static let standard = RetryPolicy()

    /// Millisecond waits for tests and demos against a local sandbox.
    public static let fast = RetryPolicy(
        maxAttempts: 4,
        baseDelay: .milliseconds(5),
        maxDelay: .milliseconds(20),
        longWait: .milliseconds(20),
        busyWait: .milliseconds(5) ... .milliseconds(20),
        totalBudget: .seconds(10),
        maxUnknownCodeAttempts: 2
    )

    /// No retries at all.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The preset called `standard`, `fast` or `none` (`TOPVIEW_RETRY_POLICY`); nil for any other name.
    public static func named(_ name: String) -> RetryPolicy? {
        switch name.lowercased() {
        case "standard": .standard
        case "fast": .fast
        case "none": RetryPolicy.none
        default: nil
        }
    }

    /// The wait before the next attempt after `failures` failed ones (1 after the first failure).
    public func delay(
        afterFailures failures: Int,
        disposition: TopViewError.Disposition,
        code: String?,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        if disposition == .transientLongWait {
            if code == "5003" { return Self.random(in: busyWait, using: &generator) }
            return longWait
        }
        let exponent = min(max(failures - 1, 0), 30)
        let window = min(maxDelay, baseDelay * (1 << exponent))
        return Self.random(in: .zero ... max(window, .zero), using: &generator)
    }

    private static func random(in range: ClosedRange<Duration>, using generator: inout some RandomNumberGenerator) -> Duration {
        let low = range.lowerBound.nanoseconds
        let high = range.upperBound.nanoseconds
        guard high > low else { return range.lowerBound }
        return .nanoseconds(Int64.random(in: low ... high, using: &generator))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64.max`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled &+ attoseconds / 1_000_000_000
    }

    var milliseconds: Int64 { nanoseconds / 1_000_000 }
}
