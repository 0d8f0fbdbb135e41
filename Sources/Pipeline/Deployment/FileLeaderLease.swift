import DurableFiles
import Foundation
import Synchronization

/// The embedded ``LeaderLease``: an flock(2) on `<root>/leaders/<name>.lock`, kept by the holding process until it
/// releases it or ends (the kernel releases it at exit, kill -9 included), with the holder's name written beside it.
/// The duration is not needed: on one machine a dead holder is known at once. (A stopped — SIGSTOP — holder keeps
/// it; with PostgreSQL the lease expires by the database clock instead.)
public final class FileLeaderLease: LeaderLease {
    public let directory: URL
    /// The locks this process holds, by lease name. `FileLock` is used only inside the mutex.
    private let held = Mutex<[String: FileLock]>([:])

    public init(root: URL) {
        directory = root.appendingPathComponent("leaders", isDirectory: true)
    }

    public func acquire(_ name: String, holder: String, for duration: Duration) async throws -> Bool {
        let (lockPath, holderPath) = try paths(name)
        enum Take { case kept, taken, refused }
        let take = try held.withLock { (held: inout [String: FileLock]) throws -> Take in
            if held[name] != nil { return .kept }
            try FileIO.createDirectories(directory.path)
            let lock = try FileLock(path: lockPath)
            guard try lock.tryLock() else { return .refused }
            held[name] = lock
            return .taken
        }
        if take == .taken { try FileIO.writeAtomically(Data(holder.utf8), to: URL(fileURLWithPath: holderPath)) }
        return take != .refused
    }

    public func release(_ name: String, holder: String) async throws {
        let (_, holderPath) = try paths(name)
        let lock = held.withLock { $0.removeValue(forKey: name) }
        guard let lock else { return }
        try FileIO.removeFile(holderPath)
        lock.close()
    }

    /// Closes every lock this instance holds without removing the holder's name, as the kernel does when the holding
    /// process ends (tests stand for a process's end with it).
    func closeAllAsAtExit() {
        held.withLock { held in
            for lock in held.values { lock.close() }
            held.removeAll()
        }
    }

    public func holder(_ name: String) throws -> String? {
        let (lockPath, holderPath) = try paths(name)
        if held.withLock({ $0[name] == nil }) {
            // Free unless some process holds the flock.
            guard let probe = try? FileLock(path: lockPath) else { return nil } // no lock file: nobody ever led
            defer { probe.close() }
            if try probe.tryLock() { return nil }
        }
        guard let data = try FileIO.readFile(holderPath, limit: 4096) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    private func paths(_ name: String) throws -> (lock: String, holder: String) {
        try LeaderLeaseError.check(name)
        let base = directory.appendingPathComponent(name).path
        return (base + ".lock", base + ".holder")
    }
}
