import Synchronization

/// First come, first served among this process's waiters for one lock file.
///
/// flock(2) has no queue: when a holder lets go, whichever waiter tries next wins. Waiters that poll (see
/// ``FileLock/acquire(timeout:pollInterval:clock:)``) can then lose many times in a row, and on a loaded machine with
/// eight handles on one queue a wait once ran past its 30 s timeout while the others took turns. So exclusive waiters
/// of one process line up here first, in arrival order, and only the head of the line polls flock (against other
/// processes). A turn is released when its lock is closed.
final class LockTurns: Sendable {
    static let shared = LockTurns()

    private struct Waiter {
        let id: UInt64
        var continuation: CheckedContinuation<Bool, Never>?
    }

    private struct Line {
        var busy = false
        var waiting: [Waiter] = []
    }

    private struct State {
        var nextID: UInt64 = 0
        var lines: [String: Line] = [:]
        /// Waiters granted (`true`) or abandoned (`false`) before they had parked their continuation.
        var decided: [UInt64: Bool] = [:]
    }

    private let state = Mutex(State())

    /// Waits for this process's turn at `key`: `true` once it is the caller's (who must ``leave(_:)`` later), `false`
    /// at `deadline` or when the task is cancelled.
    func enter<C: Clock>(_ key: String, deadline: C.Instant?, clock: C) async -> Bool {
        let id: UInt64? = state.withLock { s in
            if !s.lines[key, default: Line()].busy {
                s.lines[key, default: Line()].busy = true
                return nil
            }
            s.nextID += 1
            s.lines[key, default: Line()].waiting.append(Waiter(id: s.nextID))
            return s.nextID
        }
        guard let id else { return true }
        let timer = deadline.map { deadline in
            Task { [self] in
                try? await clock.sleep(until: deadline, tolerance: nil)
                abandon(key, id)
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let decided: Bool? = state.withLock { s in
                    if let decided = s.decided.removeValue(forKey: id) { return decided }
                    if let index = s.lines[key]?.waiting.firstIndex(where: { $0.id == id }) {
                        s.lines[key]?.waiting[index].continuation = continuation
                    }
                    return nil
                }
                if let decided { continuation.resume(returning: decided) }
            }
        } onCancel: {
            abandon(key, id)
        }
    }

    /// Ends the caller's turn at `key`: the next waiter in line gets it.
    func leave(_ key: String) {
        let next: CheckedContinuation<Bool, Never>? = state.withLock { s in
            guard var line = s.lines[key] else { return nil }
            defer { s.lines[key] = line.busy || !line.waiting.isEmpty ? line : nil }
            guard !line.waiting.isEmpty else {
                line.busy = false
                return nil
            }
            let waiter = line.waiting.removeFirst()
            if let continuation = waiter.continuation { return continuation }
            s.decided[waiter.id] = true
            return nil
        }
        next?.resume(returning: true)
    }

    /// Takes waiter `id` out of the line at `key` if it is still waiting (its timeout or its task's cancellation).
    private func abandon(_ key: String, _ id: UInt64) {
        let gone: CheckedContinuation<Bool, Never>? = state.withLock { s in
            guard let index = s.lines[key]?.waiting.firstIndex(where: { $0.id == id }),
                  let waiter = s.lines[key]?.waiting.remove(at: index) else { return nil }
            if let continuation = waiter.continuation { return continuation }
            s.decided[id] = false
            return nil
        }
        gone?.resume(returning: false)
    }
}
