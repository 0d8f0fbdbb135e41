import Foundation
import Testing
@testable import Media

/// Cancelling the task that awaits the engine stops the C work on its thread.
@Suite struct CancellationTests {
    @Test("cancelling a verification of the 36 s clip ends it early with a cancelled error")
    func cancelVerify() async throws {
        let path = try await Fixture.tall.path
        let task = Task { try await MediaEngine.verify(path) }
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let cancelled = clock.now
        task.cancel()
        let result = await task.result
        let waited = clock.now - cancelled
        switch result {
        case .success:
            Issue.record("the verification ran to the end despite the cancellation")
        case .failure(let error):
            #expect((error as? MediaError)?.code == .cancelled, "\(error)")
        }
        #expect(waited < .seconds(10), "stopped \(waited) after the cancellation")
    }
}
