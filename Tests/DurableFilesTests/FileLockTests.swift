import DurableFiles
import Foundation
import Testing

@Suite struct FileLockTests {
    private func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("filelock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(path)
    }

    @Test func exclusiveLocksExcludeEachOtherAndReleaseOnClose() async throws {
        try await withDirectory { directory in
            let first = try FileLock(path: directory + "/.lock")
            let second = try FileLock(path: directory + "/.lock")
            #expect(try first.tryLock())
            #expect(try !second.tryLock())
            first.close()
            #expect(try second.tryLock())
        }
    }

    @Test func aWaitEndsAtItsTimeoutWithoutHoldingAThread() async throws {
        try await withDirectory { directory in
            let holder = try FileLock(path: directory + "/.lock")
            #expect(try holder.tryLock())
            let waiter = try FileLock(path: directory + "/.lock")
            #expect(try await !waiter.acquire(timeout: .milliseconds(50)), "held elsewhere: the wait ends at its timeout")
        }
    }

    /// Many waits at once on the cooperative pool (a few threads): the holder is released by a task that needs a
    /// thread of that same pool. Waits that held their threads would starve it until their (long) timeouts and come
    /// back `false`; waits that give their thread back between tries all get the lock. No wall-clock bound.
    @Test func waitsGiveTheirThreadBack() async throws {
        try await withDirectory { directory in
            let holder = try FileLock(path: directory + "/.lock")
            #expect(try holder.tryLock())
            let results = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        let lock = try FileLock(path: directory + "/.lock")
                        defer { lock.close() }
                        return try await lock.acquire(timeout: .seconds(120), pollInterval: .milliseconds(20))
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
                holder.close()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results == Array(repeating: true, count: 32))
        }
    }

    @Test func aWaitTakesTheLockOnceItIsReleased() async throws {
        try await withDirectory { directory in
            let holder = try FileLock(path: directory + "/.lock")
            #expect(try holder.tryLock())
            async let taken: Bool = {
                let waiter = try FileLock(path: directory + "/.lock")
                return try await waiter.acquire(timeout: .seconds(10), pollInterval: .milliseconds(10))
            }()
            try await Task.sleep(for: .milliseconds(50))
            holder.close()
            #expect(try await taken)
        }
    }

    @Test func aCancelledWaitThrowsCancellation() async throws {
        try await withDirectory { directory in
            let holder = try FileLock(path: directory + "/.lock")
            #expect(try holder.tryLock())
            let waiting = Task {
                let waiter = try FileLock(path: directory + "/.lock")
                return try await waiter.acquire(timeout: nil)
            }
            try await Task.sleep(for: .milliseconds(30))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiting.value }
        }
    }

    @Test func aSharedReaderCreatesNothingAndExcludesOnlyWriters() async throws {
        try await withDirectory { directory in
            #expect(FileLock(sharedExisting: directory + "/absent.lock") == nil)
            #expect(!FileManager.default.fileExists(atPath: directory + "/absent.lock"))
            let writer = try FileLock(path: directory + "/.lock")
            let reader = try #require(FileLock(sharedExisting: directory + "/.lock"))
            let other = try #require(FileLock(sharedExisting: directory + "/.lock"))
            #expect(try reader.tryLock())
            #expect(try other.tryLock())
            #expect(try !writer.tryLock())
            reader.close()
            other.close()
            #expect(try writer.tryLock())
        }
    }
}
