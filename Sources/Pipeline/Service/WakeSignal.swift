import Synchronization

/// Wakes one idle worker early when a job is enqueued in this process (other processes are seen at the next poll).
///
/// `signal()` wakes the longest-waiting waiter; with nobody waiting it leaves one permit, so that a worker on its way
/// to `wait` does not sleep through the news. `wait(timeout:)` returns on a signal, at the timeout, or at once when
/// its task is cancelled: no continuation outlives its wait, so a shutdown never hangs on one.
public final class WakeSignal: Sendable {
    private enum Slot {
        /// Allocated, its continuation not registered yet.
        case allocated
        case waiting(CheckedContinuation<Void, Never>)
        /// Ended (timeout or cancellation) before its continuation was registered.
        case ended
    }

    private struct State {
        var slots: [UInt64: Slot] = [:]
        var nextID: UInt64 = 0
        var permit = false
    }

    private let state = Mutex(State())
    private let clock: ElapsedClock

    /// `clock` measures the waits' timeouts.
    public init(clock: some Clock<Duration> = ContinuousClock()) {
        self.clock = ElapsedClock(clock)
    }

    /// Wakes one waiter, or leaves a permit for the next `wait`.
    public func signal() {
        let woken: CheckedContinuation<Void, Never>? = state.withLock { state in
            let waiting = state.slots.compactMap { id, slot -> (UInt64, CheckedContinuation<Void, Never>)? in
                if case .waiting(let c) = slot { return (id, c) }
                return nil
            }
            guard let (id, continuation) = waiting.min(by: { $0.0 < $1.0 }) else {
                state.permit = true
                return nil
            }
            state.slots[id] = nil
            return continuation
        }
        woken?.resume()
    }

    /// Waits until a `signal()`, the timeout or cancellation, whichever comes first.
    public func wait(timeout: Duration) async {
        let id: UInt64? = state.withLock { state in
            if state.permit {
                state.permit = false
                return nil
            }
            state.nextID += 1
            state.slots[state.nextID] = .allocated
            return state.nextID
        }
        guard let id else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await self.clock.sleep(for: timeout) // throws at once when cancelled
                self.end(id)
            }
            group.addTask {
                await withCheckedContinuation { continuation in self.register(id, continuation) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Number of waiters registered (for tests).
    var waiterCount: Int {
        state.withLock { $0.slots.values.filter { if case .waiting = $0 { true } else { false } }.count }
    }

    private func register(_ id: UInt64, _ continuation: CheckedContinuation<Void, Never>) {
        let resumeNow: Bool = state.withLock { state in
            switch state.slots[id] {
            case .allocated?:
                if state.permit {
                    state.permit = false
                    state.slots[id] = nil
                    return true
                }
                state.slots[id] = .waiting(continuation)
                return false
            case .ended?, .waiting?, nil:
                state.slots[id] = nil
                return true
            }
        }
        if resumeNow { continuation.resume() }
    }

    /// Ends a wait (timeout or cancellation): resumes its continuation if registered, else marks it ended.
    private func end(_ id: UInt64) {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            switch state.slots[id] {
            case .waiting(let c)?:
                state.slots[id] = nil
                return c
            case .allocated?:
                state.slots[id] = .ended
                return nil
            case .ended?, nil:
                return nil
            }
        }
        continuation?.resume()
    }
}
