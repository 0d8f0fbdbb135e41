#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on a lock file, shared with every process that locks the same file (and with
/// the `flock` command). The lock belongs to this open file description: another `FileLock` on the same
/// path, in this process or another, is excluded. Closing the descriptor releases it, so does a crash.
///
/// A reader that must not write (a read-only storage root) opens an existing lock file with
/// ``init(sharedExisting:)``: nothing is created, and its shared lock excludes the writers' exclusive ones only.
///
/// The catalog's task locks, the index's lock, the job queue's and the watch list's locks are all this type.
/// Not `Sendable`: open, lock and close it within one task.
public final class FileLock {
    public let path: String
    private var fd: Int32
    /// `LOCK_EX`, or `LOCK_SH` for a reader.
    private let operation: Int32

    /// Opens (creating it if needed) the lock file at `path` for an exclusive lock.
    public init(path: String) throws(FileError) {
        self.path = path
        operation = LOCK_EX
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw FileError("open lock", path, errno: errno) }
    }

    /// Opens the lock file at `path` read-only for a shared lock, creating nothing; `nil` when it does not exist or
    /// cannot be opened (then no writer can be at work through it, and the reader goes on without a lock). On a file
    /// system without flock (some network mounts) the reader goes on without a lock too: no writer can hold one there.
    public init?(sharedExisting path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.path = path
        self.fd = fd
        operation = LOCK_SH
    }

    deinit { close() }

    /// Takes the lock if it is free; `false` if another holder has it. Never blocks.
    public func tryLock() throws(FileError) -> Bool {
        while true {
            if flock(fd, operation | LOCK_NB) == 0 { return true }
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return false
            default:
                if operation == LOCK_SH { return true }
                throw FileError("flock", path, errno: errno)
            }
        }
    }

    /// Takes the lock, blocking the calling thread until it is free, with no time limit. Only for critical sections
    /// of a few milliseconds that other holders keep as short (opening the index).
    public func lockBlocking() throws(FileError) {
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            if operation == LOCK_SH { return }
            throw FileError("flock", path, errno: errno)
        }
    }

    /// Takes the lock without holding a thread while it waits: tries, then sleeps the task (1 ms, doubling up to
    /// `pollInterval`, plus up to 2 ms of jitter) and tries again, until `timeout` (forever if `nil`). `false` after
    /// `timeout`; throws ``FileError`` when flock fails and `CancellationError` if the task is cancelled.
    ///
    /// A blocking flock(2) would hold one of the cooperative pool's threads (one a core) for the whole wait; a
    /// try every few milliseconds costs one system call and gives the thread back in between.
    public func acquire<C: Clock>(timeout: Duration?, pollInterval: Duration = .milliseconds(50),
                                  clock: C = ContinuousClock()) async throws -> Bool where C.Duration == Duration {
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var pause = Duration.milliseconds(1)
        while try !tryLock() {
            try Task.checkCancellation()
            if let deadline, clock.now >= deadline { return false }
            try await clock.sleep(for: pause + .microseconds(Int.random(in: 0...2000)))
            pause = min(pause * 2, pollInterval)
        }
        return true
    }

    /// Releases the lock and closes the file. Safe to call twice.
    public func close() {
        guard fd >= 0 else { return }
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
        fd = -1
    }
}
