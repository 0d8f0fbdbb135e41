/// Spaces requests at least `1 / perSecond` apart, shared by concurrent callers. Time is `clock`'s.
public actor RateLimiter {
    private let interval: Duration
    private let clock: ElapsedClock
    private var next: Duration

    public init(perSecond: Double, clock: some Clock<Duration> = ContinuousClock()) {
        interval = .milliseconds(Int64(1000 / max(0.01, perSecond)))
        self.clock = ElapsedClock(clock)
        next = .zero
    }

    /// Waits for this caller's turn.
    public func acquire() async throws {
        let now = clock.elapsed
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try await clock.sleep(untilElapsed: slot) }
    }
}
