import Foundation
import Synchronization
import Testing
@testable import Media

/// Cancelling the task that awaits the engine stops the C work on its thread.
///
/// Load-proof: what is measured is work, not time. `Task.cancel()` sets the engine's flag before it returns (a
/// cancellation handler), and the media thread checks it before every packet, so after `cancel()` at most the packet
/// under way is decoded: one more progress report (reports are 0.5 % apart) whatever the machine's load.
@Suite struct CancellationTests {
    @Test("cancelling a verification of the 36 s clip ends it early with a cancelled error")
    func cancelVerify() async throws {
        let path = try await Fixture.tall.path
        // Progress is reported from the media thread itself, as it decodes.
        let reports = Mutex<[Double]>([])
        let task = Task {
            try await MediaEngine.verify(path) { fraction in reports.withLock { $0.append(fraction) } }
        }
        let started = ContinuousClock.now
        while reports.withLock({ $0.isEmpty }) {
            try #require(ContinuousClock.now - started < .seconds(300), "the verification never reported progress")
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        let reportedAtCancel = reports.withLock { $0.count }
        let result = await task.result
        switch result {
        case .success:
            Issue.record("the verification ran to the end despite the cancellation")
        case .failure(let error):
            #expect((error as? MediaError)?.code == .cancelled, "\(error)")
        }
        let all = reports.withLock { $0 }
        let last = try #require(all.last)
        #expect(last < 1)
        #expect(all.count - reportedAtCancel <= 1, "the media thread went on decoding after the cancellation: \(all.suffix(5))")
    }
}
