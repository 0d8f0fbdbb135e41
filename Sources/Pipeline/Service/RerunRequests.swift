import Synchronization

/// Enqueues jobs so that no hint is lost to a running job.
///
/// A callback or a watch poll that arrives while the task's job is *running* collapses into it, but that job may
/// have queried the task before the news (an export requested after the preview callback, say). Such an enqueue
/// is remembered here, and the worker enqueues the job once more when the running attempt ends
/// (``take(_:)``). The second run is cheap: archived files are kept, only the query is repeated.
///
/// In memory on purpose: after a crash the running job is recovered and runs again anyway.
public final class RerunRequests: Sendable {
    private let ids = Mutex<Set<String>>([])

    public init() {}

    /// ``JobQueue/enqueue(taskId:kind:reason:)``, asking for one more run when the job turns out to be running.
    public func enqueue(taskId: String, kind: String, reason: String, on queue: any JobQueue) async throws -> (job: Job, inserted: Bool) {
        let id = Job.id(kind: kind, taskId: taskId)
        // Marked before the enqueue: a worker that completes the job after the enqueue saw it running
        // finds the mark.
        ids.withLock { _ = $0.insert(id) }
        do {
            let result = try await queue.enqueue(taskId: taskId, kind: kind, reason: reason)
            if result.job.state != .running { forget(id) }
            return result
        } catch {
            forget(id)
            throw error
        }
    }

    /// Whether a rerun of job `id` was asked for while it ran; forgets the request.
    public func take(_ id: String) -> Bool {
        ids.withLock { $0.remove(id) != nil }
    }

    private func forget(_ id: String) {
        ids.withLock { _ = $0.remove(id) }
    }
}
