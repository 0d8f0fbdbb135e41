import Testing
@testable import Pipeline

/// ``WakeSignal``: one signal wakes one waiter; a signal with nobody waiting is kept for the next wait; a cancelled
/// or timed-out wait leaves nothing behind. Timeouts here are long (60 s): a test that passes returns long before.
@Suite struct WakeSignalTests {
    static func waitUntilWaiting(_ wake: WakeSignal, _ count: Int) async throws {
        for _ in 0..<2000 where wake.waiterCount < count { try await Task.sleep(for: .milliseconds(5)) }
        try #require(wake.waiterCount == count, "waiters registered: \(wake.waiterCount)")
    }

    @Test func oneSignalWakesOneWaiter() async throws {
        let wake = WakeSignal()
        let woken = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await wake.wait(timeout: .seconds(60)); await woken.add() } }
            try? await Self.waitUntilWaiting(wake, 3)
            wake.signal()
            for _ in 0..<2000 where await woken.value < 1 { try? await Task.sleep(for: .milliseconds(5)) }
            try? await Task.sleep(for: .milliseconds(100))
            #expect(await woken.value == 1)
            #expect(wake.waiterCount == 2)
            wake.signal()
            wake.signal()
        }
        #expect(await woken.value == 3)
        #expect(wake.waiterCount == 0)
    }

    @Test func aSignalWithNobodyWaitingIsKeptForTheNextWait() async {
        let wake = WakeSignal()
        wake.signal()
        let start = ContinuousClock.now
        await wake.wait(timeout: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func cancellationEndsAWaitAndLeavesNothingBehind() async throws {
        let wake = WakeSignal()
        let task = Task { await wake.wait(timeout: .seconds(60)) }
        try await Self.waitUntilWaiting(wake, 1)
        task.cancel()
        await task.value
        #expect(wake.waiterCount == 0)
        // An already-cancelled task does not wait at all.
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await wake.wait(timeout: .seconds(60))
        }
        await cancelled.value
        #expect(wake.waiterCount == 0)
    }

    @Test func aTimedOutWaitLeavesNothingBehind() async {
        let wake = WakeSignal()
        await wake.wait(timeout: .milliseconds(20))
        #expect(wake.waiterCount == 0)
        // The next signal is kept as a permit, not lost on a stale waiter.
        wake.signal()
        let start = ContinuousClock.now
        await wake.wait(timeout: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    actor Counter {
        var value = 0
        func add() { value += 1 }
    }
}
