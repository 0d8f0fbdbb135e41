import Foundation
import Logging
import TopView

/// Queries a task until it is settled (or the budget runs out), politely spaced.
struct TaskPoller: Sendable {
    let client: TopViewClient
    let kind: any TaskKind.Type
    let settings: ArchiveSettings
    let events: @Sendable (ArchiveEvent) -> Void

    /// The last snapshot seen; `settled` false when polling stopped before the task settled.
    func poll(taskId: String) async throws(TopViewError) -> (snapshot: TaskSnapshot, settled: Bool) {
        let clock = ContinuousClock()
        let deadline = clock.now + settings.timeout
        var attempt = 1
        while true {
            events(.querying(task: taskId, attempt: attempt))
            let snapshot = try await client.query(kind: kind, taskId: taskId)
            if snapshot.isSettled { return (snapshot, true) }
            guard settings.wait, clock.now + settings.pollInterval < deadline else { return (snapshot, false) }
            events(.waiting(task: taskId, status: snapshot.status))
            do {
                try await Task.sleep(for: settings.pollInterval)
            } catch {
                return (snapshot, false)
            }
            attempt += 1
        }
    }
}
