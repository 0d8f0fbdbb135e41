import DurableFiles
import Foundation
import Testing
@testable import Pipeline

/// A fresh storage root in the temporary directory, removed after `body`.
func withQueueRoot<T>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (URL) async throws -> T
) async throws -> T {
    let root = FileManager.default.temporaryDirectory
        .appendingPathComponent("queue-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: root) }
    return try await body(root)
}

/// The pid of a process that has ended (and been reaped): a dead owner.
func queueDeadPID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
}

/// The names of the job files in `<root>/queue/<state>/`, sorted.
func queueFiles(_ root: URL, _ state: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: root.path + "/queue/" + state)) ?? []).sorted()
}

/// Writes `job` as a job file into `<root>/queue/<directory>/`, as another (perhaps crashed) process would have.
func writeJobFile(_ job: Job, root: URL, directory: String, name: String? = nil) throws {
    let folder = root.appendingPathComponent("queue/\(directory)", isDirectory: true)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try StoredJSON.encoder().encode(job).write(to: folder.appendingPathComponent(name ?? "\(job.id).json"))
}

/// A job as stored, in `state`, made now.
func sampleJob(_ taskId: String, state: JobState, attempts: Int = 1, owner: String? = nil, maxAttempts: Int = 5) -> Job {
    let now = StoredJSON.now()
    return Job(taskId: taskId, kind: "m2v", state: state, attempts: attempts, maxAttempts: maxAttempts, notBefore: now,
               createdAt: now, updatedAt: now, owner: owner, reason: "test")
}

/// The lock wait of tests that run many handles at once on one root: they check what the queue or the watch list
/// does, not how long a wait lasts (`lockTimeout` has tests of its own). On a loaded CI machine, forty writers in
/// line, each with its fsyncs, once needed more than the default 30 s.
let patientLock: Duration = .seconds(300)
