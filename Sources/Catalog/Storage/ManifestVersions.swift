import Synchronization

/// The manifest versions a task-lock holder has read or written, per task: what its next manifest write requires
/// (``Catalog/save(_:)``). Bound for the duration of ``Catalog/withTaskLock(_:timeout:isolation:_:)``; task-local, so
/// the archive's child tasks share it (they save concurrently: the state is behind a `Mutex`).
final class ManifestVersions: Sendable {
    private struct State {
        /// A task absent from the map was never read; `.some(nil)` was read and had no manifest.
        var versions: [String: String?] = [:]
        /// Tasks this holder has written a manifest of (its claim, on a remote store).
        var written: Set<String> = []
    }

    private let state = Mutex(State())
    /// On a remote store, who holds the lock: each save names it (``TaskManifest/writer``).
    let holder: String?

    init(holder: String? = nil) {
        self.holder = holder
    }

    @TaskLocal static var current: ManifestVersions?

    func record(_ id: TaskID, version: String?) {
        state.withLock { $0.versions[id.rawValue] = .some(version) }
    }

    func recordWrite(_ id: TaskID, version: String) {
        state.withLock {
            $0.versions[id.rawValue] = .some(version)
            $0.written.insert(id.rawValue)
        }
    }

    /// Whether a manifest read now, naming `writer`, shows that another process took the task since this holder wrote
    /// it (a remote store's claim is the holder's first write; a later read naming someone else means it lost).
    func isTakenOver(_ id: TaskID, writer: String?) -> Bool {
        guard let holder else { return false }
        return state.withLock { $0.written.contains(id.rawValue) } && writer != holder
    }

    /// What the next write of task `id` requires: the version last seen, `absent` if it had none, nothing if this
    /// holder never read it.
    func precondition(for id: TaskID) -> ManifestPrecondition {
        state.withLock {
            switch $0.versions[id.rawValue] {
            case .none: .none
            case .some(.none): .absent
            case .some(.some(let version)): .version(version)
            }
        }
    }
}
