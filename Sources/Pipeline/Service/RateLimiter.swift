/// Spaces requests at least `1 / perSecond` apart, shared by concurrent callers.
public actor RateLimiter {
    private let interval: Duration
    private var next = ContinuousClock.now

    public init(perSecond: Double) {
        interval = .milliseconds(Int64(1000 / max(0.01, perSecond)))
    }

    /// Waits for this caller's turn.
    public func acquire() async throws {
        let now = ContinuousClock.now
        let slot = max(now, next)
        next = slot + interval
        if slot > now { try await Task.sleep(until: slot, clock: .continuous) }
    }
}
