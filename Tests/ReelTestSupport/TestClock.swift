import Synchronization

/// A `Clock` whose time moves only when a test says so: the waits of the code under test (retries, the rate limiter,
/// the wake signal, the stall watchdog) are then independent of how busy the machine is.
///
/// A sleep ends when ``advance(by:)`` moves `now` to or past its deadline, or at once with `CancellationError` when
/// its task is cancelled. With `advancesWhenSleeping`, every sleep instead moves `now` to its own deadline and
/// returns: time passes exactly as far as the code waits, and no further (for loops that only wait, such as retries).
public final class TestClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>?
        var cancelled = false
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [UInt64: Sleeper] = [:]
        var nextID: UInt64 = 0
        var sleepsStarted = 0
    }

    private let state = Mutex(State())
    private let advancesWhenSleeping: Bool

    public init(advancesWhenSleeping: Bool = false) {
        self.advancesWhenSleeping = advancesWhenSleeping
    }

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// Sleeps waiting for their deadline now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.values.filter { $0.continuation != nil }.count } }

    /// Sleeps begun since the clock was made (finished or not).
    public var sleepsStarted: Int { state.withLock { $0.sleepsStarted } }

    /// The earliest deadline of a waiting sleep.
    public var nextDeadline: Instant? {
        state.withLock { $0.sleepers.values.filter { $0.continuation != nil }.map(\.deadline).min() }
    }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        if advancesWhenSleeping {
            state.withLock { $0.sleepsStarted += 1 }
            advance(to: deadline)
            return
        }
        let id: UInt64? = state.withLock { state in
            state.sleepsStarted += 1
            guard deadline > state.now else { return nil }
            state.nextID += 1
            state.sleepers[state.nextID] = Sleeper(deadline: deadline)
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: (any Error)?? = state.withLock { state in
                    guard var sleeper = state.sleepers[id] else { return .some(nil) } // already due
                    if sleeper.cancelled {
                        state.sleepers[id] = nil
                        return .some(CancellationError())
                    }
                    sleeper.continuation = continuation
                    state.sleepers[id] = sleeper
                    return .none
                }
                switch resume {
                case .none: break
                case .some(nil): continuation.resume()
                case .some(let error?): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
                guard var sleeper = state.sleepers[id] else { return nil }
                guard let continuation = sleeper.continuation else {
                    sleeper.cancelled = true
                    state.sleepers[id] = sleeper
                    return nil
                }
                state.sleepers[id] = nil
                return continuation
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward by `duration`, ending every sleep whose deadline is then reached.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time to `instant` (never backwards), ending every sleep whose deadline is then reached.
    public func advance(to instant: Instant) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            state.now = max(state.now, instant)
            let now = state.now
            let ids = state.sleepers.filter { $0.value.deadline <= now }.sorted { $0.value.deadline < $1.value.deadline }.map(\.key)
            return ids.compactMap { id in
                let continuation = state.sleepers[id]?.continuation
                // A sleep not registered yet finds its entry gone and returns at once.
                state.sleepers[id] = nil
                return continuation
            }
        }
        for continuation in due { continuation.resume() }
    }

    /// Waits (on the real clock, in 1 ms steps) until `condition` holds for this clock; throws after `limit`, a bound
    /// only a broken test reaches, however loaded the machine.
    public func waitUntil(
        _ what: String = "the clock's condition", limit: Duration = .seconds(120),
        _ condition: (TestClock) -> Bool
    ) async throws {
        let start = ContinuousClock.now
        while !condition(self) {
            if ContinuousClock.now - start > limit { throw TestClockTimeout(what: what, limit: limit) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Waits until at least `count` sleeps wait for their deadline.
    public func waitForSleepers(_ count: Int = 1, limit: Duration = .seconds(120)) async throws {
        try await waitUntil("\(count) sleeper(s)", limit: limit) { $0.sleeperCount >= count }
    }
}

/// ``TestClock/waitUntil(_:limit:_:)`` gave up: the code under test never reached the expected wait.
public struct TestClockTimeout: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String { "waited \(limit) of real time for \(what)" }
}
