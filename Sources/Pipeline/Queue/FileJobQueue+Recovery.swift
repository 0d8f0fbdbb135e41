import Catalog
import Foundation
import Logging

extension FileJobQueue {
    /// Puts running jobs whose owner is gone (see ``JobOwner/isGone(_:caller:leases:)``) back to pending,
    /// due now, keeping their attempt count; a job whose cancel was asked becomes cancelled, and one that
    /// has used all its attempts becomes failed (a job that kills its process each time must not loop).
    /// Also removes temporaries left by crashed writes and the lease files of gone owners.
    public func recover(owner: String) async throws -> Int {
        try await withQueueLock {
            removeTemporaries()
            // Reading every job file completes moves interrupted by a crash (a claim's included) and
            // moves corrupt files aside; the cache keeps later recoveries cheap.
            var running: [String: Job] = [:]
            for state in JobState.allCases {
                for job in try scan(state) where job.state == .running { running[job.id] = job }
            }
            var recovered = 0
            for current in running.values.sorted(by: { $0.id < $1.id }) {
                guard JobOwner.isGone(current.owner, caller: owner, leases: URL(fileURLWithPath: ownersDirectory)) else { continue }
                let now = StoredJSON.now()
                var job = current
                job.owner = nil
                job.updatedAt = now
                job.lastError = "attempt \(current.attempts) interrupted: its process (\(current.owner ?? "unknown")) is gone"
                if current.cancelRequested {
                    job.state = .cancelled
                } else if current.attempts >= current.maxAttempts {
                    job.state = .failed
                } else {
                    job.state = .pending
                    job.notBefore = now
                }
                try store(job, from: .running)
                recovered += 1
                logger.notice("job of a gone process recovered", metadata: metadata(job, ["queue.owner": "\(current.owner ?? "")"]))
            }
            removeFreeLeases()
            return recovered
        }
    }

    /// Removes `.*.tmp` files from the queue's directories: with the lock held, no write is under way,
    /// so every temporary is the remains of a crash.
    func removeTemporaries() {
        let directories = JobState.allCases.map(directory) + [queueDirectory, corruptDirectory]
        for directory in directories {
            for name in FileIO.names(in: directory) where FileIO.isTemporary(name) {
                let path = directory + "/" + name
                do {
                    try FileIO.removeFile(path)
                    logger.notice("removed a temporary left by an interrupted write", metadata: ["queue.path": "\(path)"])
                } catch {
                    logger.warning("temporary not removed", metadata: ["queue.path": "\(path)", "error": "\(error)"])
                }
            }
        }
    }

    /// Removes lease files nobody holds. Safe with the queue lock held: leases are only taken under it.
    func removeFreeLeases() {
        for name in FileIO.names(in: ownersDirectory) where name.hasSuffix(".lease") {
            let path = ownersDirectory + "/" + name
            guard !OwnerLeases.isHeld(path) else { continue }
            try? FileIO.removeFile(path)
        }
    }
}
