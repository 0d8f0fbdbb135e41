import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-testing hooks: when the environment variable `REEL_FAILPOINT` names a point (or a
/// comma-separated list of points), the process kills itself with SIGKILL on reaching it, as a crash
/// or a power cut would stop it. Unset, a failpoint costs one cached lookup.
///
/// The catalog's points: `catalog.manifest.written`, `catalog.manifest.synced` (before the rename),
/// `catalog.manifest.renamed` (before the index update), `catalog.index.upserted` (after the index
/// commit), `catalog.store.synced` (a staged file fsynced, before its rename).
public enum Failpoint {
    private static let armed: Set<String> = {
        guard let value = ProcessInfo.processInfo.environment["REEL_FAILPOINT"], !value.isEmpty else { return [] }
        return Set(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }()

    /// Kills the process with SIGKILL if `name` is armed.
    public static func hit(_ name: String) {
        guard !armed.isEmpty, armed.contains(name) else { return }
        kill(getpid(), SIGKILL)
    }
}
