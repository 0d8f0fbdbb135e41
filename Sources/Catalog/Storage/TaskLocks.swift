import DurableFiles
import Foundation

/// Who may change a task: one holder at a time across the processes of a deployment (``Catalog/withTaskLock``).
///
/// ``FileTaskLocks`` (the default) is an flock on the task's `.lock` file: processes sharing one storage root on one
/// machine. A shared database gives a lease row instead (a paused holder's lease expires; an flock or a session
/// advisory lock would be held as long as the paused process lives). While `body` runs, an implementation whose lock
/// can be lost adds a check to ``WriteFence`` and cancels `body` when it finds the lock gone.
public protocol TaskLocks: Sendable {
    /// Runs `body` holding task `id`'s lock, waiting for it up to `timeout` (forever if `nil`; then
    /// ``CatalogError/lockTimeout``). Cancellation while waiting throws `CancellationError`.
    func withLock<T>(_ id: TaskID, layout: CatalogLayout, timeout: Duration?, isolation: isolated (any Actor)?,
                     _ body: () async throws -> T) async throws -> T
}

/// The embedded ``TaskLocks``: an flock(2) on `tasks/<shard>/<id>/.lock`, shared with every process on the root; a
/// crashed holder releases it. Waiting never blocks a thread of the cooperative pool.
public struct FileTaskLocks: TaskLocks {
    public init() {}

    public func withLock<T>(_ id: TaskID, layout: CatalogLayout, timeout: Duration?, isolation: isolated (any Actor)?,
                            _ body: () async throws -> T) async throws -> T {
        let lock = try fileIO { () throws(FileError) in
            try FileIO.createDirectories(layout.taskDirectory(id))
            return try FileLock(path: layout.lockURL(id).path)
        }
        defer { lock.close() }
        let acquired: Bool
        do { acquired = try await lock.acquire(timeout: timeout) } catch let error as FileError { throw CatalogError.io(error) }
        guard acquired else { throw CatalogError.lockTimeout(id.rawValue, lock.path) }
        return try await body()
    }
}

/// The lease a ``TaskLocks`` implementation holds for the task being changed, while `body` runs: a shared index
/// writes under it in the same transaction (a row of a task whose lock was taken over is refused), where a check
/// before the write would leave a window. Task-local; `nil` for the embedded locks (an flock cannot be lost).
public struct TaskLockToken: Sendable, Equatable {
    public let taskId: String
    public let token: Int64

    public init(taskId: String, token: Int64) {
        self.taskId = taskId
        self.token = token
    }

    @TaskLocal public static var current: TaskLockToken?
}

/// The error of a fence check that failed: this process lost the task (a lost job lease or task lock). Whoever gets
/// one stops writing and does not retry.
public protocol FenceError: Error {}

/// Checks that the writes of the current task (its archive or render) are still this process's to make: a lost job
/// lease or task lock makes them throw instead of writing. Holders add their check for the duration of their work;
/// the manifest writer calls ``check()`` before each save. Task-local: child tasks see the checks of their parent.
public enum WriteFence {
    /// One condition of the fence: throws when the writes are no longer this process's to make.
    public struct Check: Sendable {
        let run: @Sendable () async throws -> Void
        public init(_ run: @escaping @Sendable () async throws -> Void) { self.run = run }
    }

    @TaskLocal static var checks: [Check] = []

    /// Throws the first check's error, if any check fails.
    public static func check() async throws {
        for check in checks { try await check.run() }
    }

    /// Runs `body` with `check` added to the fence.
    public static func with<T>(_ check: Check, isolation: isolated (any Actor)? = #isolation,
                               _ body: () async throws -> T) async rethrows -> T {
        try await $checks.withValue(checks + [check]) { try await body() }
    }
}

extension WriteFence {
    /// For writes too frequent to ask each time (a download's chunks): asks the fence at most every `interval` of this
    /// process's monotonic clock. A process that was paused asks again at once when it resumes (its clock moved on).
    /// Not `Sendable`: one transfer owns it.
    public final class Throttled {
        private var last: ContinuousClock.Instant?
        private let interval: Duration

        public init(interval: Duration = .milliseconds(250)) { self.interval = interval }

        public func check() async throws {
            let now = ContinuousClock.now
            if let last, now - last < interval { return }
            try await WriteFence.check()
            last = now
        }
    }
}
