import Foundation

/// The manifest versions a task-lock holder has read or written, per task: what its next manifest write requires
/// (``Catalog/save(_:)``). Bound for the duration of ``Catalog/withTaskLock(_:timeout:isolation:_:)``; task-local, so
/// the archive's child tasks share it.
final class ManifestVersions: @unchecked Sendable {
    // Guarded by `lock`: the archive of a task's assets runs in child tasks that save concurrently.
    private let lock = NSLock()
    /// A task absent from the map was never read; `.some(nil)` was read and had no manifest.
    private var versions: [String: String?] = [:]
    /// On a remote store, who holds the lock: each save names it (``TaskManifest/writer``).
    let holder: String?

    init(holder: String? = nil) {
        self.holder = holder
    }

    @TaskLocal static var current: ManifestVersions?

    func record(_ id: TaskID, version: String?) {
        lock.withLock { versions[id.rawValue] = .some(version) }
    }

    /// What the next write of task `id` requires: the version last seen, `absent` if it had none, nothing if this
    /// holder never read it.
    func precondition(for id: TaskID) -> ManifestPrecondition {
        lock.withLock {
            switch versions[id.rawValue] {
            case .none: .none
            case .some(.none): .absent
            case .some(.some(let version)): .version(version)
            }
        }
    }
}
