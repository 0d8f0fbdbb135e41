import DurableFiles
import Foundation
import Logging
import ReelBasics
import Synchronization

/// The file work under `<root>/queue/`: paths, the lock, reading (with roll-forward and quarantine) and
/// writing job files. Everything but ``FileJobQueue/withQueueLock(_:)`` is called with the lock held.
extension FileJobQueue {
    var queueDirectory: String { root.path + "/queue" }
    var corruptDirectory: String { queueDirectory + "/corrupt" }
    var ownersDirectory: String { queueDirectory + "/owners" }

    func directory(_ state: JobState) -> String { queueDirectory + "/" + state.rawValue }

    func path(_ id: String, _ state: JobState) -> String { directory(state) + "/" + id + ".json" }

    func leasePath(_ owner: String) -> String { ownersDirectory + "/" + JobOwner.leaseName(owner) }

    /// Runs `body` holding the queue's flock, after creating the queue's directories if needed.
    /// Filesystem failures come out as ``JobQueueError/io``.
    func withQueueLock<T>(isolation: isolated (any Actor)? = #isolation, _ body: () throws -> T) async throws -> T {
        do {
            if !cache.isPrepared {
                for state in JobState.allCases { try FileIO.createDirectories(directory(state)) }
                try FileIO.createDirectories(corruptDirectory)
                try FileIO.createDirectories(ownersDirectory)
                cache.isPrepared = true
            }
            let lock = try FileLock(path: queueDirectory + "/.lock")
            defer { lock.close() }
            guard try await lock.acquire(timeout: lockTimeout, pollInterval: .milliseconds(16)) else { throw JobQueueError.lockTimeout(lock.path) }
            return try body()
        } catch let error as FileError {
            logger.error("job queue I/O failed", metadata: ["error": "\(error)"])
            throw JobQueueError.io(error)
        }
    }

    /// The job `id` wherever it is, `nil` if there is none (or `id` is not a possible job id).
    func find(_ id: String) throws -> Job? {
        guard QueueName.isSafe(id, maximumLength: 200) else { return nil }
        for state in JobState.allCases {
            let path = path(id, state)
            guard FileIO.exists(path) else { continue }
            if let job = try read(path, name: id + ".json", in: state) { return job }
        }
        return nil
    }

    /// The jobs whose files are in `state`'s directory. A job rolled forward into another state comes back
    /// with that state: callers filter on `state`.
    func scan(_ state: JobState) throws -> [Job] {
        let directory = directory(state)
        var cached = cache.entries(state)
        var fresh: [String: JobFileCache.Entry] = [:]
        var jobs: [Job] = []
        for name in FileIO.names(in: directory) where QueueName.isJobFile(name) {
            let path = directory + "/" + name
            guard let stamp = FileIO.stamp(path) else { continue }
            if let entry = cached.removeValue(forKey: name), entry.stamp == stamp {
                fresh[name] = entry
                jobs.append(entry.job)
                continue
            }
            guard let job = try read(path, name: name, in: state) else { continue }
            if job.state == state { fresh[name] = JobFileCache.Entry(stamp: stamp, job: job) }
            jobs.append(job)
        }
        cache.replace(state, with: fresh)
        return jobs
    }

    /// Reads the job file at `path` in `state`'s directory. An unreadable file is moved to `corrupt/` and
    /// gives `nil`; a file whose content is in another state (a move interrupted by a crash) is moved there.
    func read(_ path: String, name: String, in state: JobState) throws -> Job? {
        let data: Data
        let read = FileIO.read(path, limit: Int64(Self.maximumJobBytes))
        switch read {
        case .missing:
            return nil
        case .tooLarge, .directory:
            try quarantine(path, name: name, reason: read.unfit ?? "unreadable")
            return nil
        case .failed(let error):
            throw error
        case .read(let bytes):
            data = bytes
        }
        let job: Job
        do {
            job = try StoredJSON.decoder().decode(Job.self, from: data)
        } catch {
            try quarantine(path, name: name, reason: "does not decode: \(error)")
            return nil
        }
        guard name == job.id + ".json", job.id == Job.id(kind: job.kind, taskId: job.taskId) else {
            try quarantine(path, name: name, reason: "holds job \(job.id) of task \(job.taskId), kind \(job.kind)")
            return nil
        }
        if job.state != state {
            try FileIO.renameDurably(from: path, to: self.path(job.id, job.state))
            logger.notice("completed a job transition interrupted by a crash", metadata: metadata(job, ["queue.from": "\(state.rawValue)"]))
        }
        return job
    }

    /// Writes `job` into its state's directory. A job already stored in state `from` is first rewritten
    /// in place, then moved (see the type's documentation): there is never a second file for one job.
    func store(_ job: Job, from current: JobState?) throws {
        let data: Data
        do { data = try StoredJSON.encoder().encode(job) } catch { throw JobQueueError.encoding(job.id, error) }
        guard let current, current != job.state else {
            try FileIO.writeAtomically(data, to: URL(fileURLWithPath: path(job.id, job.state)), failpointPrefix: "queue.job")
            return
        }
        let old = path(job.id, current)
        try FileIO.writeAtomically(data, to: URL(fileURLWithPath: old), failpointPrefix: "queue.job")
        Failpoint.hit("queue.job.rewritten")
        try FileIO.renameDurably(from: old, to: path(job.id, job.state))
        Failpoint.hit("queue.job.moved")
    }

    /// Moves an unreadable job file to `corrupt/<name>.<ms>` and logs it.
    func quarantine(_ path: String, name: String, reason: String) throws {
        let stamp = Int64(Date().timeIntervalSince1970 * 1000)
        let target = corruptDirectory + "/" + name + "." + String(stamp)
        try FileIO.renameDurably(from: path, to: target)
        logger.error("corrupt job file moved aside", metadata: [
            "queue.path": "\(path)", "queue.moved_to": "\(target)", "error": "\(reason)",
        ])
    }
}

/// Job ids, task ids and kinds in the queue: ``SafeName``s, refused with the queue's own error.
enum QueueName {
    static func isSafe(_ raw: String, maximumLength: Int) -> Bool {
        SafeName.isSafe(raw, maximumLength: maximumLength)
    }

    static func check(_ raw: String, what: String, maximumLength: Int) throws(JobQueueError) {
        guard isSafe(raw, maximumLength: maximumLength) else {
            throw JobQueueError.invalidJob(raw.debugDescription.prefix(80) + "", "\(what): use 1 to \(maximumLength) characters from A-Z a-z 0-9 . _ -, not starting with '.'")
        }
    }

    /// A job file's name: `<id>.json`, not a temporary.
    static func isJobFile(_ name: String) -> Bool {
        name.hasSuffix(".json") && !name.hasPrefix(".")
    }
}

/// Per-queue memory of decoded job files, keyed by name and checked against the file's stamp (a
/// rewrite is a rename, so a new inode). Only used with the queue lock held.
final class JobFileCache: Sendable {
    struct Entry: Sendable {
        let stamp: FileIO.Stamp
        let job: Job
    }

    private struct State {
        var entries: [JobState: [String: Entry]] = [:]
        var prepared = false
    }

    private let state = Mutex(State())

    var isPrepared: Bool {
        get { state.withLock { $0.prepared } }
        set { state.withLock { $0.prepared = newValue } }
    }

    func entries(_ jobState: JobState) -> [String: Entry] {
        state.withLock { $0.entries[jobState] ?? [:] }
    }

    func replace(_ jobState: JobState, with entries: [String: Entry]) {
        state.withLock { $0.entries[jobState] = entries }
    }
}
