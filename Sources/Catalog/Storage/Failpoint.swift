import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-testing hooks: when the environment variable `REEL_FAILPOINT` names a point (or a
/// comma-separated list; `name@N` waits for the N-th hit), the process kills itself with SIGKILL on reaching it, as a crash
/// or a power cut would stop it. Unset, a failpoint costs one cached lookup.
///
/// The catalog's points: `catalog.manifest.written`, `catalog.manifest.synced` (before the rename),
/// `catalog.manifest.renamed` (before the index update), `catalog.index.upserted` (after the index
/// commit), `catalog.store.synced` (a staged file fsynced, before its rename). The pipeline's: `archive.polled`,
/// `archive.downloaded`, `archive.processed`, `archive.source.committed`, `archive.committed`; the queue's: `queue.job.*`.
public enum Failpoint {
    /// Armed points and the hit on which each fires (`name@3` fires on the third hit; `name` on the first).
    private static let armed: [String: Int] = {
        guard let value = ProcessInfo.processInfo.environment["REEL_FAILPOINT"], !value.isEmpty else { return [:] }
        var points: [String: Int] = [:]
        for item in value.split(separator: ",") {
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "@", maxSplits: 1)
            guard let name = parts.first else { continue }
            points[String(name)] = parts.count == 2 ? max(1, Int(parts[1]) ?? 1) : 1
        }
        return points
    }()
    private static let hits = Mutex<[String: Int]>([:])

    /// Kills the process with SIGKILL if `name` is armed and this is the hit it waits for.
    public static func hit(_ name: String) {
        guard !armed.isEmpty, let target = armed[name] else { return }
        let count = hits.withLock { counts -> Int in
            counts[name, default: 0] += 1
            return counts[name]!
        }
        if count == target { kill(getpid(), SIGKILL) }
    }
}
