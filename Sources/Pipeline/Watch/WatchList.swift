import DurableFiles
import Foundation
import Logging
import TopView

/// The persistent list of tasks the feeder polls, `<root>/watch.json`, shared by `reel watch` and `reel serve`.
///
/// ```
/// <root>/watch.json      {"version": 1, "entries": [WatchEntry, …]} in the order the tasks were added;
///                        replaced atomically (temporary, fsync, rename, fsync of the directory)
/// <root>/.watch.lock     flock(2) taken around every read-modify-write, by every process
/// ```
/// A crash leaves the old list or the new one. A `watch.json` that does not parse is moved aside to
/// `watch.json.corrupt-<ms>`, logged, and the list starts empty.
///
/// Each call is one small file read and at most one write, under a lock whose wait sleeps the task (never a thread
/// of the cooperative pool) between tries, bounded by `lockTimeout`. Errors are
/// ``WatchListError``s. Dates are stored to the millisecond.
public struct WatchList: Sendable {
    /// A `watch.json` larger than this is refused as corrupt.
    static let maximumBytes = 64 << 20

    public let root: URL
    /// `<root>/watch.json`.
    public var url: URL { root.appendingPathComponent("watch.json") }
    public let lockTimeout: Duration
    let logger: Logger

    public init(root: URL, lockTimeout: Duration = .seconds(10), logger: Logger = Logger(label: "reelvault.watch")) {
        self.root = FileIO.absolute(root)
        self.lockTimeout = lockTimeout
        self.logger = logger
    }

    /// Watches `taskIds` (duplicates ignored), due now. A task already watched is left as it is, whatever
    /// `kind`. Returns the entries *added*, in the order given. Every id and the kind are checked before
    /// anything is written: ``WatchListError/invalidTaskID``, ``WatchListError/invalidKind``.
    @discardableResult
    public func add(_ taskIds: [String], kind: String) async throws -> [WatchEntry] {
        let kindType = try WatchEntry.checked(taskIds, kind: kind)
        return try await modify { entries in
            var watched = Set(entries.map(\.taskId))
            var added: [WatchEntry] = []
            for id in taskIds where !watched.contains(id) {
                watched.insert(id)
                let entry = WatchEntry.new(id, kind: kindType.name)
                entries.append(entry)
                added.append(entry)
            }
            if !added.isEmpty { logger.info("tasks watched", metadata: ["watch.tasks": "\(added.map(\.taskId))"]) }
            return added
        }
    }

    /// Stops watching `taskIds`; returns those that were watched, in the order given.
    @discardableResult
    public func remove(_ taskIds: [String]) async throws -> [String] {
        try await modify { entries in
            let wanted = Set(taskIds)
            let present = Set(entries.map(\.taskId))
            entries.removeAll { wanted.contains($0.taskId) }
            var seen = Set<String>()
            let removed = taskIds.filter { present.contains($0) && seen.insert($0).inserted }
            if !removed.isEmpty { logger.info("tasks no longer watched", metadata: ["watch.tasks": "\(removed)"]) }
            return removed
        }
    }

    /// Every entry, in the order the tasks were added.
    public func list() async throws -> [WatchEntry] {
        try await withWatchLock { try load() }
    }

    /// Every entry, read without writing anything: no directory or lock file is created and a `watch.json` that does
    /// not parse is reported (``WatchListError/io``), not moved aside. For `reel watch ls`, which must work on a
    /// read-only storage root (a mounted backup). Takes a shared lock on `.watch.lock` only if it exists and opens
    /// read-only.
    public func listReadOnly() async throws -> [WatchEntry] {
        let lock = FileLock(sharedExisting: root.path + "/.watch.lock")
        defer { lock?.close() }
        do {
            if let lock, try await !lock.acquire(timeout: lockTimeout) { throw WatchListError.lockTimeout(lock.path) }
        } catch let error as FileError {
            throw WatchListError.io(error)
        }
        return try load(readOnly: true)
    }

    /// Replaces the entry of `entry.taskId` (dates kept to the millisecond). Returns `false`, and writes
    /// nothing, if the task is no longer watched (removed meanwhile: an update does not bring it back).
    @discardableResult
    public func update(_ entry: WatchEntry) async throws -> Bool {
        let entry = entry.storedToTheMillisecond
        return try await modify { entries in
            guard let index = entries.firstIndex(where: { $0.taskId == entry.taskId }) else { return false }
            entries[index] = entry
            return true
        }
    }

    /// The entries whose `nextPollAt` has come, soonest first: unsettled tasks, and settled ones still waiting for an
    /// item (an export not requested yet), which stay on the list until the feeder's horizon.
    public func due(now: Date) async throws -> [WatchEntry] {
        try await list().filter { $0.nextPollAt <= now }.sorted { $0.nextPollAt < $1.nextPollAt }
    }

    // MARK: - Storage

    private struct Document: Codable {
        var version: Int
        var entries: [WatchEntry]
    }

    /// Loads, lets `body` change the entries, writes them back if they changed.
    private func modify<T>(_ body: (inout [WatchEntry]) throws -> T) async throws -> T {
        try await withWatchLock {
            let before = try load()
            var entries = before
            let result = try body(&entries)
            if entries != before { try save(entries) }
            return result
        }
    }

    private func withWatchLock<T>(_ body: () throws -> T) async throws -> T {
        do {
            try FileIO.createDirectories(root.path)
            let lock = try FileLock(path: root.path + "/.watch.lock")
            defer { lock.close() }
            guard try await lock.acquire(timeout: lockTimeout) else { throw WatchListError.lockTimeout(lock.path) }
            return try body()
        } catch let error as FileError {
            throw WatchListError.io(error)
        }
    }

    /// The entries on disk. An unreadable list is moved aside (the list starts empty), or, `readOnly`, reported.
    private func load(readOnly: Bool = false) throws -> [WatchEntry] {
        let data: Data
        let read = FileIO.read(url.path, limit: Int64(Self.maximumBytes))
        switch read {
        case .missing:
            return []
        case .tooLarge, .directory:
            try quarantine(read.unfit ?? "unreadable", readOnly: readOnly)
            return []
        case .failed(let error):
            throw WatchListError.io(error)
        case .read(let bytes):
            data = bytes
        }
        let document: Document
        do {
            document = try StoredJSON.decoder().decode(Document.self, from: data)
        } catch {
            try quarantine("does not decode: \(error)", readOnly: readOnly)
            return []
        }
        return document.entries.filter { entry in
            if QueueName.isSafe(entry.taskId, maximumLength: 128) { return true }
            logger.warning("watch entry with an unsafe task id ignored", metadata: ["watch.task": "\(entry.taskId.debugDescription.prefix(80))"])
            return false
        }
    }

    private func save(_ entries: [WatchEntry]) throws {
        let data: Data
        do { data = try StoredJSON.encoder().encode(Document(version: 1, entries: entries)) } catch { throw WatchListError.encoding(error) }
        do { try FileIO.writeAtomically(data, to: url, failpointPrefix: "watch") } catch { throw WatchListError.io(error) }
    }

    private func quarantine(_ reason: String, readOnly: Bool) throws {
        if readOnly { throw WatchListError.io(FileError("read watch list (\(reason))", url.path, errno: EINVAL)) }
        let target = url.path + ".corrupt-" + String(Int64(Date().timeIntervalSince1970 * 1000))
        do { try FileIO.renameDurably(from: url.path, to: target) } catch { throw WatchListError.io(error) }
        logger.error("corrupt watch list moved aside; the list starts empty", metadata: [
            "watch.path": "\(url.path)", "watch.moved_to": "\(target)", "error": "\(reason)",
        ])
    }
}
