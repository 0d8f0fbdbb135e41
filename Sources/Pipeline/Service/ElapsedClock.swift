/// Any `Clock<Duration>` seen as the time elapsed since this value was made, so that the rate limiter, the wake signal
/// and the stall watchdog take an injected clock (a test clock that moves only when told) without becoming generic.
struct ElapsedClock: Sendable {
    private let read: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let origin = clock.now
        read = { origin.duration(to: clock.now) }
        sleeper = { elapsed in try await clock.sleep(until: origin.advanced(by: elapsed), tolerance: nil) }
    }

    /// Time since this value was made.
    var elapsed: Duration { read() }

    /// Sleeps until ``elapsed`` reaches `target`; throws `CancellationError` when the task is cancelled.
    func sleep(untilElapsed target: Duration) async throws {
        try await sleeper(target)
    }

    func sleep(for duration: Duration) async throws {
        try await sleeper(read() + duration)
    }
}
