import Synchronization

/// Records when a transfer last made progress, for ``withStallTimeout(_:operation:)``.
final class ProgressBeacon: Sendable {
    let clock: ElapsedClock
    private let lastNanoseconds = Atomic<Int64>(0)

    init(clock: ElapsedClock) {
        self.clock = clock
    }

    func touch() {
        lastNanoseconds.store(Self.nanoseconds(clock.elapsed), ordering: .relaxed)
    }

    var silence: Duration {
        .nanoseconds(Self.nanoseconds(clock.elapsed) - lastNanoseconds.load(ordering: .relaxed))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Thrown by ``withStallTimeout(_:operation:)`` when the operation stayed silent too long.
struct StallTimeout: Error {
    let silence: Duration
}

/// Runs `operation`, cancelling it when it has not touched its beacon for `timeout` (a read timeout that also
/// covers a body trickling in forever, which a whole-request deadline cannot tell from a large file). Silence is
/// measured on `clock`.
func withStallTimeout<T: Sendable>(
    _ timeout: Duration,
    clock: some Clock<Duration> = ContinuousClock(),
    operation: @escaping @Sendable (ProgressBeacon) async throws -> T
) async throws -> T {
    let beacon = ProgressBeacon(clock: ElapsedClock(clock))
    beacon.touch()
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation(beacon) }
        group.addTask {
            let tick = min(timeout / 4, .seconds(1))
            while beacon.silence < timeout {
                try await beacon.clock.sleep(for: tick)
            }
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw StallTimeout(silence: beacon.silence)
        }
        return value
    }
}
