/// Lets at most `limit` holders into one stage at a time (downloads, or CPU-heavy decode/encode). Waiters are let in
/// first come, first served; a cancelled waiter leaves the line at once. The numbers inside and waiting are
/// gauges of ``ReelMetrics``: `reel_stage_active{stage=…}` and `reel_stage_waiting{stage=…}`.
public actor StageLimiter {
    public nonisolated let stage: String
    public nonisolated let limit: Int
    private var active = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiter: UInt64 = 0
    private let metrics: ReelMetrics?

    public init(stage: String, limit: Int, metrics: ReelMetrics? = nil) {
        self.stage = stage
        self.limit = max(1, limit)
        self.metrics = metrics
    }

    /// Runs `body` once a place is free, and frees it afterwards (also when `body` throws).
    /// Throws `CancellationError` when the task is cancelled while waiting.
    public func withPermit<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        try await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    /// How many are inside and waiting now.
    public var load: (active: Int, waiting: Int) { (active, waiters.count) }

    private func acquire() async throws {
        if active < limit && waiters.isEmpty {
            active += 1
            report()
            return
        }
        nextWaiter += 1
        let id = nextWaiter
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                    report()
                }
            }
        } onCancel: {
            Task { await self.leaveLine(id) }
        }
        // Handed the place just as the task was cancelled (before `leaveLine` ran): give it back rather than start.
        if Task.isCancelled {
            release()
            throw CancellationError()
        }
    }

    /// Hands the place to the first waiter, if any (`active` is unchanged then), or frees it.
    private func release() {
        if waiters.isEmpty {
            active -= 1
        } else {
            waiters.removeFirst().continuation.resume()
        }
        report()
    }

    private func leaveLine(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
        report()
    }

    private func report() {
        metrics?.stage(stage, active: active, waiting: waiters.count)
    }
}
