import Synchronization
import Testing
@testable import Pipeline
import ReelTestSupport

/// ``WakeSignal``: one signal wakes one waiter; a signal with nobody waiting is kept for the next wait; a cancelled
/// or timed-out wait leaves nothing behind. Timeouts run on a test clock that moves only when a test says so: a wait
/// here ends by a signal, a cancellation or an explicit advance, never by the machine being slow or fast.
@Suite struct WakeSignalTests {
    static func waitUntilWaiting(_ wake: WakeSignal, _ count: Int) async throws {
        let start = ContinuousClock.now
        while wake.waiterCount < count, ContinuousClock.now - start < .seconds(120) { try await Task.sleep(for: .milliseconds(1)) }
        try #require(wake.waiterCount == count, "waiters registered: \(wake.waiterCount)")
    }

    /// Runs `wait` in a task and reports whether it ended by itself (on the real clock, a bound only a hang reaches);
    /// a wait that did not end is then ended by moving `clock` past every timeout.
    static func ends(_ clock: TestClock, _ wait: @escaping @Sendable () async -> Void) async throws -> Bool {
        let done = Tally()
        let task = Task { await wait(); done.add() }
        let start = ContinuousClock.now
        while done.value == 0, ContinuousClock.now - start < .seconds(120) { try await Task.sleep(for: .milliseconds(1)) }
        let ended = done.value > 0
        clock.advance(by: .seconds(3600))
        await task.value
        return ended
    }

    @Test func oneSignalWakesOneWaiter() async throws {
        let clock = TestClock()
        let wake = WakeSignal(clock: clock)
        let woken = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await wake.wait(timeout: .seconds(60)); woken.add() } }
            try await Self.waitUntilWaiting(wake, 3)
            wake.signal()
            #expect(wake.waiterCount == 2, "one signal took one waiter")
            try await group.next()
            let first = woken.value
            #expect(first == 1)
            wake.signal()
            wake.signal()
            try await group.waitForAll()
        }
        let all = woken.value
        #expect(all == 3)
        #expect(wake.waiterCount == 0)
        #expect(clock.now.offset == .zero, "every wait ended by a signal, none by its timeout")
    }

    @Test func aSignalWithNobodyWaitingIsKeptForTheNextWait() async throws {
        let clock = TestClock()
        let wake = WakeSignal(clock: clock)
        wake.signal()
        #expect(try await Self.ends(clock) { await wake.wait(timeout: .seconds(60)) }, "the permit was lost")
        // The permit is used up: the next wait waits.
        let next = Task { await wake.wait(timeout: .seconds(60)) }
        try await Self.waitUntilWaiting(wake, 1)
        wake.signal()
        await next.value
        #expect(wake.waiterCount == 0)
    }

    @Test func cancellationEndsAWaitAndLeavesNothingBehind() async throws {
        let clock = TestClock()
        let wake = WakeSignal(clock: clock)
        let task = Task { await wake.wait(timeout: .seconds(60)) }
        try await Self.waitUntilWaiting(wake, 1)
        task.cancel()
        await task.value
        #expect(wake.waiterCount == 0)
        #expect(clock.sleeperCount == 0, "the timeout's sleep ended too")
        // An already-cancelled task does not wait at all.
        #expect(try await Self.ends(clock) {
            withUnsafeCurrentTask { $0?.cancel() }
            await wake.wait(timeout: .seconds(60))
        })
        #expect(wake.waiterCount == 0)
    }

    @Test func aTimedOutWaitLeavesNothingBehind() async throws {
        let clock = TestClock()
        let wake = WakeSignal(clock: clock)
        let task = Task { await wake.wait(timeout: .seconds(20)) }
        try await Self.waitUntilWaiting(wake, 1)
        try await clock.waitForSleepers(1)
        clock.advance(by: .seconds(19))
        #expect(wake.waiterCount == 1, "ended before its timeout")
        clock.advance(by: .seconds(1))
        await task.value
        #expect(wake.waiterCount == 0)
        // The next signal is kept as a permit, not lost on a stale waiter.
        wake.signal()
        #expect(try await Self.ends(clock) { await wake.wait(timeout: .seconds(60)) }, "the permit went to the ended wait")
    }
}
