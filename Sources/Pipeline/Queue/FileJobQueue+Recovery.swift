import DurableFiles
import Foundation
import Logging

extension FileJobQueue {
    /// Puts running jobs whose owner is gone (see ``JobOwner/isGone(_:caller:leases:)``) back to pending,
    /// due now, with their attempt given back and one more interruption (``Job/interrupted(_:now:maxInterruptions:)``):
    /// a job interrupted `maxInterruptions` times in a row fails (an input that kills its process each time must not
    /// loop), and a job whose cancel was asked becomes cancelled.
    /// Also removes temporaries left by crashed writes and the lease files of gone owners.
    public func recover(owner: String, maxInterruptions: Int) async throws -> Int {
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
                let job = current.interrupted(.vanished(owner: current.owner), now: StoredJSON.now(), maxInterruptions: maxInterruptions)
                try store(job, from: .running)
                recovered += 1
                logger.notice("job of a gone process recovered", metadata: metadata(job, [
                    "queue.owner": "\(current.owner ?? "")", "queue.interruptions": "\(job.interruptions)",
                ]))
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
            try? FileIO.removeFile(path) // best effort: a free lease file left behind is harmless and tried again next time
        }
    }
}
