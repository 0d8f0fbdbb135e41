import DurableFiles
import Foundation

extension FileJobQueue: JobQueueDiagnostics {
    /// ``listReadOnly(state:)`` and ``corruptFiles()`` together.
    public func inspect(state: JobState?) async throws -> JobQueueInspection {
        let listed = try await listReadOnly(state: state)
        return JobQueueInspection(jobs: listed.jobs, unreadable: listed.unreadable, quarantined: corruptFiles())
    }

    /// The jobs in `state` (every job if `nil`), oldest first, read without writing anything: no directory or lock
    /// file is created, nothing is rolled forward or moved aside. For `reel jobs ls`, which must work on a read-only
    /// storage root (a mounted backup). Takes a shared lock on `queue/.lock` only if it exists and opens read-only.
    /// A job file whose content is ahead of its directory (a move a crash interrupted) is listed in the state it
    /// records; unreadable files are skipped and returned by name (relative to the root) in `unreadable`.
    func listReadOnly(state: JobState?) async throws -> (jobs: [Job], unreadable: [String]) {
        guard FileIO.isDirectory(queueDirectory) else { return ([], []) }
        let lock = FileLock(sharedExisting: queueDirectory + "/.lock")
        defer { lock?.close() }
        if let lock, try await !lock.acquire(timeout: lockTimeout, pollInterval: .milliseconds(16)) {
            throw JobQueueError.lockTimeout(lock.path)
        }
        var byID: [String: Job] = [:]
        var unreadable: [String] = []
        // A job whose move was interrupted sits in another state's directory: read them all when filtering.
        for scanned in JobState.allCases {
            for name in FileIO.names(in: directory(scanned)) where QueueName.isJobFile(name) {
                let path = directory(scanned) + "/" + name
                guard case .read(let data) = FileIO.read(path, limit: Int64(Self.maximumJobBytes)),
                      let job = try? StoredJSON.decoder().decode(Job.self, from: data), // else: reported as unreadable below
                      name == job.id + ".json", job.id == Job.id(kind: job.kind, taskId: job.taskId)
                else {
                    if FileIO.exists(path) { unreadable.append("queue/\(scanned.rawValue)/\(name)") }
                    continue
                }
                byID[job.id] = job
            }
        }
        let jobs = byID.values.filter { state == nil || $0.state == state }.sorted(by: Job.claimOrder)
        return (jobs, unreadable.sorted())
    }

    /// The files moved to `queue/corrupt/`, oldest first, as paths relative to the root.
    func corruptFiles() -> [String] {
        FileIO.names(in: corruptDirectory).filter { !FileIO.isTemporary($0) }.sorted().map { "queue/corrupt/" + $0 }
    }
}
