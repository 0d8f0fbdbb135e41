#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on a lock file, as the catalog takes its task locks: shared with every process
/// that locks the same file, released by `close` or by the holder's death (kill -9 included).
///
/// The lock belongs to the open file description, so two `ExclusiveFileLock`s on one path exclude each
/// other even inside one process. Waiting never blocks a thread for long: the lock is tried without
/// blocking, with short sleeps between tries. Not `Sendable`: open, lock and close it within one task.
final class ExclusiveFileLock {
    let path: String
    private var fd: Int32

    init(path: String) throws(DurableIOError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw DurableIOError(operation: "open lock", path: path, code: errno) }
    }

    deinit { close() }

    /// Takes the lock if it is free; `false` if another holder has it. Never blocks.
    func tryLock() throws(DurableIOError) -> Bool {
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }
            switch errno {
            case EINTR: continue
            case EWOULDBLOCK: return false
            default: throw DurableIOError(operation: "flock", path: path, code: errno)
            }
        }
    }

    /// Takes the lock, sleeping asynchronously between tries (1 ms doubling to 16 ms, plus jitter): the
    /// queue's critical sections last milliseconds. `false` once `timeout` has passed without getting it.
    /// Throws `CancellationError` if the task is cancelled while waiting.
    func lock(timeout: Duration) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause = Duration.milliseconds(1)
        while try !tryLock() {
            if clock.now >= deadline { return false }
            try await Task.sleep(for: pause + .microseconds(Int.random(in: 0...2000)))
            pause = min(pause * 2, .milliseconds(16))
        }
        return true
    }

    /// Takes the lock for a synchronous caller: tries, and sleeps the thread 1–16 ms between tries.
    /// Only for critical sections of a few milliseconds (the watch list). `false` after `timeout`.
    func lockSynchronously(timeout: Duration) throws(DurableIOError) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: UInt32 = 1000
        while try !tryLock() {
            if clock.now >= deadline { return false }
            usleep(pause + UInt32.random(in: 0...1000))
            pause = min(pause * 2, 16_000)
        }
        return true
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
