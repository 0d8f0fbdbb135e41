import Foundation

/// Where the catalog's derived index lives: what `reel ls`, the admin API and the page read, so that none of them
/// reads a manifest. The manifests stay the truth; ``Catalog/reindex()`` rebuilds any index from them.
///
/// ``CatalogIndex`` (the default) is `index.sqlite` under the storage root: the processes of one machine. A shared
/// database keeps it for every machine of a deployment (`ReelPostgres`). Every implementation passes the catalog
/// index contract suite (`Tests/CatalogTests/Contracts`).
public protocol CatalogIndexStore: Sendable {
    /// Indexes a task just saved. `current` reads the task as it is saved now (`nil` when it cannot): of two racing
    /// saves, the index ends with the one that is saved last, whichever indexes first. A write made under a
    /// ``TaskLockToken`` that is no longer current is refused with a ``FenceError``.
    func upsert(_ task: IndexedTask, current: @escaping @Sendable () -> IndexedTask?) async throws

    /// The tasks matching `filter`, in its order (``TaskSort``: most recently updated first by default; ties by task id).
    func list(_ filter: TaskFilter) async throws -> [TaskSummary]

    /// How many tasks match `filter` (its limit and offset ignored).
    func count(_ filter: TaskFilter) async throws -> Int

    /// Replaces every row with `tasks` at once (readers see the old index or the new one); returns how many.
    func replaceAll(_ tasks: [IndexedTask]) async throws -> Int
}

extension CatalogIndexStore {
    /// How many tasks the index holds.
    public func count() async throws -> Int { try await count(.all) }
}
