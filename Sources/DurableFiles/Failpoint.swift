import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-testing hooks: a process armed at start (`reel` arms the points `REEL_FAILPOINT` names, read with the rest
/// of its configuration) kills itself with SIGKILL on reaching an armed point, as a crash or a power cut would stop
/// it. Unarmed, a failpoint costs one atomic load.
///
/// The catalog's points: `catalog.manifest.written`, `catalog.manifest.synced` (before the rename),
/// `catalog.manifest.renamed` (before the index update), `catalog.index.upserted` (after the index
/// commit), `catalog.store.synced` (a staged file fsynced, before its rename). The pipeline's: `archive.polled`,
/// `archive.downloaded`, `archive.processed`, `archive.source.committed`, `archive.committed`; the queue's: `queue.job.*`.
public enum Failpoint {
    private struct State {
        /// Armed points and the hit on which each fires.
        var armed: [String: Int] = [:]
        var hits: [String: Int] = [:]
    }

    private static let isArmed = Atomic<Bool>(false)
    private static let state = Mutex(State())

    /// Arms `points`: each name with the hit on which it fires (`1`: the first). Replaces any earlier arming and
    /// restarts the counts; an empty dictionary disarms every point.
    public static func arm(_ points: [String: Int]) {
        state.withLock { $0 = State(armed: points.mapValues { max(1, $0) }) }
        isArmed.store(!points.isEmpty, ordering: .releasing)
    }

    /// Kills the process with SIGKILL if `name` is armed and this is the hit it waits for.
    public static func hit(_ name: String) {
        guard isArmed.load(ordering: .acquiring) else { return }
        let fires = state.withLock { state -> Bool in
            guard let target = state.armed[name] else { return false }
            state.hits[name, default: 0] += 1
            return state.hits[name] == target
        }
        if fires { kill(getpid(), SIGKILL) }
    }
}
