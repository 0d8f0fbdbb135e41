import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A shared flock(2) on a lock file that already exists, for readers that must not write: listing the queue or the
/// watch list of a read-only storage root (a mounted backup). Nothing is created: a lock file that is missing or
/// cannot be opened read-only means no writer can be at work here through it, so the reader goes on without a lock.
/// A shared lock excludes the writers' exclusive ones (see `FileLock`), so what is read is never half-changed.
/// Not `Sendable`: take, use and close it within one task.
final class SharedReadLock {
    let path: String
    private var fd: Int32

    /// Opens `path` read-only; `nil` if it does not exist or cannot be opened.
    init?(existing path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.path = path
        self.fd = fd
    }

    deinit { close() }

    /// Tries the shared lock; sleeps the thread 1–16 ms between tries (the writers hold theirs for milliseconds).
    /// `false` after `timeout`.
    func acquire(timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: UInt32 = 1000
        while flock(fd, LOCK_SH | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            // A file system without flock (some network mounts): read without it, as without a lock file.
            if errno != EWOULDBLOCK { return true }
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
