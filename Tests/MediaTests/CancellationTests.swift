import Foundation
import Synchronization
import Testing
@testable import Media

/// Cancelling the task that awaits the engine stops the C work on its thread.
@Suite struct CancellationTests {
    @Test("cancelling a verification of the 36 s clip ends it early with a cancelled error")
    func cancelVerify() async throws {
        let path = try await Fixture.tall.path
        // Progress is reported from the media thread itself: its last report says when the C work stopped, whatever
        // the delay before the awaiting task is scheduled again on a busy cooperative pool.
        let reports = Mutex<[(ContinuousClock.Instant, Double)]>([])
        let task = Task {
            try await MediaEngine.verify(path) { fraction in reports.withLock { $0.append((ContinuousClock.now, fraction)) } }
        }
        let started = ContinuousClock.now
        while reports.withLock({ $0.isEmpty }) {
            try #require(ContinuousClock.now - started < .seconds(120), "the verification never reported progress")
            try await Task.sleep(for: .milliseconds(20))
        }
        let cancelled = ContinuousClock.now
        task.cancel()
        let result = await task.result
        let waited = ContinuousClock.now - cancelled
        switch result {
        case .success:
            Issue.record("the verification ran to the end despite the cancellation")
        case .failure(let error):
            #expect((error as? MediaError)?.code == .cancelled, "\(error)")
        }
        let (lastAt, lastFraction) = try #require(reports.withLock { $0.last })
        #expect(lastFraction < 1)
        let decodedAfter = lastAt - cancelled
        #expect(decodedAfter < .seconds(3), "the media thread still decoded \(decodedAfter) after the cancellation")
        #expect(waited < .seconds(60), "the awaiting task resumed \(waited) after the cancellation")
    }
}
