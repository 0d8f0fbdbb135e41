import DurableFiles
import Foundation
import ReelBasics
import TopView

/// Where the watch list lives: ``WatchList`` (`<root>/watch.json`, the embedded default) or a shared database. The
/// feeder, the workers and `reel watch` use this seam only.
///
/// Every implementation promises: each call is atomic across processes; entries come back in the order the tasks were
/// added; dates are kept to the millisecond; ids and kinds are checked before anything is written
/// (``WatchListError/invalidTaskID``, ``WatchListError/invalidKind``).
public protocol WatchStore: Sendable, CustomStringConvertible {
    /// Watches `taskIds` (duplicates ignored), due now; a task already watched is left as it is. Returns the entries added.
    @discardableResult
    func add(_ taskIds: [String], kind: String) async throws -> [WatchEntry]

    /// Stops watching `taskIds`; returns those that were watched, in the order given.
    @discardableResult
    func remove(_ taskIds: [String]) async throws -> [String]

    /// Every entry, in the order the tasks were added.
    func list() async throws -> [WatchEntry]

    /// Every entry, reading without writing anything (no lock file or directory created, nothing repaired): for
    /// `reel watch ls`, which must work on a read-only storage root.
    func listReadOnly() async throws -> [WatchEntry]

    /// Replaces the entry of `entry.taskId`; `false`, and nothing written, when the task is no longer watched.
    @discardableResult
    func update(_ entry: WatchEntry) async throws -> Bool

    /// The entries whose `nextPollAt` has come, soonest first.
    func due(now: Date) async throws -> [WatchEntry]

    /// The entry of `taskId`, `nil` when the task is not watched (a callback asks which kind a task was watched as).
    func entry(_ taskId: String) async throws -> WatchEntry?
}

extension WatchStore {
    public func entry(_ taskId: String) async throws -> WatchEntry? {
        try await listReadOnly().first { $0.taskId == taskId }
    }
}

extension WatchList: WatchStore {
    /// Where it lives, for logs.
    public var description: String { url.path }
}

extension WatchEntry {
    /// The kind named `kind` when `taskIds` may all be watched under it; the same rule for every ``WatchStore``.
    public static func checked(_ taskIds: [String], kind: String) throws -> any TaskKind.Type {
        guard let kindType = TaskKinds.kind(named: kind) else {
            throw WatchListError.invalidKind(kind, known: TaskKinds.all.map { $0.name })
        }
        for id in taskIds where !isWatchable(id) { throw WatchListError.invalidTaskID(id) }
        return kindType
    }

    /// Whether `taskId` may be watched (a safe path component of at most 128 characters).
    public static func isWatchable(_ taskId: String) -> Bool { SafeName.isSafe(taskId, maximumLength: 128) }
}

extension WatchEntry {
    /// The entry with its dates to the millisecond, as every ``WatchStore`` keeps them.
    public var storedToTheMillisecond: WatchEntry {
        var entry = self
        entry.addedAt = StoredJSON.milliseconds(addedAt)
        entry.nextPollAt = StoredJSON.milliseconds(nextPollAt)
        entry.settledAt = settledAt.map(StoredJSON.milliseconds)
        return entry
    }

    /// A new entry for `taskId`, due now.
    public static func new(_ taskId: String, kind: String) -> WatchEntry {
        let now = StoredJSON.now()
        return WatchEntry(taskId: taskId, kind: kind, addedAt: now, nextPollAt: now)
    }
}
