import Dispatch
import Foundation
import Synchronization

/// A few dedicated threads for blocking file work: hashing a whole file, `fsync`, a SQLite write. None of it may run
/// on Swift's cooperative pool, which has one thread per core (two here) and also serves HTTP and timers.
/// hummingbird's `FileIO` does the same with `NIOThreadPool`; this module has no dependencies, so it keeps a small
/// pool of its own (FFmpeg work has its own threads in `Media`).
///
/// Work runs in submission order on the first free thread. It is not interrupted by task cancellation: each piece is
/// one bounded file operation, and a save that was started (a manifest checkpoint) should finish.
public final class BlockingPool: Sendable {
    /// The pool every module uses for blocking file work.
    public static let shared = BlockingPool(threads: 4, name: "reel-blocking")
    /// Short reads that must not wait behind saves (an fsync each): the index's listing and counts, for the catalog
    /// page and the API while workers save manifests.
    public static let reads = BlockingPool(threads: 2, name: "reel-reads")

    /// Queued work; each piece returns what resumes its caller, run once the piece itself is released.
    private let work = Mutex<[@Sendable () -> @Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)

    /// Starts `threads` threads named `name-N`; they live as long as the process.
    public init(threads: Int, name: String) {
        for n in 0..<max(1, threads) {
            let threadName = "\(name)-\(n)"
            let thread = Thread { [self] in
                // Named from inside, for the kernel (`top -H`, `/proc/<pid>/task/*/comm`, 15 bytes at most): on
                // Linux a name set before `start()` does not reach the thread, and Foundation's `Thread.name` may
                // answer with the name the creating thread passed on.
                ThreadName.set(threadName)
                while true {
                    ready.wait()
                    var next = work.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    let resume = next?()
                    // The work and what it captured (a catalog and its SQLite connection) are released before the
                    // caller goes on: a process that exits right after its last save has closed its index.
                    next = nil
                    resume?()
                }
            }
            thread.start()
        }
    }

    /// Runs `body` on one of the pool's threads and returns what it returns (or throws what it throws).
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, E>, Never>) in
            work.withLock {
                $0.append {
                    let result: Result<T, E>
                    do throws(E) {
                        result = .success(try body())
                    } catch {
                        result = .failure(error)
                    }
                    return { continuation.resume(returning: result) }
                }
            }
            ready.signal()
        }
        return try result.get()
    }
}
