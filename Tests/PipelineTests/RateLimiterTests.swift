import Testing
import Pipeline
import ReelTestSupport

/// ``RateLimiter`` on a test clock: turns are spaced exactly `1 / perSecond` apart, and not one comes early.
@Suite struct RateLimiterTests {
    @Test func turnsAreSpacedByTheIntervalAndNoSooner() async throws {
        let clock = TestClock()
        let limiter = RateLimiter(perSecond: 2, clock: clock)
        try await limiter.acquire()
        #expect(clock.sleepsStarted == 0, "the first turn is at once")
        let served = Tally()
        let tasks = (1...3).map { _ in
            Task {
                try await limiter.acquire()
                served.add()
            }
        }
        try await clock.waitForSleepers(3)
        #expect(clock.nextDeadline?.offset == .milliseconds(500))
        for (step, slot) in [(1, 500), (2, 1000), (3, 1500)] {
            clock.advance(to: .init(offset: .milliseconds(slot - 1)))
            let before = served.value
            #expect(before == step - 1, "a turn before its slot at \(slot - 1) ms")
            clock.advance(to: .init(offset: .milliseconds(slot)))
            try await clock.waitUntil("turn \(step)") { _ in served.value == step }
        }
        for task in tasks { try await task.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func anIdleLimiterDoesNotMakeUpForLostTime() async throws {
        let clock = TestClock()
        let limiter = RateLimiter(perSecond: 1, clock: clock)
        try await limiter.acquire()
        clock.advance(by: .seconds(10))
        // Ten idle seconds are not ten turns in a row: one at once, the next a second later.
        try await limiter.acquire()
        #expect(clock.sleepsStarted == 0)
        let next = Task { try await limiter.acquire() }
        try await clock.waitForSleepers(1)
        #expect(clock.nextDeadline?.offset == .seconds(11))
        clock.advance(by: .seconds(1))
        try await next.value
    }
}
