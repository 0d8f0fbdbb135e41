#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on a lock file, shared with every process that locks the same file (and with
/// the `flock` command). The lock belongs to this open file description: another `FileLock` on the same
/// path, in this process or another, is excluded. Closing the descriptor releases it, so does a crash.
///
/// Not `Sendable`: open, lock and close it within one task.
final class FileLock {
    let path: String
    private var fd: Int32

    init(path: String) throws(CatalogError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw .io("open lock", path, errno: errno) }
    }

    deinit { close() }

    /// Takes the lock if it is free; `false` if another holder has it. Never blocks.
    func tryLock() throws(CatalogError) -> Bool {
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return false
            default: throw .io("flock", path, errno: errno)
            }
        }
    }

    /// Takes the lock, blocking the calling thread until it is free. Only for short critical sections
    /// outside Swift concurrency (opening the index).
    func lockBlocking() throws(CatalogError) {
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { throw .io("flock", path, errno: errno) }
        }
    }

    /// Takes the lock without blocking a thread: tries, then sleeps `pollInterval` (plus jitter) and
    /// tries again, until `timeout` (forever if `nil`). Throws `CancellationError` if the task is cancelled.
    func lock(timeout: Duration?, pollInterval: Duration = .milliseconds(50)) async throws {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        while try !tryLock() {
            if let deadline, clock.now >= deadline { throw CatalogError.lockTimeout("", path) }
            let jitter = Duration.milliseconds(Int.random(in: 0...20))
            try await Task.sleep(for: pollInterval + jitter)
        }
    }

    /// Releases the lock and closes the file. Safe to call twice.
    func close() {
        guard fd >= 0 else { return }
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
        fd = -1
    }
}
