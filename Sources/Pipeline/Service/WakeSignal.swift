import Synchronization

/// Wakes idle workers early when a job is enqueued in this process (other processes are seen at the next poll).
public final class WakeSignal: Sendable {
    private let waiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    public init() {}

    /// Wakes everyone waiting.
    public func signal() {
        let woken = waiters.withLock { list -> [CheckedContinuation<Void, Never>] in
            defer { list.removeAll() }
            return list
        }
        for w in woken { w.resume() }
    }

    /// Waits until `signal()` or the timeout, whichever comes first (returns early on cancellation).
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask {
                await withCheckedContinuation { c in self.waiters.withLock { $0.append(c) } }
            }
            await group.next()
            group.cancelAll()
            self.signal()
        }
    }
}
