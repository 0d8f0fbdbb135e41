import Dispatch
import Foundation
import ReelBasics
import Testing

/// ``BlockingPool``: work runs on the pool's own threads, values and typed errors come back, and a piece of work that
/// blocks does not hold up the next one.
@Suite struct BlockingPoolTests {
    struct Refused: Error, Equatable {}

    @Test func runsOnItsOwnThreadsAndReturnsValuesAndErrors() async throws {
        let pool = BlockingPool(threads: 2, name: "tblock")
        let name = await pool.run { ThreadName.current }
        #expect(name == "tblock-0" || name == "tblock-1", "\(name)")
        #expect(ThreadName.current != name, "the caller's thread is not the pool's")
        #expect(await pool.run { 6 * 7 } == 42)
        await #expect(throws: Refused.self) { try await pool.run { () throws(Refused) -> Int in throw Refused() } }
    }

    /// The first piece blocks its thread until the second, on the other thread, releases it: with one thread (or on
    /// the caller's) it would wait out its 10 s and report it.
    @Test func blockedWorkLeavesTheOtherThreadsFree() async throws {
        let pool = BlockingPool(threads: 2, name: "test-blocking")
        let gate = DispatchSemaphore(value: 0)
        async let first = pool.run { gate.wait(timeout: .now() + 10) == .success }
        async let second: Void = pool.run { gate.signal() }
        await second
        #expect(await first, "the second piece ran while the first blocked")
        let many = await withTaskGroup(of: Int.self) { group in
            for n in 0..<50 { group.addTask { await pool.run { n } } }
            return await group.reduce(0, +)
        }
        #expect(many == (0..<50).reduce(0, +))
    }
}
