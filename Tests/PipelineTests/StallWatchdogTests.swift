import Synchronization
import Testing
@testable import Pipeline
import ReelTestSupport

/// The download read timeout (`withStallTimeout`) on a test clock: silence is measured on the clock the test moves,
/// so a loaded machine cannot make a steady transfer look stalled nor a stalled one look alive.
@Suite struct StallWatchdogTests {
    @Test func aSilentOperationIsCancelledWhenItsSilenceReachesTheTimeoutAndNotBefore() async throws {
        let clock = TestClock()
        let ended = Tally()
        let watched = Task {
            defer { ended.add() }
            return try await withStallTimeout(.seconds(8), clock: clock) { _ in
                try await Task.sleep(for: .seconds(3600)) // silent until cancelled
                return 1
            }
        }
        try await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(7999))
        // The watchdog looked again and sleeps once more: the operation runs on.
        try await clock.waitUntil("the watchdog's second look") { $0.sleepsStarted == 2 && $0.sleeperCount == 1 }
        let endedEarly = ended.value > 0
        #expect(!endedEarly, "cancelled before 8 s of silence")
        // Its next look (1 s later: a quarter of the timeout, at most a second) finds 8 s of silence or more.
        clock.advance(to: try #require(clock.nextDeadline))
        let result = await watched.result
        #expect(throws: StallTimeout.self) { try result.get() }
        if case .failure(let stall as StallTimeout) = result {
            #expect(stall.silence >= .seconds(8) && stall.silence < .seconds(9), "\(stall.silence)")
        }
    }

    @Test func anOperationThatKeepsTouchingItsBeaconIsNeverAStall() async throws {
        let clock = TestClock()
        let (touches, touch) = AsyncStream.makeStream(of: Void.self)
        let (acks, ack) = AsyncStream.makeStream(of: Void.self)
        let watched = Task {
            try await withStallTimeout(.seconds(8), clock: clock) { beacon in
                var count = 0
                for await _ in touches {
                    beacon.touch()
                    count += 1
                    ack.yield()
                }
                return count
            }
        }
        var ackIterator = acks.makeAsyncIterator()
        try await clock.waitForSleepers(1)
        // 40 s in all, five times the timeout, never silent for more than 5 s.
        for step in 1...8 {
            clock.advance(by: .seconds(5))
            try await clock.waitUntil("the watchdog's look \(step + 1)") { $0.sleepsStarted == step + 1 && $0.sleeperCount == 1 }
            touch.yield()
            _ = await ackIterator.next()
        }
        touch.finish()
        #expect(try await watched.value == 8)
        #expect(clock.now.offset == .seconds(40))
    }

    @Test func cancellingTheCallerEndsBothTheOperationAndTheWatchdog() async throws {
        let clock = TestClock()
        let watched = Task {
            try await withStallTimeout(.seconds(8), clock: clock) { _ in
                try await Task.sleep(for: .seconds(3600))
                return 1
            }
        }
        try await clock.waitForSleepers(1)
        watched.cancel()
        let result = await watched.result
        #expect(throws: (any Error).self) { try result.get() }
        #expect(clock.sleeperCount == 0 && clock.now.offset == .zero)
    }
}
